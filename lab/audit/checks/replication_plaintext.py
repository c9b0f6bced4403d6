"""Replication or the cluster bus in clear while the server itself speaks TLS."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "links-in-clear"
WHY = (
    "the replication stream carries every write and the primary's password; the cluster bus carries "
    "node and slot state: in clear while clients use TLS, they are the easiest way in"
)


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    if ctx.redis is not None:
        cfg = ctx.redis.config
        role, replicas = ctx.redis.info("role"), ctx.redis.info("connected_slaves")
        replicating = role == "slave" or (replicas not in (None, "0"))
        if replicating and cfg.get("tls-replication") == "no":
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "replication runs in clear",
                    f"INFO role:{role}, connected_slaves:{replicas}; CONFIG GET tls-replication: no",
                    WHY,
                    ("tls-replication yes",),
                    Source.LIVE,
                )
            )
        if ctx.redis.info("cluster_enabled") == "1" and cfg.get("tls-cluster") == "no":
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "the cluster bus runs in clear",
                    "INFO cluster_enabled:1; CONFIG GET tls-cluster: no",
                    WHY,
                    ("tls-cluster yes",),
                    Source.LIVE,
                )
            )
    conf = ctx.conf
    if conf is not None and ctx.tls_on_in_conf:
        if conf.replicaof and conf.values["tls-replication"] == "no":
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "replication to the primary runs in clear",
                    f"replicaof {conf.replicaof}; {conf.at('tls-replication')}",
                    WHY,
                    ("tls-replication yes",),
                    Source.CONFIG,
                )
            )
        if conf.cluster_enabled and conf.values["tls-cluster"] == "no":
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "the cluster bus runs in clear",
                    f"cluster-enabled yes; {conf.at('tls-cluster')}",
                    WHY,
                    ("tls-cluster yes",),
                    Source.CONFIG,
                )
            )
    return out
