from __future__ import annotations

from lab.analysis.checks import tls_version
from tests.lab.analysis.checks.conftest import ctx, tls_stream


def test_versions_below_tls12_are_flagged_at_the_server_hello() -> None:
    old = [tls_stream(tls_version=v) for v in ("SSLv3", "TLSv1.0", "TLSv1.1")]
    ok = [tls_stream(tls_version=v) for v in ("TLSv1.2", "TLSv1.3")]
    findings = tls_version.check(ctx(*old, *ok))
    assert len(findings) == 3 and all(f.evidence == (6,) and f.severity == "high" for f in findings)
