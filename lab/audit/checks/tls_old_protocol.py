"""TLS below 1.2 (or SSL) accepted: downgrade-prone, weak MACs and ciphers."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "tls-old-protocol"
OLD = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
FIX = ('tls-protocols "TLSv1.2 TLSv1.3"',)
WHY = "TLS 1.0/1.1 and SSL have known attacks (BEAST, POODLE) and weak MACs; RFC 8996 deprecates them"


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    tls = ctx.live_tls
    if tls is not None:
        old = [v for v in OLD if tls.accepted(v)]
        if old:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"the server accepts {', '.join(old)}",
                    f"sslyze completed handshakes with {', '.join(old)}",
                    WHY,
                    FIX,
                    Source.LIVE,
                )
            )
    if ctx.conf is not None and ctx.tls_on_in_conf:
        allowed = [v for v in ctx.conf.values["tls-protocols"].split() if v in OLD]
        if allowed:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"tls-protocols allows {', '.join(allowed)}",
                    ctx.conf.at("tls-protocols"),
                    WHY,
                    FIX,
                    Source.CONFIG,
                )
            )
    return out
