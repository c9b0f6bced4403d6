"""Whether a post-quantum hybrid key exchange is offered (harvest-now-decrypt-later)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source
from lab.audit.pqprobe import HYBRID_GROUPS

ID = "no-pq-hybrid"


def check(ctx: AuditContext) -> list[AuditFinding]:
    pq = ctx.pq
    if pq is None or pq.error or pq.offered:
        return []
    return [
        AuditFinding(
            ID,
            "info",
            "no post-quantum hybrid key exchange is offered",
            f"TLS 1.3 hello offering only {', '.join(HYBRID_GROUPS.values())}: {pq.answer}",
            "recorded sessions could be decrypted once a large quantum computer exists; OpenSSL "
            "3.5+ offers X25519MLKEM768 by default",
            ("build Redis against OpenSSL 3.5 or later",),
            Source.LIVE,
        )
    ]
