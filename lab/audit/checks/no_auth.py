"""Redis answers without AUTH: no requirepass, no ACL user with a password."""

from __future__ import annotations

import functools
import secrets

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "no-auth"
WHY = "whoever connects reads and writes every key (and, with CONFIG, files on the host)"


@functools.cache  # one password per audit run, so every finding proposes the same line
def fix() -> tuple[str, ...]:
    return (f"requirepass {secrets.token_urlsafe(24)}",)  # a real line: redis-server starts with it


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    if ctx.redis is not None:
        open_ = [label for label, conv in ctx.redis.conversations if conv.open_without_auth]
        if open_:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "Redis answers commands without AUTH",
                    f"PING without AUTH answered PONG on {', '.join(open_)}",
                    WHY,
                    fix(),
                    Source.LIVE,
                )
            )
    if ctx.conf is not None and not ctx.conf.auth_required:
        users = ctx.conf.users_without_password
        seen = "no requirepass, no aclfile" + (
            f", nopass users: {', '.join(users)}" if users else ", no `user default` line"
        )
        out.append(AuditFinding(ID, "high", "the config sets no password", seen, WHY, fix(), Source.CONFIG))
    return out
