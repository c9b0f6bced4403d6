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

from lab.attacks import scenario_steps as attack_steps
from lab.mitm import scenario_steps as mitm_steps
from lab.scenario.workloads import durability, fast_safe, sessions, tls_cost, tls_probe
from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class Workload:
    params: type
    run: Callable[[Any, Any], WorkloadResult]  # (Session, params)


# One line per workload.
WORKLOADS: Mapping[str, Workload] = MappingProxyType(
    {
        "ping": Workload(sessions.Ping, sessions.ping),
        "auth-and-hset": Workload(sessions.AuthAndHset, sessions.auth_and_hset),
        "set-ex-expiry": Workload(fast_safe.SetExExpiry, fast_safe.set_ex_expiry),
        "hset-object": Workload(fast_safe.HsetObject, fast_safe.hset_object),
        "sadd-unique": Workload(fast_safe.SaddUnique, fast_safe.sadd_unique),
        "secondary-index": Workload(fast_safe.SecondaryIndex, fast_safe.secondary_index),
        "watch-conflict": Workload(fast_safe.WatchConflict, fast_safe.watch_conflict),
        "kill9-trial": Workload(durability.Kill9Trial, durability.kill9_trial),
        "aof-replay": Workload(durability.AofReplay, durability.aof_replay),
        "tls-internals": Workload(tls_probe.TlsInternals, tls_probe.tls_internals),
        "session-resumption": Workload(tls_probe.SessionResumption, tls_probe.session_resumption),
        "tls-cost": Workload(tls_cost.TlsCost, tls_cost.tls_cost),
        "mitm-matrix": Workload(mitm_steps.MitmMatrix, mitm_steps.mitm_matrix),
        "secret-read-back": Workload(mitm_steps.SecretReadBack, mitm_steps.secret_read_back),
        "tcp-injection": Workload(attack_steps.TcpInjection, attack_steps.tcp_injection),
        "rst-injection": Workload(attack_steps.RstInjection, attack_steps.rst_injection),
        "traffic-analysis": Workload(attack_steps.TrafficAnalysis, attack_steps.traffic_analysis),
    }
)

__all__ = ["WORKLOADS", "Workload", "WorkloadResult"]
