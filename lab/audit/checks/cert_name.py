"""The server certificate does not name the host clients connect to (--name, else the audited host)."""

from __future__ import annotations

from lab.audit.certfacts import matches_name
from lab.audit.checks.base import AuditContext, cert_fix
from lab.audit.model import AuditFinding, Source

ID = "cert-name-mismatch"


def check(ctx: AuditContext) -> list[AuditFinding]:
    tls = ctx.live_tls
    name = ctx.server_name or (ctx.endpoint.host if ctx.endpoint else None)
    if tls is None or tls.leaf is None or name is None or matches_name(tls.leaf, name):
        return []
    return [
        AuditFinding(
            ID,
            "high",
            f"the server certificate does not name {name}",
            f"names in the certificate: {', '.join(tls.leaf.names) or 'none'}",
            "clients that check the hostname refuse it; clients that do not (redis-cli) accept "
            "any certificate of the CA, an attacker's included",
            cert_fix(ctx),
            Source.LIVE,
        )
    ]
