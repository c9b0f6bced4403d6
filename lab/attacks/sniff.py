"""The on-path attacker's eyes: sniff a loopback TCP port with scapy and read the live connection state.

Field facts: AsyncSniffer needs ~0.5 s after start before it sees packets; on lo each packet can be seen
twice (out and in), so streams are de-duplicated by sequence number.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lab.attacks.safety import require_loopback

SNIFFER_SETTLE_S = 0.5
SNIFFER_START_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class TcpEnds:
    """Where a live connection stands: the next sequence number each side will send."""

    client_port: int
    server_port: int
    client_next_seq: int  # = what the server expects next from the client
    server_next_seq: int  # = what the client expects next from the server


@contextmanager
def sniffing(port: int, host: str = "127.0.0.1", allow_non_loopback: bool = False) -> Iterator[list[Any]]:
    """Sniff `tcp port <port>` on lo; yields a list that fills with packets as they arrive (stopped after)."""
    require_loopback(host, allow_non_loopback=allow_non_loopback)
    # Loading the layers registers lo's link type (ARPHRD_LOOPBACK); without them every packet is raw bytes.
    import scapy.layers.inet
    import scapy.layers.l2  # noqa: F401
    from scapy.sendrecv import AsyncSniffer

    seen: list[Any] = []
    started = threading.Event()
    sniffer = AsyncSniffer(iface="lo", filter=f"tcp port {port}", prn=seen.append, store=False,
                           started_callback=started.set)
    sniffer.start()
    # The socket is open when started fires; the kernel filter still needs a moment (field notes: ~0.5 s).
    started.wait(SNIFFER_START_TIMEOUT_S)
    time.sleep(SNIFFER_SETTLE_S)
    try:
        yield seen
    finally:
        if sniffer.running:
            sniffer.stop()
        if sniffer.thread is not None:
            sniffer.thread.join(timeout=5)


def _segments(packets: Sequence[Any], sport: int, dport: int) -> list[Any]:
    from scapy.layers.inet import TCP

    return [p for p in packets if TCP in p and p[TCP].sport == sport and p[TCP].dport == dport]


def _next_seq(segment: Any) -> int:
    from scapy.layers.inet import TCP

    tcp = segment[TCP]
    flags = int(tcp.flags)
    syn_fin = (1 if flags & 0x02 else 0) + (1 if flags & 0x01 else 0)  # each takes one sequence number
    return (tcp.seq + len(bytes(tcp.payload)) + syn_fin) % 2**32


def connection_ends(packets: Sequence[Any], client_port: int, server_port: int) -> TcpEnds:
    """The next sequence numbers of both sides, from the latest segments seen (the connection is idle)."""
    out = _segments(packets, client_port, server_port)
    back = _segments(packets, server_port, client_port)
    if not out or not back:
        raise ValueError(f"no traffic seen between ports {client_port} and {server_port}; start sniffing "
                         f"before the victim talks")
    return TcpEnds(client_port, server_port, max(_next_seq(p) for p in out), max(_next_seq(p) for p in back))


def client_ports(packets: Sequence[Any], server_port: int) -> list[int]:
    """Client ports of the connections to server_port, in order of their SYN."""
    from scapy.layers.inet import TCP

    ports: list[int] = []
    for p in packets:
        is_syn = TCP in p and p[TCP].dport == server_port and int(p[TCP].flags) & 0x02
        if is_syn and p[TCP].sport not in ports:
            ports.append(p[TCP].sport)
    return ports


def stream(packets: Sequence[Any], sport: int, dport: int) -> bytes:
    """The bytes one side sent, reassembled by sequence number (duplicates from lo dropped)."""
    from scapy.layers.inet import TCP

    pieces: dict[int, bytes] = {}
    for p in _segments(packets, sport, dport):
        payload = bytes(p[TCP].payload)
        if payload:
            pieces[p[TCP].seq] = payload
    if not pieces:
        return b""
    out = bytearray()
    expected = min(pieces)
    for seq in sorted(pieces):
        data = pieces[seq]
        if seq < expected:  # overlap (retransmission): keep only what is new
            data = data[expected - seq :]
        out += data
        expected = max(expected, seq + len(pieces[seq]))
    return bytes(out)
