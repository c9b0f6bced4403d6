"""Workloads: what the clients do during `act`, by name. A scenario file says `[workload] name = "..."`.

Each workload is a parameter dataclass (its TOML keys) and one function `(session, params) -> WorkloadResult`,
registered with one line in `WORKLOADS`. Clients go through lab.clients with the posture the scenario
declares; what a workload measures comes back as observations, and the values a passive observer must
not read come back as secrets (traced in the capture and on disk by `verify`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lab.scenario.workloads import attacks as attack_steps
from lab.scenario.workloads import commands, durability, netlab, sessions, tls_cost, tls_probe
from lab.scenario.workloads import mitm as mitm_steps
from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class Workload:
    params: type
    run: Callable[[Any, Any], WorkloadResult]  # (Session, params)
    # The top-level observation fields it reports: `observation` expectations may name only these (checked
    # at load time), and a workload that reports any other field is an error of the run (checked in act).
    observes: tuple[str, ...]


# One line per workload.
WORKLOADS: Mapping[str, Workload] = MappingProxyType(
    {
        # its fields are the file's own bind / peer-cert names (Commands.observes)
        "commands": Workload(commands.Commands, commands.commands, ()),
        "ping": Workload(sessions.Ping, sessions.ping,
            ("connected", "refused")),
        "auth-and-hset": Workload(sessions.AuthAndHset, sessions.auth_and_hset,
            ("connected", "stored_by")),
        "kill9-trial": Workload(durability.Kill9Trial, durability.kill9_trial,
            ("appendfsync", "acked", "persisted", "lost", "applied_but_unacked",
             "writer_errors")),
        "aof-replay": Workload(durability.AofReplay, durability.aof_replay,
            ("keys_before", "keys_after", "mismatched_keys", "mismatches", "keys_with_ttl",
             "state_before", "state_after")),
        "tls-internals": Workload(tls_probe.TlsInternals, tls_probe.tls_internals,
            ("server_program", "server_tls_libraries", "server_tls_library_version", "negotiated",
             "redis_py")),
        "session-resumption": Workload(tls_probe.SessionResumption, tls_probe.session_resumption,
            ("connections", "tls_version", "offered_session", "caching", "full", "resumed",
             "full_handshake_ms_median", "resumed_handshake_ms_median")),
        "tls-cost": Workload(tls_cost.TlsCost, tls_cost.tls_cost,
            ("plaintext_connect_us_median", "plaintext_round_trip_us_median", "tls_connect_us_median",
             "tls_round_trip_us_median", "connect_ratio", "round_trip_ratio", "connections", "round_trips")),
        "mitm-matrix": Workload(mitm_steps.MitmMatrix, mitm_steps.mitm_matrix,
            ("cells", "expected", "unmet", "unmet_count", "compromised",
             "password_leaked_though_blocked", "leaked", "table")),
        "secret-read-back": Workload(mitm_steps.SecretReadBack, mitm_steps.secret_read_back,
            ("read_back", "connected")),
        "tcp-injection": Workload(attack_steps.TcpInjection, attack_steps.tcp_injection,
            ("plaintext", "tls")),
        "rst-injection": Workload(attack_steps.RstInjection, attack_steps.rst_injection,
            ("plaintext", "tls", "in_window_guess", "blind_guess")),
        "traffic-analysis": Workload(attack_steps.TrafficAnalysis, attack_steps.traffic_analysis,
            ("tls_version", "values", "exact", "correlation", "figure", "true_sizes",
             "recovered_sizes")),
        "netlab-replication": Workload(netlab.Toggle, netlab.replication,
            ("tls_replication", "replicated", "link_readable", "auth_read", "snapshot_read", "writes_read",
             "link_transport", "plaintext_streams", "streams", "figure", "pcap")),
        "netlab-same-ca": Workload(netlab.Toggle, netlab.same_ca,
            ("ca_per_role", "link_up", "attacker_wins", "credentials_read", "forged_on_replica",
             "forged_on_primary", "replica_refusals", "figure", "pcap")),
        "netlab-cluster-bus": Workload(netlab.Toggle, netlab.cluster_bus,
            ("tls_cluster", "cluster_ok", "bus_readable", "bus_messages", "node_ids_read", "slot_owners_read",
             "message_types", "links", "figure", "pcap")),
        "netlab-terminating-proxy": Workload(netlab.Toggle, netlab.terminating_proxy,
            ("reencrypt", "client_connected", "front_readable", "back_readable", "back_auth_read",
             "back_commands_read", "back_exposed_frames", "haproxy_backend", "front_streams", "back_streams",
             "figure", "pcap")),
        "netlab-arp-mitm": Workload(netlab.ArpMitm, netlab.arp_mitm,
            ("cells", "unmet_count", "verdicts", "compromised", "matrix", "baseline_connected", "poisoned",
             "restored", "forged_arp_replies", "duplicate_addresses", "streams", "figure", "pcap")),
    }
)

__all__ = ["WORKLOADS", "Workload", "WorkloadResult"]
