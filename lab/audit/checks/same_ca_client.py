"""A certificate of the same CA for another name was accepted as a client certificate."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "same-ca-client-accepted"


def check(ctx: AuditContext) -> list[AuditFinding]:
    conv = ctx.redis.same_ca if ctx.redis is not None else None
    if conv is None or not conv.is_redis:
        return []
    return [
        AuditFinding(
            ID,
            "medium",
            "any certificate of the CA is accepted as a client certificate",
            f"TLS with a certificate for another name, then PING: {conv.reply('PING')}",
            "Redis 7.0 checks client certificates against the CA only, never their names: every "
            "service that CA ever certified can connect as a Redis client; give Redis a CA of its own",
            ("tls-ca-cert-file /etc/redis/tls/redis-clients-ca.crt",),
            Source.LIVE,
        )
    ]
