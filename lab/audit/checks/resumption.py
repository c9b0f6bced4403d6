"""Session resumption by ids and tickets: what the server offers (the lab shows tickets outlive caching)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "session-resumption"


def check(ctx: AuditContext) -> list[AuditFinding]:
    tls = ctx.live_tls
    if tls is None or tls.ticket_resumption not in ("FULLY_SUPPORTED", "PARTIALLY_SUPPORTED"):
        return []
    return [
        AuditFinding(
            ID,
            "info",
            "sessions resume through TLS session tickets",
            f"sslyze: tickets {tls.ticket_resumption}, session ids {tls.session_id_resumption}",
            "a ticket key that leaks decrypts the resumed sessions; Redis keeps tickets on even "
            "with tls-session-caching no (no redis.conf line turns them off)",
            (),
            Source.LIVE,
        )
    ]
