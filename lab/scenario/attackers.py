"""Attackers: who sits between the clients and the server during `act` (the attacks issue fills this in).

An attacker is started after the target and before the capture, stopped with everything else. It may
offer an endpoint that clients dial instead of the server (a man in the middle), and it reports what it
learned as observations (they land under `attacker.` in the case's observations, for `observation`
expectations and the report). To add one: a parameter dataclass, a start function returning a context
manager, and one line in `ATTACKERS`; a scenario then says `[attacker] name = "..."`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lab.scenario.evidence import Json
from lab.scenario.mitm_attacker import MITM_OBSERVES, MitmAttacker, start_mitm

if TYPE_CHECKING:
    from lab.scenario.lifecycle.session import Session


class Attacker(Protocol):
    @property
    def ports(self) -> tuple[int, ...]:
        """Loopback ports the attacker listens on (captured with the server's ports)."""

    def endpoint(self, dial: Literal["plaintext", "tls"]) -> tuple[str, int] | None:
        """Where a client that means to reach the server's `dial` port connects instead; None: unchanged."""

    def observations(self) -> Mapping[str, Json]:
        """What the attacker saw and did, read after the workload (before stop)."""


@dataclass(frozen=True)
class AttackerKind:
    params: type
    start: Callable[[Session, Any], AbstractContextManager[Attacker]]
    observes: tuple[str, ...]  # its observation fields (under `attacker.`), checked like a workload's


# One line per attacker.
ATTACKERS: Mapping[str, AttackerKind] = MappingProxyType({
    "mitm": AttackerKind(MitmAttacker, start_mitm, MITM_OBSERVES),
})
