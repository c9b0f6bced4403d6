"""The MITM matrix as a grid: one row per client (library, posture), one column per (case, attacker cert).

Read from the observations the mitm-matrix workload records per case: `cells` (observed) and `expected`,
both keyed "library:posture:attacker-cert". Each cell says who wins, coloured by outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lab.report.views import config_lines

JsonDict = dict[str, Any]

WORDS = {
    "compromised": "attacker wins",
    "blocked-at-client": "client blocks",
    "blocked-at-server": "server blocks",
    "leaked": "attacker got the password",
    "no-session": "no session",
    "not-applicable": "n/a",
}
LEGEND = (
    ("compromised", "the attacker read the password and the client accepted a forged reply"),
    ("blocked-at-client", "the client refused the attacker's certificate before sending anything"),
    ("leaked", "the client sent its password through the attacker; the server then refused the attacker's "
               "session (no valid client certificate under mTLS), but the password is the attacker's"),
    ("blocked-at-server", "the server refused the attacker and the client gave it nothing"),
    ("not-applicable", "redis-cli cannot check the hostname or a pin: the posture does not exist there"),
    ("no-session", "neither side got a session through (a broken cell)"),
)
# Shown under the grid when both same-CA columns are in it: why they differ under mTLS.
SAME_CA_WHY = (
    "The two same-CA columns differ only in the certificate's extended key usage. Redis 7.0 (and the "
    "bundled server) accept any client certificate that chains to tls-ca-cert-file: no check of its name "
    "or identity. "
    "A same-CA certificate issued for servers only (serverAuth) is not a client certificate, so the attacker "
    "has none to present and mTLS refuses it; one issued for both ends (serverAuth + clientAuth, common in "
    "internal PKIs) opens mTLS like the victim's own. mTLS protects only as far as every clientAuth "
    "certificate of that CA is trusted."
)


@dataclass(frozen=True)
class Cell:
    observed: str
    expected: str
    leaked: bool  # the attacker holds the client's password (the JSON's `leaked` list)

    @property
    def met(self) -> bool:
        return self.observed == self.expected

    @property
    def attacker_wins(self) -> bool:
        return self.observed == "compromised" or self.leaked

    @property
    def shown(self) -> str:
        """The colour class: a leaked password is the attacker winning, whatever blocked the session later."""
        return "leaked" if self.leaked and self.observed != "compromised" else self.observed

    @property
    def word(self) -> str:
        return WORDS.get(self.shown, self.shown)


@dataclass(frozen=True)
class Group:
    case: str
    label: str  # "tls-auth-clients yes" when the case's redis.conf says so, else the case name
    attackers: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    library: str
    posture: str
    cells: tuple[Cell | None, ...]  # in column order
    library_span: int  # rows the library's name spans (0: covered by the row above)


@dataclass(frozen=True)
class Grid:
    groups: tuple[Group, ...]
    rows: tuple[Row, ...]
    cells: int
    unmet: int
    compromised: int  # the attacker read and forged (observed "compromised")
    leaked_though_blocked: int  # the attacker holds the password though the server blocked the session
    attacker_wins: int  # compromised + leaked: every cell where the attacker got the password

    @property
    def attackers(self) -> tuple[str, ...]:
        return tuple(a for g in self.groups for a in g.attackers)


def _label(case: JsonDict) -> str:
    for line in config_lines(case.get("workdir")):
        if line.startswith("tls-auth-clients "):
            return line
    return f"case {case['name']}"


def _split(cell_id: str) -> tuple[str, str, str] | None:
    parts = cell_id.split(":")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def grid(scenario: JsonDict) -> Grid | None:
    """None when the scenario recorded no matrix (any scenario whose cases carry `cells` has one)."""
    groups: list[Group] = []
    found: dict[tuple[str, str], dict[tuple[str, str], Cell]] = {}
    for case in scenario.get("cases", ()):
        obs = case.get("observations") or {}
        observed, expected = obs.get("cells"), obs.get("expected") or {}
        leaked_ids = set(obs.get("leaked") or ())
        if not isinstance(observed, dict):
            continue
        attackers: list[str] = []
        for cell_id, verdict in observed.items():
            parts = _split(cell_id)
            if parts is None:
                continue
            library, posture, attacker = parts
            if attacker not in attackers:
                attackers.append(attacker)
            exp = str(expected.get(cell_id, verdict))
            found.setdefault((library, posture), {})[(case["name"], attacker)] = Cell(
                str(verdict), exp, cell_id in leaked_ids
            )
        groups.append(Group(case["name"], _label(case), tuple(attackers)))
    if not groups:
        return None
    columns = [(g.case, a) for g in groups for a in g.attackers]
    libraries = [lib for lib, _ in found]
    rows = tuple(
        Row(lib, pos, tuple(by.get(col) for col in columns),
            libraries.count(lib) if i == libraries.index(lib) else 0)
        for i, ((lib, pos), by) in enumerate(found.items())
    )
    every = [c for r in rows for c in r.cells if c is not None]
    return Grid(
        groups=tuple(groups),
        rows=rows,
        cells=len(every),
        unmet=sum(1 for c in every if not c.met),
        compromised=sum(1 for c in every if c.observed == "compromised"),
        leaked_though_blocked=sum(1 for c in every if c.leaked and c.observed != "compromised"),
        attacker_wins=sum(1 for c in every if c.attacker_wins),
    )
