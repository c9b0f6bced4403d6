"""Link, IP and TCP headers to a TCP segment, for the link types loopback and LAN captures use."""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

_ETHERNET, _NULL, _LOOP, _RAW, _RAW_BSD, _RAW_OPENBSD, _SLL, _SLL2, _IPV4_LT, _IPV6_LT = (
    1,
    0,
    108,
    101,
    12,
    14,
    113,
    276,
    228,
    229,
)
ETHERNET, RAW_IP = _ETHERNET, _RAW
_VLAN = (0x8100, 0x88A8)
_IPV6_EXT = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options (fragments are skipped)
_u16 = struct.Struct("!H")
_tcp = struct.Struct("!HHIIBB")


class Segment(NamedTuple):
    src: str
    dst: str
    sport: int
    dport: int
    seq: int
    flags: int
    payload: bytes


def ip_offset(linktype: int, data: bytes) -> int:
    """Where the IP header starts, or -1 when the frame carries no IP."""
    if linktype == _ETHERNET:
        off, ethertype = 14, _u16.unpack_from(data, 12)[0] if len(data) >= 14 else 0
        while ethertype in _VLAN and len(data) >= off + 4:
            ethertype, off = _u16.unpack_from(data, off + 2)[0], off + 4
        return off if ethertype in (0x0800, 0x86DD) else -1
    if linktype in (_NULL, _LOOP):
        return 4
    if linktype in (_RAW, _RAW_BSD, _RAW_OPENBSD, _IPV4_LT, _IPV6_LT):
        return 0
    if linktype == _SLL:
        return 16
    if linktype == _SLL2:
        return 20
    return -1


def decode(linktype: int, data: bytes) -> Segment | None:
    """The TCP segment in a frame, or None (not TCP, an IP fragment, or a cut header)."""
    off = ip_offset(linktype, data)
    if off < 0 or len(data) < off + 20:
        return None
    version = data[off] >> 4
    if version == 4:
        ihl = (data[off] & 0x0F) * 4
        total = _u16.unpack_from(data, off + 2)[0]
        if data[off + 9] != 6 or _u16.unpack_from(data, off + 6)[0] & 0x3FFF:
            return None  # not TCP, or a fragment
        src, dst = socket.inet_ntoa(data[off + 12 : off + 16]), socket.inet_ntoa(data[off + 16 : off + 20])
        end = off + total if total else len(data)  # total 0: TSO on capture, take the frame
        off += ihl
    elif version == 6:
        if len(data) < off + 40:
            return None
        nxt = data[off + 6]
        end = off + 40 + _u16.unpack_from(data, off + 4)[0]
        src = socket.inet_ntop(socket.AF_INET6, data[off + 8 : off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, data[off + 24 : off + 40])
        off += 40
        while nxt in _IPV6_EXT and len(data) >= off + 8:
            nxt, off = data[off], off + 8 + data[off + 1] * 8
        if nxt != 6:
            return None
    else:
        return None
    if len(data) < off + 20:
        return None
    sport, dport, seq, _, offset, flags = _tcp.unpack_from(data, off)
    return Segment(src, dst, sport, dport, seq, flags, data[off + (offset >> 4) * 4 : min(end, len(data))])
