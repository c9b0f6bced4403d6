"""The MITM attacker and the MITM matrix as scenario steps (registered in lab.scenario by one line each).

`[attacker] name = "mitm"` puts mitmproxy between the scenario's TLS clients and the server; its
observations (under `attacker.`) say what it read, forged and was refused. `[workload] name = "mitm-matrix"`
runs every client posture against every attacker certificate on the case's target.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lab.mitm.certs import MATRIX_SOURCES, AttackerCert, prepare_attacker
from lab.mitm.journal import Event
from lab.mitm.matrix import MatrixCell, run_matrix_on, table
from lab.mitm.runner import MitmProxy, MitmSpec, run_mitm
from lab.mitm.spy import learn
from lab.mitm.tamper import TamperRule

if TYPE_CHECKING:
    from lab.scenario.evidence import Json
    from lab.scenario.lifecycle.session import Session
    from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class MitmAttacker:
    """cert: an AttackerCert value (mitm-ca, rogue-ca, same-ca-other-host, stolen-client-cert, expired,
    self-signed). forge_get / forge_value: the reply to GET <forge_get> becomes forge_value ("": none)."""

    cert: AttackerCert = AttackerCert.MITM_CA
    forge_get: str = ""
    forge_value: str = "forged-by-attacker"


class _ScenarioMitm:
    def __init__(self, mitm: MitmProxy, upstream_port: int) -> None:
        self._mitm = mitm
        self._upstream = upstream_port

    @property
    def ports(self) -> tuple[int, ...]:
        return (self._mitm.port,)

    def endpoint(self, dial: Literal["plaintext", "tls"]) -> tuple[str, int] | None:
        return ("127.0.0.1", self._mitm.port) if dial == "tls" else None

    def observations(self) -> Mapping[str, Json]:
        return summarize(self._mitm.events())


MITM_OBSERVES = ("passwords", "keys", "values", "commands_read", "replies_read", "tampered",
                 "client_tls_refusals", "blocked_upstream", "noticed")


def summarize(events: tuple[Event, ...]) -> dict[str, Json]:
    """What the attacker can tell a trainer: what it read, what it forged, where it was turned away."""
    learned = learn(events)
    return {
        "passwords": [c.password for c in learned.credentials],
        "keys": list(learned.keys),
        "values": [f"{k}={v}" for k, v in learned.values],
        "commands_read": learned.commands,
        "replies_read": learned.replies,
        "tampered": sum(1 for e in events if e["kind"] == "tamper.applied"),
        "client_tls_refusals": sum(1 for e in events if e["kind"] == "tls_client_failed"),
        "blocked_upstream": sum(1 for e in events if e["kind"] == "blocked_upstream"),
        "noticed": [e["error"] for e in events if e["kind"] in ("tls_client_failed", "blocked_upstream")],
    }


@contextmanager
def start_mitm(session: Session, params: MitmAttacker) -> Iterator[_ScenarioMitm]:
    pki = session.prepared.pki
    if pki is None:
        raise RuntimeError("the mitm attacker needs the case's lab PKI (a TLS target)")
    upstream = session.server_port("tls")
    workdir = session.prepared.workdir / "attacker"
    rules = (TamperRule("GET", params.forge_value, key=params.forge_get),) if params.forge_get else ()
    spec = MitmSpec("127.0.0.1", upstream, prepare_attacker(params.cert, pki, workdir),
                    tamper=rules)
    with run_mitm(spec, workdir) as mitm:
        yield _ScenarioMitm(mitm, upstream)


@dataclass(frozen=True)
class MitmMatrix:
    """Run the matrix on this case's target: every library x posture against each attacker cert source."""

    attackers: tuple[AttackerCert, ...] = tuple(MATRIX_SOURCES)
    client_timeout: float = 3.0


def _cell_id(cell: MatrixCell) -> str:
    # no dots: expectation keys are dotted paths
    return f"{cell.library}:{cell.posture.value}:{cell.attacker.value}"


def mitm_matrix(session: Session, params: MitmMatrix) -> WorkloadResult:
    from lab.scenario.workloads.result import WorkloadResult

    pki, target = session.prepared.pki, session.target
    if pki is None or target is None:
        raise RuntimeError("the mitm-matrix workload needs a running TLS target with the lab PKI")
    auth = session.case.target.tls_auth_clients
    if auth == "optional":
        raise RuntimeError("the mitm-matrix covers tls-auth-clients no and yes; set one of them")
    cells = run_matrix_on(target, auth, pki, session.prepared.workdir / "matrix",
                          session.case.target.requirepass or "",
                          attackers=list(params.attackers),
                          client_timeout=params.client_timeout)
    observations: dict[str, Json] = {
        "cells": {_cell_id(c): c.observed for c in cells},
        "expected": {_cell_id(c): c.expected for c in cells},
        "unmet": [_cell_id(c) for c in cells if not c.met],
        "unmet_count": sum(1 for c in cells if not c.met),
        "compromised": sum(1 for c in cells if c.observed == "compromised"),
        "password_leaked_though_blocked": sum(1 for c in cells if c.observed == "blocked-at-server"
                                              and c.outcome and c.outcome.learned.credentials),
        # cells whose client sent its password through the attacker, whoever blocked the session after
        "leaked": [_cell_id(c) for c in cells if c.outcome and c.outcome.learned.credentials],
        "table": table(cells),
    }
    return WorkloadResult((), observations, ())


@dataclass(frozen=True)
class SecretReadBack:
    """Each declared client stores a secret value and reads it back (what a MITM reads and forges)."""

    key: str = "payment"
    value: str = "card=4111-1111-1111-1111"


def secret_read_back(session: Session, p: SecretReadBack) -> WorkloadResult:
    from lab.scenario.evidence import Secret
    from lab.scenario.workloads.dial import run_client
    from lab.scenario.workloads.result import WorkloadResult

    commands = [["SET", p.key, p.value], ["GET", p.key]]
    clients = tuple(run_client(session, c, commands) for c in session.case.clients)
    read_back: dict[str, Json] = {c.name: (c.replies[1] if len(c.replies) > 1 else None) for c in clients}
    password = session.case.target.requirepass
    secrets = (Secret("value", p.value), *((Secret("password", password),) if password else ()))
    return WorkloadResult(clients, {"read_back": read_back, "connected": sum(c.connected for c in clients)},
                          secrets)
