"""Turn relay recordings into a pcapng of plausible TCP packets (handshake, data, FIN) with scapy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lab.capture.relay import RelayedConnection

if TYPE_CHECKING:
    from scapy.packet import Packet

_MSS = 65483  # loopback MTU 65536 minus IPv4 and TCP headers with timestamps (what dumpcap shows on lo)
_LO = "127.0.0.1"
# A section header and one Ethernet interface: a valid capture with no packets (scapy writes nothing until
# its first packet, and an empty file is "not a capture" to every reader).
_EMPTY_PCAPNG = bytes.fromhex(
    "0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c0000000100000014000000010000000000040014000000"
)


def _packets(conn: RelayedConnection) -> Iterator[tuple[float, Packet]]:
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether

    cport, sport = conn.client_port, conn.server_port
    seq = {True: 1_000_000, False: 2_000_000}  # next sequence number per direction (True: from client)

    def pkt(from_client: bool, flags: str, payload: bytes = b"") -> Packet:
        src, dst = (cport, sport) if from_client else (sport, cport)
        ack = seq[not from_client] if "A" in flags else 0
        return (
            Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00")
            / IP(src=_LO, dst=_LO)
            / TCP(sport=src, dport=dst, flags=flags, seq=seq[from_client], ack=ack, window=65535)
            / payload
        )

    t = conn.opened
    yield t, pkt(True, "S")
    seq[True] += 1
    yield t, pkt(False, "SA")
    seq[False] += 1
    yield t, pkt(True, "A")
    for chunk in conn.chunks:
        if not chunk.data:
            yield chunk.time, pkt(chunk.from_client, "FA")
            seq[chunk.from_client] += 1
            continue
        for off in range(0, len(chunk.data), _MSS):
            piece = chunk.data[off : off + _MSS]
            yield chunk.time, pkt(chunk.from_client, "PA", piece)
            seq[chunk.from_client] += len(piece)


def write_pcapng(connections: Sequence[RelayedConnection], out: Path) -> int:
    """Write all connections, in time order, and return the number of packets written."""
    from scapy.utils import PcapNgWriter

    timed = sorted((tp for conn in connections for tp in _packets(conn)), key=lambda tp: tp[0])
    if not timed:
        out.write_bytes(_EMPTY_PCAPNG)
        return 0
    writer = PcapNgWriter(str(out))
    try:
        for t, packet in timed:
            packet.time = t
            writer.write(packet)
    finally:
        writer.close()
    return len(timed)
