from __future__ import annotations

from scapy.layers.inet import IP, TCP

from lab.attacks.sniff import client_ports, connection_ends, stream


def _seg(sport: int, dport: int, seq: int, payload: bytes = b"", flags: str = "PA") -> object:
    header = IP(src="127.0.0.1", dst="127.0.0.1") / TCP(sport=sport, dport=dport, seq=seq, flags=flags)
    return header / payload


def test_stream_reassembles_out_of_order_duplicated_segments() -> None:
    packets = [_seg(5000, 6379, 107, b"world"), _seg(5000, 6379, 100, b"hello, wor"),
               _seg(5000, 6379, 100, b"hello, wor"), _seg(6379, 5000, 7, b"ignored")]
    assert stream(packets, 5000, 6379) == b"hello, world"


def test_connection_ends_are_the_next_sequence_numbers() -> None:
    packets = [_seg(5000, 6379, 99, flags="S"), _seg(6379, 5000, 499, flags="SA"),
               _seg(5000, 6379, 100, b"PING\r\n"), _seg(6379, 5000, 500, b"+PONG\r\n")]
    ends = connection_ends(packets, 5000, 6379)
    assert (ends.client_next_seq, ends.server_next_seq) == (106, 507)
    assert client_ports(packets, 6379) == [5000]
