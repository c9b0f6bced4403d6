"""lab.analysis.tcpdecode: TCP segments out of the link types captures use (frames built with scapy)."""

from __future__ import annotations

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
from scapy.layers.l2 import CookedLinux, Dot1Q, Ether

from lab.analysis.tcpdecode import decode

SEG = TCP(sport=50000, dport=6379, seq=1234, flags="PA") / b"*1\r\n$4\r\nPING\r\n"


def test_ethernet_ipv4_with_padding_trimmed() -> None:
    frame = (
        bytes(Ether() / IP(src="127.0.0.1", dst="127.0.0.2") / TCP(sport=1, dport=2, flags="S")) + b"\0" * 6
    )
    seg = decode(1, frame)
    assert seg is not None and seg.payload == b"" and seg.flags == 0x02 and seg.dst == "127.0.0.2"


def test_vlan_ipv6_extension_header_and_cooked_linux() -> None:
    for linktype, frame in [
        (1, Ether() / Dot1Q(vlan=5) / IP(src="127.0.0.1", dst="127.0.0.1") / SEG),
        (1, Ether() / IPv6(src="::1", dst="::1") / IPv6ExtHdrHopByHop() / SEG),
        (113, CookedLinux(proto=0x0800) / IP(src="127.0.0.1", dst="127.0.0.1") / SEG),
        (101, IP(src="127.0.0.1", dst="127.0.0.1") / SEG),
    ]:
        seg = decode(linktype, bytes(frame))
        assert seg is not None, frame.summary()
        assert (seg.sport, seg.dport, seg.seq, seg.payload) == (50000, 6379, 1234, b"*1\r\n$4\r\nPING\r\n")


def test_not_tcp_or_cut() -> None:
    assert decode(1, bytes(Ether() / IP() / UDP() / b"x")) is None
    assert decode(1, bytes(Ether() / IP() / SEG)[:30]) is None
    assert decode(1, bytes(Ether() / IP(flags="MF", frag=0) / SEG)) is None  # first fragment
    assert decode(999, bytes(Ether() / IP() / SEG)) is None
