"""TLS 1.3 not offered: no encrypted certificates, no 1-RTT handshake, older key schedule."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "no-tls13"
FIX = ('tls-protocols "TLSv1.2 TLSv1.3"',)
WHY = "TLS 1.3 hides the certificates from observers, has forward secrecy always and a faster handshake"


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    tls = ctx.live_tls
    if tls is not None and tls.accepted_versions and not tls.accepted("TLSv1.3"):
        out.append(
            AuditFinding(
                ID,
                "low",
                "the server does not offer TLS 1.3",
                f"accepted: {', '.join(tls.accepted_versions)}",
                WHY,
                FIX,
                Source.LIVE,
            )
        )
    if ctx.conf is not None and ctx.tls_on_in_conf:
        protocols = ctx.conf.values["tls-protocols"].split()
        if protocols and "TLSv1.3" not in protocols:
            out.append(
                AuditFinding(
                    ID,
                    "low",
                    "tls-protocols leaves out TLS 1.3",
                    ctx.conf.at("tls-protocols"),
                    WHY,
                    FIX,
                    Source.CONFIG,
                )
            )
    return out
