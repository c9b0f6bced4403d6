"""CONFIG answers an unauthenticated client: it can also CONFIG SET (dir, dbfilename: files on the host)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.checks.no_auth import fix
from lab.audit.model import AuditFinding, Source

ID = "config-readable"


def check(ctx: AuditContext) -> list[AuditFinding]:
    if ctx.redis is None:
        return []
    out = []
    for label, conv in ctx.redis.conversations:
        if conv.config:
            shown = ", ".join(f"{k}={v}" for k, v in conv.config[:4])
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"CONFIG GET answers without AUTH on {label}",
                    f"CONFIG GET replied: {shown}{' …' if len(conv.config) > 4 else ''}",
                    "an unauthenticated client can CONFIG SET dir/dbfilename and write files "
                    "as the Redis user",
                    (*fix(), 'rename-command CONFIG ""'),
                    Source.LIVE,
                )
            )
    return out
