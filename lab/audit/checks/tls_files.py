"""The TLS files a config names: missing, unreadable, a world-readable key, or a key of another cert."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "tls-file-problem"


def check(ctx: AuditContext) -> list[AuditFinding]:
    conf = ctx.conf
    if conf is None or not ctx.tls_on_in_conf:
        return []
    out = []
    for name in ("tls-cert-file", "tls-key-file"):
        if not conf.values[name]:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"TLS is on but {name} is not set",
                    conf.at("tls-port"),
                    "redis-server refuses to start",
                    (f"{name} /etc/redis/tls/redis.{name[4:7]}",),
                    Source.CONFIG,
                )
            )
    for f in conf.files:
        seen = conf.at(f.directive)
        if not f.exists or not f.readable:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"{f.directive} {f.path} cannot be read",
                    f"{seen}: {f.error or 'no read permission'}",
                    "redis-server refuses to start (or to reload on CONFIG SET)",
                    (f"{f.directive} <a readable file>",),
                    Source.CONFIG,
                )
            )
            continue
        if f.error:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"{f.directive} {f.path} is not valid PEM",
                    f"{seen}: {f.error}",
                    "redis-server refuses to start",
                    (f"{f.directive} <a PEM file>",),
                    Source.CONFIG,
                )
            )
        if f.directive == "tls-key-file" and f.world_readable:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"the private key {f.path} is world-readable",
                    f"{seen}: mode {f.mode}",
                    "any local user can copy the key and impersonate the server",
                    (f"chmod 600 {f.path}",),
                    Source.CONFIG,
                )
            )
        if f.key_matches_cert is False:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"{f.path} is not the key of {conf.values['tls-cert-file']}",
                    f"{seen}: its public key differs from the certificate's",
                    "redis-server refuses to start: key values mismatch",
                    ("tls-key-file <the key issued with tls-cert-file>",),
                    Source.CONFIG,
                )
            )
    return out
