"""Key-exchange groups below 224 bits (and binary curves) accepted."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "weak-group"
WEAK_PREFIXES = ("secp160", "secp192", "sect163", "sect193", "prime192")


def check(ctx: AuditContext) -> list[AuditFinding]:
    tls = ctx.live_tls
    if tls is None:
        return []
    weak = [g for g in tls.groups if g.startswith(WEAK_PREFIXES)]
    if not weak:
        return []
    return [
        AuditFinding(
            ID,
            "medium",
            f"the server accepts weak key-exchange groups: {', '.join(weak)}",
            f"groups accepted: {', '.join(tls.groups)}",
            "groups under 224 bits give less than 112-bit security to the session keys",
            ("build Redis against OpenSSL 3 defaults (they no longer offer these groups)",),
            Source.LIVE,
        )
    ]
