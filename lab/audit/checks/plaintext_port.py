"""Redis reachable in clear: a plaintext port beside TLS, or no TLS at all."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "plaintext-port"
WHY = "everything on a plaintext port, AUTH passwords included, crosses the network readable and forgeable"


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    if ctx.redis is not None:
        for port, conv in ctx.redis.plaintext:
            if conv.is_redis:
                out.append(
                    AuditFinding(
                        ID,
                        "high",
                        f"Redis answers in clear on port {port}",
                        f"plaintext PING on port {port} answered {conv.reply('PING')}",
                        WHY,
                        ("port 0",),
                        Source.LIVE,
                    )
                )
    if ctx.conf is not None and ctx.conf.values["port"] != "0":
        tls_port = ctx.conf.values["tls-port"]
        title = (
            f"plaintext port {ctx.conf.values['port']} is open beside TLS port {tls_port}"
            if tls_port != "0"
            else f"no TLS: Redis listens in clear on port {ctx.conf.values['port']}"
        )
        fix = (
            ("port 0",)
            if tls_port != "0"
            else (
                "port 0",
                "tls-port 6379",
                "tls-cert-file /etc/redis/tls/redis.crt",
                "tls-key-file /etc/redis/tls/redis.key",
                "tls-ca-cert-file /etc/redis/tls/ca.crt",
            )
        )
        out.append(AuditFinding(ID, "high", title, ctx.conf.at("port"), WHY, fix, Source.CONFIG))
    return out
