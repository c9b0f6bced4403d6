"""arp-mitm: an attacker that earns its position. It poisons the client's and the server's ARP caches, routes
their traffic, and intercepts Redis with mitmproxy in transparent mode. The client dials the server's real
address and checks its real name; nobody tells it about the attacker.

The lab/mitm matrix (client posture, attacker certificate, tls-auth-clients, the expected verdicts, the
outcome judged from the attacker's journal and the client's result) runs through that position. The switch
capture keeps the ARP evidence an IDS alerts on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.analysis import analyze
from lab.capture import CaptureResult
from lab.clients import ClientOutcome, Posture
from lab.clients.model import LIBRARIES, Library
from lab.mitm.certs import MATRIX_SOURCES, AttackerCert, prepare_attacker
from lab.mitm.matrix import (
    COMMANDS,
    MATRIX_AUTH,
    MATRIX_POSTURES,
    PASSWORD,
    TAMPER,
    AuthClients,
    MatrixCell,
    expected_verdict,
)
from lab.mitm.outcome import judge
from lab.netlab.arp import ArpEvidence, arp_evidence, neighbour_mac, poison
from lab.netlab.capture import bridge_capture
from lab.netlab.namespaces import network_up
from lab.netlab.roles import NamedStream, RoleMap, name_streams, stream_macs
from lab.netlab.servers import HostServer, start_redis
from lab.netlab.sessions import client_spec, session
from lab.netlab.topology import Role, Topology, topology
from lab.netlab.transparent import intercept
from lab.pki import LabPKI
from lab.targets import TargetSpec


def arp_topology() -> Topology:
    return topology(("client", Role.CLIENT), ("server", Role.SERVER), ("attacker", Role.ATTACKER))


@dataclass(frozen=True)
class ArpMitmResult:
    cells: tuple[MatrixCell, ...]
    baseline: ClientOutcome  # a session before the attack: the direct path works
    poisoned: bool  # the client's cache held the attacker's MAC for the server's address during the matrix
    restored: bool  # and the server's true MAC again afterwards
    arp: ArpEvidence
    streams: tuple[NamedStream, ...]  # by who really sent and received (Ethernet), e.g. client→attacker
    roles: RoleMap
    capture: CaptureResult

    @property
    def unmet(self) -> tuple[MatrixCell, ...]:
        return tuple(c for c in self.cells if not c.met)


def run_arp_mitm(workdir: Path, attackers: Sequence[AttackerCert] = MATRIX_SOURCES,
                 auth_modes: Sequence[AuthClients] = MATRIX_AUTH, libraries: Sequence[Library] = LIBRARIES,
                 postures: Sequence[Posture] = MATRIX_POSTURES, client_timeout: float = 3.0) -> ArpMitmResult:
    workdir.mkdir(parents=True, exist_ok=True)
    pki = LabPKI.create(workdir / "pki")
    cells: list[MatrixCell] = []
    with network_up(arp_topology()) as net, contextlib.ExitStack() as stack:
        client, server_host, attacker = net.one(Role.CLIENT), net.one(Role.SERVER), net.one(Role.ATTACKER)
        servers: dict[AuthClients, HostServer] = {}
        for auth in auth_modes:  # one redis-server per tls-auth-clients mode, side by side on the server host
            spec = TargetSpec(kind="redis-server", plaintext=False, tls=True, tls_auth_clients=auth,
                              requirepass=PASSWORD)
            servers[auth] = start_redis(net, server_host, spec, workdir / f"mtls-{auth}", stack, pki)
        ports = [s.tls_port for s in servers.values()]
        cap = stack.enter_context(bridge_capture(net, ports, workdir / "arp-mitm.pcapng"))
        first = servers[auth_modes[0]]
        baseline = session(net, client.name, client_spec(pki, server_host.fqdn, PASSWORD, client_cert=True),
                           server_host.address, first.tls_port, [("PING",)], cap.keylog)
        with poison(net, attacker, client, server_host, workdir / "arp"):
            poisoned = neighbour_mac(net, client, server_host.address) == attacker.mac
            for source in attackers:
                tls = prepare_attacker(source, pki, workdir / "attacker")
                with intercept(net, attacker, server_host.address, ports, tls, workdir / "attacker",
                               TAMPER) as mitm:
                    for auth, server in servers.items():
                        for library in libraries:
                            for posture in postures:
                                victim = client_spec(pki, server_host.fqdn, PASSWORD, posture, library,
                                                     client_cert=auth == "yes", timeout=client_timeout)
                                mark, log_mark = mitm.mark(), len(server.target.log_text())
                                out = session(net, client.name, victim, server_host.address, server.tls_port,
                                              COMMANDS, cap.keylog)
                                events = mitm.settle(mark)
                                expected = expected_verdict(library, posture, auth, source)
                                if expected == "not-applicable":
                                    cells.append(MatrixCell(library, posture, auth, source, expected,
                                                            "not-applicable", None, out))
                                    continue
                                outcome = judge(events, out, mitm.log_text(),
                                                server.target.log_text()[log_mark:].splitlines())
                                cells.append(MatrixCell(library, posture, auth, source, expected,
                                                        outcome.verdict, outcome, out))
        restored = neighbour_mac(net, client, server_host.address) == server_host.mac
        roles = net.roles
        stack.close()
    result = cap.result
    report = analyze(result.path, result.keylog, ports=ports)
    streams = name_streams(report.streams, roles, stream_macs(result.path))
    return ArpMitmResult(tuple(cells), baseline, poisoned, restored, arp_evidence(result.path, roles),
                         streams, roles, result)
