"""The endpoint answered, but not as Redis (or not at all), so the Redis checks could not judge it."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "not-redis"


def check(ctx: AuditContext) -> list[AuditFinding]:
    r = ctx.redis
    main = (
        r.tls if r is not None and r.tls is not None else (r.plaintext[0][1] if r and r.plaintext else None)
    )
    if main is None or main.is_redis:
        return []
    seen = main.error or f"PING answered {main.reply('PING')!r}"
    return [
        AuditFinding(
            ID,
            "info",
            f"{ctx.endpoint} did not answer as Redis",
            seen,
            "the Redis checks (AUTH, protected mode, CONFIG) could not run: is this the Redis port, "
            "and does it need a client certificate (--cert/--key)?",
            (),
            Source.LIVE,
        )
    ]
