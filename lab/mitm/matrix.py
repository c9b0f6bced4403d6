"""The MITM matrix: client posture, library, tls-auth-clients, attacker certificate: who wins each cell.

The expected verdict of every cell is stated up front (`expected_verdict`, the lab's claims about TLS);
the observed one comes from a real attacker against real clients (`judge`). A cell is met when they agree.
One target per tls-auth-clients mode and one attacker per certificate source serve all their clients, so the
64 cells cost 8 mitmproxy starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lab.clients import ClientOutcome, ClientSpec, ErrorKind, Posture, run_session
from lab.clients.model import LIBRARIES, Library
from lab.mitm.certs import MATRIX_SOURCES, AttackerCert, prepare_attacker
from lab.mitm.outcome import MitmOutcome, Verdict, judge
from lab.mitm.runner import MitmProxy, MitmSpec, run_mitm
from lab.mitm.tamper import TamperRule
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target
from lab.targets.spec import TargetKind

AuthClients = Literal["no", "yes"]
Expected = Verdict | Literal["not-applicable"]

MATRIX_POSTURES: tuple[Posture, ...] = (
    Posture.TLS_NO_VERIFY, Posture.TLS_CHAIN_ONLY, Posture.TLS_FULL, Posture.TLS_PINNED,
)
MATRIX_AUTH: tuple[AuthClients, ...] = ("no", "yes")
PASSWORD = "matrix-s3cret"
SECRET_VALUE = "card=4111-1111-1111-1111"
FORGED_VALUE = "card=attacker-controlled"
COMMANDS: tuple[tuple[str, ...], ...] = (("SET", "payment", SECRET_VALUE), ("GET", "payment"))
TAMPER = (TamperRule("GET", FORGED_VALUE, key="payment"),)


def expected_verdict(library: Library, posture: Posture, auth: AuthClients,
                     attacker: AttackerCert) -> Expected:
    """The lab's claims, one rule each:
    - a client that checks the chain rejects every forged or foreign-CA cert; only a chain-only client
      (no hostname check: redis-cli's real behaviour) accepts a same-CA cert for another host;
    - full and pinned clients reject them all; a no-verify client accepts anything;
    - with tls-auth-clients yes the server refuses an attacker without a client cert of its CA; any cert of
      that CA with clientAuth passes (Redis 7.0 checks the chain only, no identity): the stolen one, or the
      attacker's own same-CA cert when it was issued for both purposes;
    - redis-cli cannot do tls-full or tls-pinned at all (the lab says so instead of pretending)."""
    if library == "redis-cli" and posture in (Posture.TLS_FULL, Posture.TLS_PINNED):
        return "not-applicable"
    same_ca = (AttackerCert.SAME_CA_OTHER_HOST, AttackerCert.SAME_CA_ANY_PURPOSE)
    accepts = posture is Posture.TLS_NO_VERIFY or (posture is Posture.TLS_CHAIN_ONLY and attacker in same_ca)
    if not accepts:
        return "blocked-at-client"
    if auth == "yes" and attacker not in (AttackerCert.STOLEN_CLIENT_CERT, AttackerCert.SAME_CA_ANY_PURPOSE):
        return "blocked-at-server"
    return "compromised"


@dataclass(frozen=True)
class MatrixCell:
    library: Library
    posture: Posture
    tls_auth_clients: AuthClients
    attacker: AttackerCert
    expected: Expected
    observed: Expected
    outcome: MitmOutcome | None  # None when not applicable
    client: ClientOutcome

    @property
    def met(self) -> bool:
        return self.expected == self.observed


@dataclass(frozen=True)
class MatrixResult:
    target: TargetKind
    cells: tuple[MatrixCell, ...]

    @property
    def unmet(self) -> tuple[MatrixCell, ...]:
        return tuple(c for c in self.cells if not c.met)

    def table(self) -> str:
        return table(self.cells)

def table(cells: Sequence[MatrixCell]) -> str:
    """Markdown: one row per client, one column per (auth, attacker); each cell says who wins."""
    columns = sorted({(c.tls_auth_clients, c.attacker.value) for c in cells})
    lines = ["| client | " + " | ".join(f"mTLS {a} / {s}" for a, s in columns) + " |",
             "|" + "---|" * (len(columns) + 1)]
    rows: dict[tuple[str, str], dict[tuple[str, str], MatrixCell]] = {}
    for c in cells:
        rows.setdefault((c.library, c.posture.value), {})[(c.tls_auth_clients, c.attacker.value)] = c
    for (library, posture), by_col in rows.items():
        words = ["" if col not in by_col else _word(by_col[col]) for col in columns]
        lines.append(f"| {library} {posture} | " + " | ".join(words) + " |")
    return "\n".join(lines)


_WORDS = {
    "compromised": "ATTACKER", "blocked-at-client": "client blocks", "blocked-at-server": "server blocks",
    "no-session": "no session", "not-applicable": "n/a",
}


def _word(cell: MatrixCell) -> str:
    word = _WORDS[cell.observed]
    if cell.outcome is not None and cell.observed != "compromised" and cell.outcome.learned.credentials:
        word += " (password leaked)"
    return word if cell.met else f"{word} — expected {_WORDS[cell.expected]}"


def _attack_clients(mitm: MitmProxy, server: RunningTarget, pki: LabPKI, source: AttackerCert,
                    auth: AuthClients, password: str, libraries: Sequence[Library],
                    postures: Sequence[Posture], client_timeout: float) -> list[MatrixCell]:
    """Every client of one (auth, attacker) group, one after another, against the same running attacker."""
    cells = []
    for library in libraries:
        for posture in postures:
            expected = expected_verdict(library, posture, auth, source)
            client_spec = ClientSpec.from_pki(pki, library, posture, client_cert=auth == "yes",
                                              password=password, timeout=client_timeout)
            mark, log_mark = mitm.mark(), len(server.log_text())
            client = run_session(client_spec, "127.0.0.1", mitm.port, COMMANDS)
            events = mitm.settle(mark)
            if client.error_class is ErrorKind.POSTURE_UNSUPPORTED:
                observed: Expected = "not-applicable"
                outcome = None
            else:
                outcome = judge(events, client, mitm.log_text(), server.log_text()[log_mark:].splitlines())
                observed = outcome.verdict
            cells.append(MatrixCell(library, posture, auth, source, expected, observed, outcome, client))
    return cells


def run_matrix_on(server: RunningTarget, auth: AuthClients, pki: LabPKI, workdir: Path, password: str,
                  libraries: Sequence[Library] = LIBRARIES, postures: Sequence[Posture] = MATRIX_POSTURES,
                  attackers: Sequence[AttackerCert] = MATRIX_SOURCES,
                  client_timeout: float = 3.0) -> list[MatrixCell]:
    """The cells of one running TLS target (its tls-auth-clients is `auth`): one attacker per cert source."""
    if server.tls_port is None:
        raise ValueError("the MITM matrix needs a target with a TLS port")
    cells: list[MatrixCell] = []
    for source in attackers:
        attacker = prepare_attacker(source, pki, workdir / f"attacker-mtls-{auth}")
        mitm_spec = MitmSpec(server.host, server.tls_port, attacker, tamper=TAMPER)
        with run_mitm(mitm_spec, workdir / f"attacker-mtls-{auth}") as mitm:
            cells += _attack_clients(mitm, server, pki, source, auth, password, libraries, postures,
                                     client_timeout)
    return cells


def run_matrix(workdir: Path, pki: LabPKI, target: TargetKind = "redis-server",
               auth_modes: Sequence[AuthClients] = MATRIX_AUTH, **kwargs: Any) -> MatrixResult:
    """The whole matrix: one target per tls-auth-clients mode (kwargs go to run_matrix_on)."""
    cells: list[MatrixCell] = []
    for auth in auth_modes:
        spec = TargetSpec(kind=target, plaintext=False, tls=True, tls_auth_clients=auth, requirepass=PASSWORD)
        with start_target(spec, workdir / f"target-{target}-mtls-{auth}", pki) as server:
            cells += run_matrix_on(server, auth, pki, workdir, PASSWORD, **kwargs)
    return MatrixResult(target, tuple(cells))
