from __future__ import annotations

from lab.analysis.checks import cert_self_signed
from lab.pki import Defect
from tests.lab.analysis.checks.conftest import cert, ctx, tls_stream


def test_self_signed_server_cert_is_flagged_once() -> None:
    selfie = cert(Defect.SELF_SIGNED)
    findings = cert_self_signed.check(
        ctx(
            tls_stream(server_certs=(selfie,)),
            tls_stream(server_certs=(selfie,)),
            tls_stream(server_certs=(cert(),)),
        )
    )
    assert [f.evidence for f in findings] == [(12,)]
