"""Who is who on the wire: addresses → host names and roles, so evidence names streams by role.

A stream from the replica to the primary reads "replica→primary" because the RoleMap says whose addresses
those are, never because a template pasted the words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lab.analysis.model import StreamInfo
from lab.netlab.topology import Role


@dataclass(frozen=True)
class Party:
    address: str
    host: str
    role: Role
    mac: str = ""


@dataclass(frozen=True)
class RoleMap:
    parties: tuple[Party, ...]

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str, Role, str]]) -> RoleMap:
        return cls(tuple(Party(a, h, r, m) for a, h, r, m in entries))

    def party(self, address: str) -> Party | None:
        return next((p for p in self.parties if p.address == address), None)

    def label(self, address: str) -> str:
        """The role of a lab address when one host has that role (the host name when several share it, as
        cluster nodes do), else the address itself."""
        p = self.party(address)
        if p is None:
            return address
        return p.role.value if sum(q.role is p.role for q in self.parties) == 1 else p.host

    def label_mac(self, mac: str) -> str:
        """Who owns a MAC (on the wire, the Ethernet header says which host really sent or receives)."""
        p = next((q for q in self.parties if q.mac == mac), None)
        return mac if p is None else self.label(p.address)

    def arrow(self, source: str, destination: str) -> str:
        """"client→attacker" for a TCP stream's client and server addresses."""
        return f"{self.label(source)}→{self.label(destination)}"


@dataclass(frozen=True)
class NamedStream:
    """A captured TCP stream with the roles of its two ends (lab.analysis numbers it; RoleMap names it)."""

    stream: int
    client: str  # "address:port" of the side that opened it
    server: str
    label: str  # "replica→primary", "client→attacker", ...
    transport: str  # lab.analysis Transport: "plaintext", "tls" or "empty"
    first_frame: int


Macs = Mapping[tuple[str, int, str, int], tuple[str, str]]  # TCP 4-tuple → (source MAC, destination MAC)


def name_streams(streams: Iterable[StreamInfo], roles: RoleMap, macs: Macs | None = None
                 ) -> tuple[NamedStream, ...]:
    """Label each stream by who is at its ends. With the Ethernet addresses (`stream_macs`), by who really
    sent and received the frames: a poisoned client's stream to the server's IP reads client→attacker."""
    named = []
    for s in streams:
        label = roles.arrow(s.client.host, s.server.host)
        l2 = (macs or {}).get((s.client.host, s.client.port, s.server.host, s.server.port))
        if l2 is not None:
            label = f"{roles.label_mac(l2[0])}→{roles.label_mac(l2[1])}"
        named.append(NamedStream(s.stream, f"{s.client.host}:{s.client.port}",
                                 f"{s.server.host}:{s.server.port}", label, s.transport, s.first_frame))
    return tuple(named)


def stream_macs(pcap: Path) -> dict[tuple[str, int, str, int], tuple[str, str]]:
    """The Ethernet source and destination of the first frame of each TCP direction in an Ethernet capture."""
    from lab.analysis.pcapread import ReadState, read_packets
    from lab.analysis.tcpdecode import decode

    found: dict[tuple[str, int, str, int], tuple[str, str]] = {}
    for packet in read_packets(pcap, ReadState()):
        seg = decode(packet.linktype, packet.data)
        if seg is not None and packet.linktype == 1:
            key = (seg.src, seg.sport, seg.dst, seg.dport)
            if key not in found:
                mac = packet.data
                found[key] = (":".join(f"{b:02x}" for b in mac[6:12]), ":".join(f"{b:02x}" for b in mac[0:6]))
    return found
