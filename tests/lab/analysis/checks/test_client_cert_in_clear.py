from __future__ import annotations

from lab.analysis.checks import client_cert_in_clear
from tests.lab.analysis.checks.conftest import cert, ctx, tls_stream


def test_only_client_certs_visible_without_keys() -> None:
    clear = tls_stream(
        tls_version="TLSv1.2", client_cert_present=True, client_certs=(cert(purpose="client", visible=True),)
    )
    hidden = tls_stream(client_cert_present=True, client_certs=(cert(purpose="client", visible=False),))
    findings = client_cert_in_clear.check(ctx(clear, hidden))
    assert len(findings) == 1 and "TLSv1.2" in findings[0].title
