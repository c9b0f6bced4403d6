"""Frames the fast TCP decoder does not take: tunnels are opened to the TCP inside, the rest is named.

VXLAN, Geneve, GRE (with ERSPAN II/III), GTP-U, MPLS, PPPoE and NFLOG carry the packets a user wants to see;
IP fragments, UDP, ICMP and unknown link types are counted by reason, so the report says what it skipped.
"""

from __future__ import annotations

import struct

from lab.analysis.tcpdecode import ETHERNET, RAW_IP, Segment, decode, ip_offset

_u16 = struct.Struct("!H")
_NFLOG = 239
_MPLS = (0x8847, 0x8848)
_PPPOE_SESSION = 0x8864
_VLAN = (0x8100, 0x88A8)
_VXLAN, _GENEVE, _GTP_U = 4789, 6081, 2152
_ERSPAN_II, _ERSPAN_III, _TEB = 0x88BE, 0x22EB, 0x6558
MAX_DEPTH = 4  # tunnels in tunnels; deeper is not worth following


def _inner(linktype: int, data: bytes, depth: int) -> Segment | str:
    seg = decode(linktype, data)
    if seg is not None:
        return seg
    return unwrap(linktype, data, depth + 1)


def _by_ethertype(ethertype: int, data: bytes, depth: int) -> Segment | str | None:
    """The inner packet after a header that names its payload by ethertype; None: not a tunnel type."""
    if ethertype in (0x0800, 0x86DD):
        return _inner(RAW_IP, data, depth)
    if ethertype == _TEB:
        return _inner(ETHERNET, data, depth)
    if ethertype in _MPLS:
        return _mpls(data, depth)
    return None


def _mpls(data: bytes, depth: int) -> Segment | str:
    off = 0
    while len(data) >= off + 4:
        bottom = data[off + 2] & 0x01
        off += 4
        if bottom:
            inner = data[off:]
            return _inner(RAW_IP, inner, depth) if inner and inner[0] >> 4 in (4, 6) else "MPLS (not IP)"
    return "MPLS (cut)"


def _ethernet_payload(data: bytes) -> tuple[int, bytes]:
    off, ethertype = 14, _u16.unpack_from(data, 12)[0] if len(data) >= 14 else 0
    while ethertype in _VLAN and len(data) >= off + 4:
        ethertype, off = _u16.unpack_from(data, off + 2)[0], off + 4
    return ethertype, data[off:]


def _ip_payload(data: bytes) -> tuple[int, bytes, bool] | None:
    """(protocol, payload, is a fragment) of an IPv4/IPv6 packet."""
    if not data:
        return None
    if data[0] >> 4 == 4 and len(data) >= 20:
        ihl = (data[0] & 0x0F) * 4
        total = _u16.unpack_from(data, 2)[0] or len(data)
        return data[9], data[ihl:total], bool(_u16.unpack_from(data, 6)[0] & 0x3FFF)
    if data[0] >> 4 == 6 and len(data) >= 40:
        nxt, off = data[6], 40
        while nxt in (0, 43, 60, 44) and len(data) >= off + 8:
            if nxt == 44:
                return 44, data[off + 8 :], True
            nxt, off = data[off], off + 8 + data[off + 1] * 8
        return nxt, data[off:], False
    return None


def _gre(data: bytes, depth: int) -> Segment | str:
    if len(data) < 4:
        return "GRE (cut)"
    flags, proto = _u16.unpack_from(data, 0)[0], _u16.unpack_from(data, 2)[0]
    off = 4 + 4 * sum(1 for bit in (0x8000, 0x2000, 0x1000) if flags & bit)
    if proto == _ERSPAN_II:
        return _inner(ETHERNET, data[off + 8 :], depth)
    if proto == _ERSPAN_III:
        extra = 8 if len(data) > off + 11 and data[off + 11] & 0x01 else 0
        return _inner(ETHERNET, data[off + 12 + extra :], depth)
    got = _by_ethertype(proto, data[off:], depth)
    return got if got is not None else f"GRE carrying ethertype 0x{proto:04x}"


def _udp(payload: bytes, depth: int) -> Segment | str:
    if len(payload) < 8:
        return "UDP (cut)"
    dport = _u16.unpack_from(payload, 2)[0]
    body = payload[8:]
    if dport == _VXLAN and len(body) >= 8:
        return _inner(ETHERNET, body[8:], depth)
    if dport == _GENEVE and len(body) >= 8:
        opts = (body[0] & 0x3F) * 4
        got = _by_ethertype(_u16.unpack_from(body, 2)[0], body[8 + opts :], depth)
        return got if got is not None else "Geneve (inner type unknown)"
    if dport == _GTP_U and len(body) >= 8 and body[1] == 0xFF:
        off = 8
        if body[0] & 0x07:
            off = 12
            ext = body[11] if len(body) >= 12 else 0
            while ext and len(body) > off:
                length = body[off] * 4
                if not length:
                    break
                ext, off = body[off + length - 1], off + length
        return _inner(RAW_IP, body[off:], depth)
    return "UDP (not TCP)"


def unwrap(linktype: int, data: bytes, depth: int = 0) -> Segment | str:
    """The TCP segment inside a tunnelled frame, or why the frame is skipped (a short reason to count)."""
    if depth > MAX_DEPTH:
        return "tunnel nested too deep"
    if linktype == _NFLOG:
        return _nflog(data, depth)
    if linktype == ETHERNET:
        ethertype, rest = _ethernet_payload(data)
        if ethertype == _PPPOE_SESSION and len(rest) >= 8:
            ppp = _u16.unpack_from(rest, 6)[0]
            return _inner(RAW_IP, rest[8:], depth) if ppp in (0x0021, 0x0057) else "PPPoE (not IP)"
        got = _by_ethertype(ethertype, rest, depth) if ethertype in _MPLS else None
        if got is not None:
            return got
        if ethertype not in (0x0800, 0x86DD):
            return "not IP (ARP, LLDP, ...)" if ethertype else "Ethernet frame cut short"
        data = rest
    elif linktype != RAW_IP:
        off = ip_offset(linktype, data)
        if off < 0:
            return f"link type {linktype} not supported"
        data = data[off:]
    parsed = _ip_payload(data)
    if parsed is None:
        return "not IP"
    proto, payload, fragment = parsed
    if fragment:
        return "IP fragment (not reassembled)"
    if proto == 47:
        return _gre(payload, depth)
    if proto == 17:
        return _udp(payload, depth)
    if proto in (1, 58):
        return "ICMP"
    if proto in (4, 41):  # IP in IP, IPv6 in IPv4
        return _inner(RAW_IP, payload, depth)
    return f"IP protocol {proto} (not TCP)"


def _nflog(data: bytes, depth: int) -> Segment | str:
    off = 4
    while len(data) >= off + 4:
        length, kind = struct.unpack_from("<HH", data, off)  # host order: little-endian here
        if length < 4:
            break
        if kind == 9:  # NFULA_PAYLOAD: the IP packet
            return _inner(RAW_IP, data[off + 4 : off + length], depth)
        off += (length + 3) & ~3
    return "NFLOG without payload"
