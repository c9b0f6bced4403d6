from __future__ import annotations

from lab.analysis.checks import cert_validity
from lab.pki import Defect
from tests.lab.analysis.checks.conftest import cert, ctx, tls_stream


def test_expired_not_yet_valid_and_expiring_soon() -> None:
    streams = [
        tls_stream(server_certs=(cert(Defect.EXPIRED),)),
        tls_stream(server_certs=(cert(Defect.NOT_YET_VALID),)),
        tls_stream(client_certs=(cert(purpose="client", days=10),)),
        tls_stream(server_certs=(cert(days=365),)),
    ]
    titles = [f.title for f in cert_validity.check(ctx(*streams))]
    assert len(titles) == 3
    assert "expired" in titles[0] and "not valid before" in titles[1]
    assert titles[2].startswith("client cert") and "expires in 9 day(s)" in titles[2]


def test_one_finding_per_certificate_not_per_connection() -> None:
    expired = cert(Defect.EXPIRED)
    assert len(cert_validity.check(ctx(*[tls_stream(server_certs=(expired,))] * 5))) == 1
