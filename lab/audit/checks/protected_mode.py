"""protected-mode no: without a password Redis answers clients from other hosts too."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "protected-mode-off"
WHY = "protected mode is Redis's last guard when no password is set: it refuses non-loopback clients"


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    if ctx.redis is not None and ctx.redis.config.get("protected-mode") == "no":
        out.append(
            AuditFinding(
                ID,
                "medium",
                "protected-mode is off",
                "CONFIG GET protected-mode: no",
                WHY,
                ("protected-mode yes",),
                Source.LIVE,
            )
        )
    if ctx.conf is not None and ctx.conf.values["protected-mode"] == "no":
        out.append(
            AuditFinding(
                ID,
                "medium",
                "protected-mode is off",
                ctx.conf.at("protected-mode"),
                WHY,
                ("protected-mode yes",),
                Source.CONFIG,
            )
        )
    return out
