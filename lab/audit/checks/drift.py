"""The config file and the running server disagree: a CONFIG SET that was never saved (or the wrong file)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source
from lab.targets.redisconf import quote

ID = "config-drift"
COMPARED = ("port", "tls-port", "tls-auth-clients", "protected-mode", "tls-protocols", "tls-ciphers",
            "tls-replication", "tls-cluster", "bind")  # fmt: skip


def check(ctx: AuditContext) -> list[AuditFinding]:
    if ctx.conf is None or ctx.redis is None:
        return []
    live = ctx.redis.config
    out = []
    for name in COMPARED:
        if name in live and live[name] != ctx.conf.values[name]:
            out.append(
                AuditFinding(
                    ID,
                    "medium",
                    f"{name} differs: the server runs {live[name]!r}",
                    f"CONFIG GET {name}: {live[name]!r}; file: {ctx.conf.at(name)}",
                    "a restart silently changes the server's posture (or the file is not the one it runs)",
                    (f"CONFIG SET {name} {quote(ctx.conf.values[name])}",),
                    Source.DRIFT,
                )
            )
    return out
