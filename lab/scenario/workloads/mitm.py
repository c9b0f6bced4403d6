"""The MITM matrix and the read-back workload (lab.mitm) as scenario workloads, registered in
lab.scenario.workloads. `[workload] name = "mitm-matrix"` runs every client posture against every
attacker certificate on the case's target.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.mitm.certs import MATRIX_SOURCES, AttackerCert
from lab.mitm.matrix import MatrixCell, run_matrix_on, table
from lab.scenario.evidence import Json, Secret
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.dial import run_client
from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class MitmMatrix:
    """Run the matrix on this case's target: every library x posture against each attacker cert source."""

    attackers: tuple[AttackerCert, ...] = tuple(MATRIX_SOURCES)
    client_timeout: float = 3.0


def _cell_id(cell: MatrixCell) -> str:
    # no dots: expectation keys are dotted paths
    return f"{cell.library}:{cell.posture.value}:{cell.attacker.value}"


def mitm_matrix(session: Session, params: MitmMatrix) -> WorkloadResult:
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
    commands = [["SET", p.key, p.value], ["GET", p.key]]
    clients = tuple(run_client(session, c, commands) for c in session.case.clients)
    read_back: dict[str, Json] = {c.name: (c.replies[1] if len(c.replies) > 1 else None) for c in clients}
    password = session.case.target.requirepass
    secrets = (Secret("value", p.value), *((Secret("password", password),) if password else ()))
    return WorkloadResult(clients, {"read_back": read_back, "connected": sum(c.connected for c in clients)},
                          secrets)
