"""The cluster bus: three redis-server primaries on three hosts, clients over TLS, the bus with or without it.

With `tls-cluster no` the switch reads every bus message: node ids, who owns which slots, the gossip about
the other nodes (and, in a failover, the votes). Without bus TLS nothing authenticates the bus either: any
host that reaches the bus port can MEET the cluster and join it (Redis 8.10 warns about exactly this with
`cluster-bus-port-protected-mode`). With `tls-cluster yes` (and certificates) the same observer decodes
nothing. Real redis-server only.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from lab.capture import CaptureResult
from lab.netlab.capture import bridge_capture
from lab.netlab.clusterbus import BusMessage, read_bus
from lab.netlab.namespaces import Network, network_up
from lab.netlab.roles import RoleMap
from lab.netlab.servers import HostServer, host_cert, start_redis
from lab.netlab.sessions import client_spec, session
from lab.netlab.topology import Role, Topology, topology
from lab.pki import LabPKI
from lab.targets import TargetSpec

BUS_PORT = 16379  # fixed: each node has its own namespace (a TLS port above 55535 leaves no room for +10000)
PASSWORD = "cluster-client-s3cret"
READY_TIMEOUT_S = 20.0
# Three primaries, the 16384 slots split as redis-cli --cluster create would.
SLOT_RANGES = ((0, 5460), (5461, 10922), (10923, 16383))


def cluster_topology() -> Topology:
    return topology(("client", Role.CLIENT), ("node1", Role.NODE), ("node2", Role.NODE), ("node3", Role.NODE))


@dataclass(frozen=True)
class BusEvidence:
    messages: tuple[BusMessage, ...]  # every bus message decoded from the switch capture
    node_ids: tuple[str, ...]  # node ids read on the wire
    slot_owners: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]  # node id → its slot ranges, as read
    labels: tuple[tuple[str, str], ...]  # (message's "src→dst" by host, type) — who told whom what

    @property
    def readable(self) -> bool:
        return bool(self.messages)


@dataclass(frozen=True)
class ClusterResult:
    tls_cluster: bool
    node_ids: tuple[tuple[str, str], ...]  # (host, node id) from CLUSTER MYID over TLS
    cluster_ok: bool  # CLUSTER INFO said cluster_state:ok on every node: the bus worked
    roles: RoleMap
    bus: BusEvidence
    config: tuple[tuple[str, str], ...]  # the cluster lines every node ran with
    capture: CaptureResult


def node_config(tls_cluster: bool, client_cert: Path, client_key: Path) -> tuple[tuple[str, str], ...]:
    lines: tuple[tuple[str, str], ...] = (
        ("cluster-enabled", "yes"), ("cluster-config-file", "nodes.conf"), ("cluster-port", str(BUS_PORT)),
        ("cluster-node-timeout", "3000"), ("tls-cluster", "yes" if tls_cluster else "no"))
    if tls_cluster:  # a bus peer is a TLS client too: a cert made for that (clientAuth)
        lines += (("tls-client-cert-file", str(client_cert)), ("tls-client-key-file", str(client_key)))
    return lines


def evidence_of(messages: tuple[BusMessage, ...], roles: RoleMap) -> BusEvidence:
    ids = tuple(dict.fromkeys(m.sender for m in messages if m.sender))
    owners = {m.sender: m.slots for m in messages if m.slots}
    labels = tuple((roles.arrow(m.src.split(":")[0], m.dst.split(":")[0]), m.type_name) for m in messages)
    return BusEvidence(messages, ids, tuple(owners.items()), labels)


def _cluster_ok(net: Network, nodes: list[HostServer], pki: LabPKI) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        states = []
        for node in nodes:
            spec = client_spec(pki, node.host.fqdn, PASSWORD)
            out = session(net, "client", spec, node.address, node.tls_port, [("CLUSTER", "INFO")])
            states.append(bool(out.replies) and "cluster_state:ok" in str(out.replies[0]))
        if all(states):
            return True
        time.sleep(0.2)
    return False


def run_cluster(workdir: Path, tls_cluster: bool) -> ClusterResult:
    workdir.mkdir(parents=True, exist_ok=True)
    pki = LabPKI.create(workdir / "pki")
    with network_up(cluster_topology()) as net, contextlib.ExitStack() as stack:
        cap = stack.enter_context(bridge_capture(net, (BUS_PORT,), workdir / "cluster.pcapng", arp=False))
        nodes = []
        for host in net.with_role(Role.NODE):
            cert = host_cert(pki, host, purpose="client")
            spec = TargetSpec(kind="redis-server", plaintext=False, tls=True, tls_auth_clients="yes",
                              requirepass=PASSWORD, extra=node_config(tls_cluster, cert.cert, cert.key))
            nodes.append(start_redis(net, host, spec, workdir, stack, pki))
        ids = []
        for node, (low, high) in zip(nodes, SLOT_RANGES, strict=True):
            to_node = client_spec(pki, node.host.fqdn, PASSWORD)
            commands: list[tuple[str, ...]] = [("CLUSTER", "ADDSLOTSRANGE", str(low), str(high)),
                                               ("CLUSTER", "MYID")]
            if node is nodes[0]:
                commands += [("CLUSTER", "MEET", n.address, str(n.tls_port), str(BUS_PORT))
                             for n in nodes[1:]]
            out = session(net, "client", to_node, node.address, node.tls_port, commands)
            ids.append((node.host.name, str(out.replies[1]) if len(out.replies) > 1 else ""))
        ok = _cluster_ok(net, nodes, pki)
        roles = net.roles
        stack.close()
    result = cap.result
    config = node_config(tls_cluster, Path("<client.crt>"), Path("<client.key>"))
    bus = evidence_of(read_bus(result.path, (BUS_PORT,)), roles)
    return ClusterResult(tls_cluster, tuple(ids), ok, roles, bus, config, result)
