"""Send one forged TCP segment on loopback as the victim's peer (scapy, raw IP socket: needs root)."""

from __future__ import annotations

from lab.attacks.safety import require_loopback
from lab.attacks.sniff import TcpEnds


def send_as_client(ends: TcpEnds, host: str, flags: str, payload: bytes = b"",
                   allow_non_loopback: bool = False) -> None:
    """Forge a segment from the client's port to the server's, at exactly the seq the server expects.

    A raw IP socket rather than scapy's default packet socket: on lo the PF_PACKET path does not deliver
    locally generated frames to the local stack.
    """
    require_loopback(host, allow_non_loopback=allow_non_loopback)
    from scapy.layers.inet import IP, TCP
    from scapy.supersocket import L3RawSocket

    segment = IP(src=host, dst=host) / TCP(sport=ends.client_port, dport=ends.server_port, flags=flags,
                                           seq=ends.client_next_seq, ack=ends.server_next_seq, window=65535)
    if payload:
        segment = segment / payload
    sock = L3RawSocket()
    try:
        sock.send(segment)
    finally:
        sock.close()
