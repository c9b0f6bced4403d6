from __future__ import annotations

from lab.analysis.checks import no_sni
from tests.lab.analysis.checks.conftest import ctx, tls_stream


def test_client_hello_without_sni() -> None:
    findings = no_sni.check(
        ctx(tls_stream(sni=None), tls_stream(), tls_stream(sni=None, client_hello_frame=None))
    )
    assert [f.evidence for f in findings] == [(4,)]
