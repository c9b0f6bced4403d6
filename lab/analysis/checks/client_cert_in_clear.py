"""Client certificates sent in clear (TLS 1.2 and below): a passive observer learns the client's identity."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "client-cert-in-clear"


def check(ctx: CheckContext) -> list[Finding]:
    return [
        Finding(
            ID,
            "low",
            f"client cert {s.client_certs[0].subject} sent in clear ({s.tls_version})",
            (s.client_certs[0].frame,),
            "before TLS 1.3 the client's Certificate message is unencrypted: its subject (often a user name) "
            "is visible to anyone on the path",
            'tls-protocols "TLSv1.3" so the client certificate travels encrypted',
            s.stream,
        )
        for s in ctx.tls_streams
        if s.client_certs and s.client_certs[0].visible_without_keys
    ]
