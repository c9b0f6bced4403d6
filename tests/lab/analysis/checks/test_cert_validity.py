from __future__ import annotations

import datetime as dt

from lab.analysis.checks import cert_validity
from lab.pki import Defect
from tests.lab.analysis.checks.conftest import NOW, cert, ctx, tls_stream


def test_expired_not_yet_valid_and_expiring_soon() -> None:
    soon = cert(purpose="client", days=10)
    days_left = (dt.datetime.fromisoformat(soon.not_after) - NOW).days  # 9 or 10: validity has 1 s precision
    streams = [
        tls_stream(server_certs=(cert(Defect.EXPIRED),)),
        tls_stream(server_certs=(cert(Defect.NOT_YET_VALID),)),
        tls_stream(client_certs=(soon,)),
        tls_stream(server_certs=(cert(days=365),)),
    ]
    titles = [f.title for f in cert_validity.check(ctx(*streams))]
    assert len(titles) == 3
    assert "expired" in titles[0] and "not valid before" in titles[1]
    assert titles[2].startswith("client cert") and f"expires in {days_left} day(s)" in titles[2]


def test_one_finding_per_certificate_not_per_connection() -> None:
    expired = cert(Defect.EXPIRED)
    assert len(cert_validity.check(ctx(*[tls_stream(server_certs=(expired,))] * 5))) == 1
