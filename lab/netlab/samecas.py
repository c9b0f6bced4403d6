"""replication-same-ca: `tls-replication yes`, and an attacker holding certificates from the same CA sits
between the replica and the primary (ARP position, transparent mitmproxy).

Redis 7.0 checks the chain of a replication peer's certificate, never its name, so the replica accepts the
attacker's cert for another service: the attacker reads the replica's AUTH and feeds it data the primary never
had. Fix on 7.0: a CA for the Redis tier alone (or a pinning proxy): a cert from the company CA no longer
passes. Newer Redis adds a peer-name check for these links (`tls-expected-peer-name`, redis/redis PR 15492).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from lab.capture import CaptureResult
from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.spy import Credential, learn
from lab.netlab.arp import poison
from lab.netlab.capture import bridge_capture
from lab.netlab.inject_addon import INJECT_OPTION
from lab.netlab.namespaces import network_up
from lab.netlab.replication import (
    AFTER_SYNC,
    BEFORE_SYNC,
    CLIENT_PASSWORD,
    MASTERAUTH,
    MASTERUSER,
    REPLICATION_USER,
)
from lab.netlab.roles import RoleMap
from lab.netlab.servers import host_cert, start_redis
from lab.netlab.sessions import client_spec, session, wait_for_value
from lab.netlab.topology import Role, Topology, topology
from lab.netlab.transparent import intercept
from lab.pki import OTHER_HOST_NAME, LabPKI
from lab.targets import TargetSpec

FORGED = ("forged:by-attacker", "injected-into-replica")
INJECT_SCRIPT = Path(__file__).with_name("inject_addon.py")
LINK_WAIT_S = 8.0


def same_ca_topology() -> Topology:
    return topology(("client", Role.CLIENT), ("primary", Role.PRIMARY), ("replica", Role.REPLICA),
                    ("attacker", Role.ATTACKER))


@dataclass(frozen=True)
class SameCaResult:
    ca_per_role: bool  # the fix: primary and replica trust a CA of their own, not the company CA
    link_up: bool  # the replica synced (through the attacker)
    credentials: tuple[Credential, ...]  # what the attacker read of the replica's AUTH
    forged_on_replica: bool  # the attacker's key is on the replica ...
    forged_on_primary: bool  # ... and not on the primary: data the primary never had
    replica_refusals: tuple[str, ...]  # the replica's own log lines about refused TLS
    roles: RoleMap
    capture: CaptureResult

    @property
    def attacker_wins(self) -> bool:
        return bool(self.credentials) or self.forged_on_replica


def run_same_ca(workdir: Path, ca_per_role: bool) -> SameCaResult:
    workdir.mkdir(parents=True, exist_ok=True)
    company = LabPKI.create(workdir / "pki")  # the CA every service's certs come from, the attacker's too
    tier = LabPKI.create(workdir / "redis-tier-pki") if ca_per_role else company
    with network_up(same_ca_topology()) as net, contextlib.ExitStack() as stack:
        primary_host, replica_host = net.one(Role.PRIMARY), net.one(Role.REPLICA)
        attacker = net.one(Role.ATTACKER)
        primary = start_redis(net, primary_host, TargetSpec(
            kind="redis-server", plaintext=False, tls=True, tls_auth_clients="yes",
            requirepass=CLIENT_PASSWORD, users=(REPLICATION_USER,),
            extra=(("repl-diskless-sync-delay", "0"),)), workdir, stack, tier)
        cap = stack.enter_context(bridge_capture(net, primary.ports, workdir / "replication-same-ca.pcapng"))
        to_primary = client_spec(tier, primary_host.fqdn, CLIENT_PASSWORD)
        session(net, "client", to_primary, primary.address, primary.tls_port, [("SET", *BEFORE_SYNC)],
                cap.keylog)
        # The attacker's material: a genuine company-CA server cert for another service, and a company-CA
        # client cert for the upstream leg (the primary requires one).
        tls = prepare_attacker(AttackerCert.SAME_CA_OTHER_HOST, company, workdir / "attacker")
        upstream = company.ca.issue(OTHER_HOST_NAME, purpose="client").write_combined(
            workdir / "attacker" / "company-client.pem")
        tls = tls.__class__(tls.source, tls.confdir, (*tls.options, ("client_certs", str(upstream)),
                                                      (INJECT_OPTION, json.dumps(["SET", *FORGED]))),
                            tls.description)
        stack.enter_context(poison(net, attacker, replica_host, primary_host, workdir / "arp"))
        mitm = stack.enter_context(intercept(net, attacker, primary.address, [primary.tls_port], tls,
                                             workdir / "attacker", scripts=(INJECT_SCRIPT,)))
        link_cert = host_cert(tier, replica_host, purpose="client")
        replica = start_redis(net, replica_host, TargetSpec(
            kind="redis-server", plaintext=False, tls=True, tls_auth_clients="yes",
            requirepass=CLIENT_PASSWORD,
            extra=(("replicaof", f"{primary.address} {primary.tls_port}"), ("masteruser", MASTERUSER),
                   ("masterauth", MASTERAUTH), ("tls-replication", "yes"),
                   ("tls-client-cert-file", str(link_cert.cert)),
                   ("tls-client-key-file", str(link_cert.key)))),
            workdir, stack, tier)
        to_replica = client_spec(tier, replica_host.fqdn, CLIENT_PASSWORD)
        link_up = wait_for_value(net, "client", to_replica, replica.address, replica.tls_port, *BEFORE_SYNC,
                                 timeout=LINK_WAIT_S)
        # a client's write makes the primary speak; the attacker's forged command rides in front of it
        session(net, "client", to_primary, primary.address, primary.tls_port, [("SET", *AFTER_SYNC)])
        on_replica = link_up and wait_for_value(net, "client", to_replica, replica.address, replica.tls_port,
                                                *FORGED, timeout=LINK_WAIT_S)
        on_primary = session(net, "client", to_primary, primary.address, primary.tls_port,
                             [("GET", FORGED[0])]).replies == (FORGED[1],)
        credentials = learn(mitm.events()).credentials
        refusals = tuple(line for line in replica.target.log_text().splitlines()
                         if "certificate" in line.lower() or "SSL" in line)
        roles = net.roles
        stack.close()
    return SameCaResult(ca_per_role, link_up, credentials, on_replica, on_primary, refusals, roles,
                        cap.result)
