"""The network-lab mechanics (lab.netlab) as scenario workloads: each builds its own hosts in namespaces.

Every workload takes `fix`: false runs the exposed set-up (the attack), true the remediation, so a scenario's
`[remediation.fix]` is one override (`workload = { fix = true }`) and its expectations judge the same fields.
They need root and redis-server; without either the case errors with the reason (never a silent pass).
Observations are small summaries of the typed netlab results; streams are named by host role.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lab.clients import Posture
from lab.clients.model import Library
from lab.mitm.certs import AttackerCert
from lab.mitm.matrix import AuthClients
from lab.netlab.arpmitm import arp_topology, run_arp_mitm
from lab.netlab.cluster import cluster_topology, run_cluster
from lab.netlab.figure import draw_topology
from lab.netlab.namespaces import can_build
from lab.netlab.proxy import proxy_topology, run_proxy
from lab.netlab.replication import replication_topology, run_replication
from lab.netlab.roles import NamedStream
from lab.netlab.samecas import run_same_ca, same_ca_topology
from lab.netlab.topology import Topology
from lab.scenario.evidence import Json
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.result import WorkloadResult

TOOLS = ("redis-server", "dumpcap")


def unavailable(extra_tools: tuple[str, ...] = ()) -> str | None:
    """Why this host cannot run a netlab workload, or None."""
    reason = can_build()
    if reason is not None:
        return reason
    missing = [t for t in (*TOOLS, *extra_tools) if shutil.which(t) is None]
    return f"missing tools: {', '.join(missing)} (apt-get install them, as `make setup` does as root)" \
        if missing else None


def _prepare(session: Session, topo: Topology, extra_tools: tuple[str, ...] = ()) -> tuple[Path, str]:
    reason = unavailable(extra_tools)
    if reason is not None:
        raise RuntimeError(f"netlab scenario cannot run here: {reason}")
    workdir = session.prepared.workdir / "netlab"
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir, str(draw_topology(topo, workdir / "network.png"))


def _streams(streams: tuple[NamedStream, ...]) -> list[Json]:
    return [{"label": s.label, "client": s.client, "server": s.server, "transport": s.transport}
            for s in streams]


def _labels(streams: tuple[NamedStream, ...], transport: str) -> list[Json]:
    return [label for label in sorted({s.label for s in streams if s.transport == transport})]


@dataclass(frozen=True)
class Toggle:
    """The parameters of the four mechanics whose only choice is attack or fix."""

    fix: bool = False  # true: the scenario's remediation applied


def replication(session: Session, p: Toggle) -> WorkloadResult:
    """Primary and replica on two hosts, clients over TLS; fix: `tls-replication yes` with certs."""
    workdir, figure = _prepare(session, replication_topology())
    r = run_replication(workdir, tls_replication=p.fix)
    ev = r.evidence
    return WorkloadResult((), {
        "tls_replication": r.config.tls_replication, "replicated": r.replicated,
        "link_readable": ev.readable, "auth_read": len(ev.auth), "snapshot_read": len(ev.snapshot),
        "writes_read": len(ev.replicated_writes),
        "link_transport": ev.link.transport if ev.link else None,
        "plaintext_streams": _labels(r.streams, "plaintext"), "streams": _streams(r.streams),
        "figure": figure, "pcap": str(r.capture.path)})


def same_ca(session: Session, p: Toggle) -> WorkloadResult:
    """`tls-replication yes`, a same-CA attacker between replica and primary; fix: a CA per role."""
    workdir, figure = _prepare(session, same_ca_topology(), ("nft",))
    r = run_same_ca(workdir, ca_per_role=p.fix)
    return WorkloadResult((), {
        "ca_per_role": r.ca_per_role, "link_up": r.link_up, "attacker_wins": r.attacker_wins,
        "credentials_read": [f"{c.command} {c.username}" for c in r.credentials],
        "forged_on_replica": r.forged_on_replica, "forged_on_primary": r.forged_on_primary,
        "replica_refusals": len(r.replica_refusals), "figure": figure, "pcap": str(r.capture.path)})


def cluster_bus(session: Session, p: Toggle) -> WorkloadResult:
    """Three primaries on three hosts, client TLS on, `tls-cluster no`; fix: `tls-cluster yes`."""
    workdir, figure = _prepare(session, cluster_topology())
    r = run_cluster(workdir, tls_cluster=p.fix)
    return WorkloadResult((), {
        "tls_cluster": r.tls_cluster, "cluster_ok": r.cluster_ok, "bus_readable": r.bus.readable,
        "bus_messages": len(r.bus.messages), "node_ids_read": len(r.bus.node_ids),
        "slot_owners_read": len(r.bus.slot_owners),
        "message_types": dict(Counter(t for _, t in r.bus.labels)),
        "links": sorted({label for label, _ in r.bus.labels}), "figure": figure, "pcap": str(r.capture.path)})


def terminating_proxy(session: Session, p: Toggle) -> WorkloadResult:
    """haproxy terminates TLS in front of Redis on another host; fix: re-encrypt to Redis."""
    workdir, figure = _prepare(session, proxy_topology(), ("haproxy",))
    r = run_proxy(workdir, reencrypt=p.fix)
    return WorkloadResult((), {
        "reencrypt": r.reencrypt, "client_connected": r.client.connected,
        "front_readable": r.front.readable, "back_readable": r.back.readable,
        "back_auth_read": len(r.back.auth), "back_commands_read": len(r.back.commands),
        "back_exposed_frames": len(r.back.exposed_frames), "haproxy_backend": r.haproxy_backend,
        "front_streams": _streams(r.front.streams), "back_streams": _streams(r.back.streams),
        "figure": figure, "pcap": str(r.capture.path)})


@dataclass(frozen=True)
class ArpMitm:
    """The posture x certificate matrix through an ARP-poisoned network with a transparent mitmproxy."""

    postures: tuple[Posture, ...] = (Posture.TLS_NO_VERIFY, Posture.TLS_CHAIN_ONLY)
    attackers: tuple[AttackerCert, ...] = (AttackerCert.MITM_CA, AttackerCert.SAME_CA_OTHER_HOST)
    tls_auth_clients: tuple[AuthClients, ...] = ("no",)
    libraries: tuple[Library, ...] = ("redis-py",)
    fix: bool = False  # true: only verifying postures (full, pinned), the same attackers


def arp_mitm(session: Session, p: ArpMitm) -> WorkloadResult:
    workdir, figure = _prepare(session, arp_topology(), ("nft",))
    postures = (Posture.TLS_FULL, Posture.TLS_PINNED) if p.fix else p.postures
    r = run_arp_mitm(workdir, attackers=p.attackers, auth_modes=p.tls_auth_clients, libraries=p.libraries,
                     postures=postures)
    verdicts = Counter(str(c.observed) for c in r.cells)
    return WorkloadResult((), {
        "cells": len(r.cells), "unmet_count": len(r.unmet), "verdicts": dict(verdicts),
        "compromised": verdicts.get("compromised", 0),
        "matrix": [{"library": c.library, "posture": str(c.posture), "tls_auth_clients": c.tls_auth_clients,
                   "attacker": c.attacker.value, "expected": str(c.expected), "observed": str(c.observed)}
                  for c in r.cells],
        "baseline_connected": r.baseline.connected, "poisoned": r.poisoned, "restored": r.restored,
        "forged_arp_replies": len(r.arp.forged), "duplicate_addresses": len(r.arp.duplicates),
        "streams": _streams(r.streams), "figure": figure, "pcap": str(r.capture.path)})
