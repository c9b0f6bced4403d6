"""Replication in clear: clients use TLS, the replica's link to the primary does not (`tls-replication no`).

The observer on the switch reads the replica's `AUTH <masteruser> <masterauth>`, the full sync (the RDB
snapshot with every key) and each replicated write. The fix, `tls-replication yes` with certificates (and the
primary's plaintext port closed), leaves the same observer only TLS records, while replication still works.
Real redis-server only: the bundled server does not replicate.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from lab.analysis import CaptureReport, SecretExposure, analyze
from lab.analysis.model import RespLine
from lab.capture import CaptureResult
from lab.clients import ClientOutcome
from lab.netlab.capture import bridge_capture
from lab.netlab.namespaces import Network, network_up
from lab.netlab.roles import NamedStream, RoleMap, name_streams
from lab.netlab.servers import HostServer, host_cert, start_redis
from lab.netlab.sessions import client_spec, session, wait_for_value
from lab.netlab.topology import Role, Topology, topology
from lab.pki import LabPKI
from lab.targets import TargetSpec

MASTERUSER = "replicator"
MASTERAUTH = "repl-link-s3cret"
CLIENT_PASSWORD = "client-s3cret"
# Written before the replica connects (travels in the snapshot) and after (travels as a replicated write).
BEFORE_SYNC = ("customer:1", "card=4111-1111-1111")  # <= 20 bytes: RDB keeps it uncompressed
AFTER_SYNC = ("customer:2", "card=5500-0000-0000-0004")
# The ACL a replication user needs, and no more.
REPLICATION_USER = f"{MASTERUSER} on >{MASTERAUTH} +psync +replconf +ping"


def replication_topology() -> Topology:
    return topology(("client", Role.CLIENT), ("primary", Role.PRIMARY), ("replica", Role.REPLICA))


@dataclass(frozen=True)
class LinkConfig:
    """The redis.conf lines that differ between the exposed link and the fix (the rest is the same)."""

    tls_replication: bool
    primary: tuple[tuple[str, str], ...]
    replica: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReplicationEvidence:
    """What the passive observer on the switch could read of the replica→primary link."""

    link: NamedStream | None  # the replica's connection to the primary, as captured
    auth: tuple[RespLine, ...]  # AUTH <masteruser> <masterauth> read in clear
    snapshot: tuple[RespLine, ...]  # the RDB full sync read in clear
    replicated_writes: tuple[RespLine, ...]  # the primary's commands to the replica read in clear
    exposures: tuple[SecretExposure, ...]  # the link password and the values, frame by frame

    @property
    def readable(self) -> bool:
        return bool(self.auth or self.snapshot or self.replicated_writes
                    or any(e.frames for e in self.exposures))


@dataclass(frozen=True)
class ReplicationResult:
    config: LinkConfig
    roles: RoleMap
    streams: tuple[NamedStream, ...]
    evidence: ReplicationEvidence
    writes: tuple[ClientOutcome, ...]  # the TLS client's sessions with the primary
    replicated: bool  # the replica really holds both values (the link worked, encrypted or not)
    capture: CaptureResult


def link_config(primary: HostServer, tls_replication: bool, replica_client_cert: Path,
                replica_client_key: Path) -> LinkConfig:
    if not tls_replication:
        return LinkConfig(False, (), (
            ("replicaof", f"{primary.address} {primary.port}"),
            ("masteruser", MASTERUSER), ("masterauth", MASTERAUTH), ("tls-replication", "no")))
    return LinkConfig(True, (("port", "0"),), (
        ("replicaof", f"{primary.address} {primary.tls_port}"),
        ("masteruser", MASTERUSER), ("masterauth", MASTERAUTH), ("tls-replication", "yes"),
        # the primary requires client certs (tls-auth-clients yes): the replica presents one made for that
        ("tls-client-cert-file", str(replica_client_cert)), ("tls-client-key-file", str(replica_client_key))))


def primary_spec(tls_replication: bool) -> TargetSpec:
    """Clients over TLS with client certs; a plaintext port only where the exposed link needs one."""
    return TargetSpec(kind="redis-server", plaintext=not tls_replication, tls=True, tls_auth_clients="yes",
                      requirepass=CLIENT_PASSWORD, users=(REPLICATION_USER,),
                      extra=(("repl-diskless-sync-delay", "0"),))


def evidence_of(report: CaptureReport, roles: RoleMap, primary: HostServer,
                replica_address: str) -> ReplicationEvidence:
    link_info = next((s for s in report.streams if s.client.host == replica_address
                      and s.server.host == primary.address), None)
    link = name_streams([link_info], roles)[0] if link_info else None
    lines = link_info.transcript if link_info else ()
    auth = tuple(line for line in lines if line.direction == "c2s" and line.args[:1] == ("AUTH",)
                 and MASTERAUTH in line.args)
    snapshot = tuple(line for line in lines if line.kind == "rdb")
    writes = tuple(line for line in lines if line.direction == "s2c" and line.args
                   and line.args[0].upper() in ("SET", "DEL", "HSET", "MULTI", "EXEC", "SELECT"))
    return ReplicationEvidence(link, auth, snapshot, writes, report.exposures)


def run_replication(workdir: Path, tls_replication: bool) -> ReplicationResult:
    """Primary and replica on two hosts, a TLS client writing to the primary, the switch capturing."""
    workdir.mkdir(parents=True, exist_ok=True)
    pki = LabPKI.create(workdir / "pki")
    with network_up(replication_topology()) as net, contextlib.ExitStack() as stack:
        return _run(net, pki, workdir, tls_replication, stack)


def _run(net: Network, pki: LabPKI, workdir: Path, tls_replication: bool,
         stack: contextlib.ExitStack) -> ReplicationResult:
    primary_host, replica_host = net.one(Role.PRIMARY), net.one(Role.REPLICA)
    primary = start_redis(net, primary_host, primary_spec(tls_replication), workdir, stack, pki)
    cap = stack.enter_context(bridge_capture(net, primary.ports, workdir / "replication.pcapng"))
    to_primary = client_spec(pki, primary_host.fqdn, CLIENT_PASSWORD)
    writes = [session(net, "client", to_primary, primary.address, primary.tls_port,
                      [("SET", *BEFORE_SYNC)], cap.keylog)]
    replica_cert = host_cert(pki, replica_host, purpose="client")
    config = link_config(primary, tls_replication, replica_cert.cert, replica_cert.key)
    replica_spec = TargetSpec(kind="redis-server", plaintext=False, tls=True, tls_auth_clients="yes",
                              requirepass=CLIENT_PASSWORD, extra=config.replica)
    replica = start_redis(net, replica_host, replica_spec, workdir, stack, pki)
    to_replica = client_spec(pki, replica_host.fqdn, CLIENT_PASSWORD)
    synced = wait_for_value(net, "client", to_replica, replica.address, replica.tls_port, *BEFORE_SYNC)
    writes.append(session(net, "client", to_primary, primary.address, primary.tls_port,
                          [("SET", *AFTER_SYNC)], cap.keylog))
    replicated = synced and wait_for_value(net, "client", to_replica, replica.address, replica.tls_port,
                                           *AFTER_SYNC)
    stack.close()  # the capture stops (flushed) and the servers with it, before the analysis
    result = cap.result
    report = analyze(result.path, result.keylog, ports=primary.ports,
                     secrets=[MASTERAUTH, BEFORE_SYNC[1], AFTER_SYNC[1]])
    roles = net.roles
    return ReplicationResult(config, roles, name_streams(report.streams, roles),
                             evidence_of(report, roles, primary, replica_host.address), tuple(writes),
                             replicated, result)
