"""Client certificates not required: anyone who reaches the TLS port gets a Redis connection."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source
from lab.audit.tlsscan import ClientAuth

ID = "client-cert-not-required"
WHY = (
    "without a required client certificate TLS proves nothing about the client: only AUTH (if set) "
    "stands between the network and the data"
)


def _fix(ctx: AuditContext) -> tuple[str, ...]:
    ca = ctx.conf.values["tls-ca-cert-file"] if ctx.conf is not None else ""
    return ("tls-auth-clients yes", f"tls-ca-cert-file {ca or '/etc/redis/tls/clients-ca.crt'}")


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    tls = ctx.live_tls
    if tls is not None and tls.client_auth in (ClientAuth.OPTIONAL, ClientAuth.NOT_ASKED):
        word = "optional" if tls.client_auth is ClientAuth.OPTIONAL else "not asked for"
        out.append(
            AuditFinding(
                ID,
                "medium",
                f"client certificates are {word}",
                f"sslyze's handshake without a client certificate: client auth {tls.client_auth.value}",
                WHY,
                _fix(ctx),
                Source.LIVE,
            )
        )
    if ctx.conf is not None and ctx.tls_on_in_conf and ctx.conf.values["tls-auth-clients"] != "yes":
        out.append(
            AuditFinding(
                ID,
                "medium",
                f"tls-auth-clients is {ctx.conf.values['tls-auth-clients']}",
                ctx.conf.at("tls-auth-clients"),
                WHY,
                _fix(ctx),
                Source.CONFIG,
            )
        )
    return out
