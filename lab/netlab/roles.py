"""Who is who on the wire: addresses → host names and roles, so evidence names streams by role.

A stream from the replica to the primary reads "replica→primary" because the RoleMap says whose addresses
those are, never because a template pasted the words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lab.analysis.model import StreamInfo
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


@dataclass(frozen=True)
class NamedStream:
    """A captured TCP stream with the roles of its two ends (lab.analysis numbers it; the RoleMap names it)."""

    stream: int
    client: str  # "address:port" of the side that opened it
    server: str
    label: str  # "replica→primary", "client→attacker", ...
    transport: str  # lab.analysis Transport: "plaintext", "tls" or "empty"
    first_frame: int


def name_streams(streams: Iterable[StreamInfo], roles: RoleMap) -> tuple[NamedStream, ...]:
    return tuple(
        NamedStream(s.stream, f"{s.client.host}:{s.client.port}", f"{s.server.host}:{s.server.port}",
                    roles.arrow(s.client.host, s.server.host), s.transport, s.first_frame)
        for s in streams)
