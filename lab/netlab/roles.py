"""Who is who on the wire: addresses → host names and roles, so evidence names streams by role.

A stream from the replica to the primary reads "replica→primary" because the RoleMap says whose addresses
those are, never because a template pasted the words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lab.netlab.topology import Role


@dataclass(frozen=True)
class Party:
    address: str
    host: str
    role: Role


@dataclass(frozen=True)
class RoleMap:
    parties: tuple[Party, ...]

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str, Role]]) -> RoleMap:
        return cls(tuple(Party(a, h, r) for a, h, r in entries))

    def party(self, address: str) -> Party | None:
        return next((p for p in self.parties if p.address == address), None)

    def label(self, address: str) -> str:
        """The role of a lab address when one host has that role (the host name when several share it, as
        cluster nodes do), else the address itself."""
        p = self.party(address)
        if p is None:
            return address
        return p.role.value if sum(q.role is p.role for q in self.parties) == 1 else p.host

    def arrow(self, source: str, destination: str) -> str:
        """"client→attacker" for a TCP stream's client and server addresses."""
        return f"{self.label(source)}→{self.label(destination)}"
