"""Redis listens on every interface (`bind *`, `0.0.0.0`, `::`, or no bind line: Redis 7's default)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "bind-all"
ALL = ("*", "-*", "0.0.0.0", "-0.0.0.0", "::", "-::", "::*", "-::*")
WHY = "every network the host is on can reach the port; bind only the addresses clients use"
FIX = ("bind 127.0.0.1 -::1",)


def _all(value: str) -> list[str]:
    return [a for a in value.split() if a in ALL]


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    if ctx.redis is not None and _all(ctx.redis.config.get("bind", "")):
        out.append(
            AuditFinding(
                ID,
                "low",
                "Redis listens on every interface",
                f"CONFIG GET bind: {ctx.redis.config['bind']}",
                WHY,
                FIX,
                Source.LIVE,
            )
        )
    if ctx.conf is not None and _all(ctx.conf.values["bind"]):
        out.append(
            AuditFinding(
                ID, "low", "Redis listens on every interface", ctx.conf.at("bind"), WHY, FIX, Source.CONFIG
            )
        )
    return out
