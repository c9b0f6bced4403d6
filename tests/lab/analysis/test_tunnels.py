"""Tunnelled Redis is analysed inside its tunnel; IP fragments are counted and named, never silently lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lab.analysis import analyze
from tests.lab.analysis.wire import CLIENT, SERVER, conversation, write

TURNS = [(CLIENT, b"*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"), (SERVER, b"+OK\r\n")]


def _inner_ip(packet: object) -> object:
    from scapy.layers.inet import IP

    return packet[IP]  # type: ignore[index]


def _vxlan(p: object) -> object:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.layers.vxlan import VXLAN

    return Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=40000, dport=4789) / VXLAN(vni=7) / p


def _gre(p: object) -> object:
    from scapy.layers.inet import GRE, IP
    from scapy.layers.l2 import Ether

    return Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / GRE() / _inner_ip(p)


def _mpls(p: object) -> object:
    from scapy.contrib.mpls import MPLS
    from scapy.layers.l2 import Ether

    return Ether(type=0x8847) / MPLS(label=16, s=0) / MPLS(label=17, s=1) / _inner_ip(p)


def _pppoe(p: object) -> object:
    from scapy.layers.l2 import Ether
    from scapy.layers.ppp import PPP, PPPoE

    return Ether() / PPPoE(sessionid=1) / PPP(proto=0x0021) / _inner_ip(p)


def _geneve(p: object) -> object:
    from scapy.contrib.geneve import GENEVE
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    return (
        Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=40000, dport=6081) / GENEVE(proto=0x6558) / p
    )


def _gtp(p: object) -> object:
    from scapy.contrib.gtp import GTP_U_Header
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    return (
        Ether()
        / IP(src="10.0.0.1", dst="10.0.0.2")
        / UDP(sport=2152, dport=2152)
        / GTP_U_Header()
        / _inner_ip(p)
    )


TUNNELS: dict[str, Callable[[object], object]] = {
    "vxlan": _vxlan,
    "gre": _gre,
    "mpls": _mpls,
    "pppoe": _pppoe,
    "geneve": _geneve,
    "gtp-u": _gtp,
}


@pytest.mark.parametrize("name", sorted(TUNNELS))
def test_redis_inside_a_tunnel_is_analysed(tmp_path: Path, name: str) -> None:
    wrap = TUNNELS[name]
    pcap = write(tmp_path / f"{name}.pcap", [wrap(p) for p in conversation(TURNS)])
    report = analyze(pcap)
    (stream,) = report.streams
    assert stream.redis and stream.server.port == 6379 and stream.commands == 1
    assert stream.auth_frames == (4,)
    assert not report.read.skipped


def test_ip_fragments_are_counted_by_reason(tmp_path: Path) -> None:
    from scapy.layers.inet import IP, fragment
    from scapy.layers.l2 import Ether

    packets = conversation(TURNS)
    big = packets[3]
    pieces = [Ether() / f for f in fragment(big[IP], fragsize=16)]  # type: ignore[index]
    report = analyze(write(tmp_path / "frag.pcap", [*packets[:3], *pieces, packets[4]]))
    (skip,) = report.read.skipped
    assert skip.reason.startswith("IP fragment") and skip.frames == len(pieces) and skip.first_frame == 4
