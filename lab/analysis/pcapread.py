"""A streaming pcap/pcapng reader (frame numbers as Wireshark counts them) and a pcapng writer for subsets.

Reading TCP in Python is ~10x faster than having tshark dissect every frame; tshark is kept for what it is
good at (TLS handshakes, decryption) and sees only the TLS streams' frames.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lab.errors import UserError, require_input_file

_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": "<",
    b"\xa1\xb2\xc3\xd4": ">",  # microsecond timestamps
    b"\x4d\x3c\xb2\xa1": "<",
    b"\xa1\xb2\x3c\x4d": ">",  # nanosecond timestamps
}
_SHB = 0x0A0D0D0A
_IDB, _OPB, _SPB, _EPB = 1, 2, 3, 6


@dataclass(frozen=True)
class RawPacket:
    frame: int  # 1-based, counting every packet block as Wireshark does
    interface: int
    linktype: int
    ts_high: int  # timestamp as stored (for copying into a subset file)
    ts_low: int
    data: bytes


@dataclass
class ReadState:
    """Filled while reading: how far the file could be read, and why it stopped early."""

    packets: int = 0
    truncated: bool = False
    message: str = ""
    linktypes: dict[int, int] = field(default_factory=dict)  # interface id -> link type


def _not_capture(path: Path, why: str) -> UserError:
    return UserError(f"{path} is not a capture file (pcap/pcapng expected): {why}")


def require_capture(path: Path) -> None:
    require_input_file(path, "capture", "pass a pcap or pcapng file")


def read_packets(path: Path, state: ReadState) -> Iterator[RawPacket]:
    """Yield every packet; stops at a truncated tail and records it in `state` (never raises for it)."""
    require_capture(path)
    with path.open("rb", buffering=1 << 20) as f:
        magic = f.read(4)
        if magic in _PCAP_MAGIC:
            yield from _pcap(f, _PCAP_MAGIC[magic], state, path)
        elif len(magic) == 4 and struct.unpack("<I", magic)[0] == _SHB:
            yield from _pcapng(f, state, path)
        else:
            raise _not_capture(path, f"it starts with {magic!r}")


def _cut(state: ReadState, what: str) -> None:
    state.truncated = True
    state.message = f"the file is cut short in the middle of {what} after {state.packets} packets"


def _pcap(f: BinaryIO, endian: str, state: ReadState, path: Path) -> Iterator[RawPacket]:
    header = f.read(20)
    if len(header) < 20:
        raise _not_capture(path, "pcap header incomplete")
    linktype = struct.unpack(endian + "I", header[16:20])[0] & 0x0FFFFFFF
    state.linktypes[0] = linktype
    record = struct.Struct(endian + "IIII")
    while True:
        head = f.read(16)
        if not head:
            return
        if len(head) < 16:
            return _cut(state, "a packet header")
        sec, frac, caplen, _ = record.unpack(head)
        data = f.read(caplen)
        if len(data) < caplen:
            return _cut(state, "a packet")
        state.packets += 1
        yield RawPacket(state.packets, 0, linktype, sec, frac, data)


def _pcapng(f: BinaryIO, state: ReadState, path: Path) -> Iterator[RawPacket]:
    endian = "<"
    block_type = _SHB
    first = True
    interfaces: list[int] = []
    while True:
        if not first:
            raw_type = f.read(4)
            if not raw_type:
                return
            if len(raw_type) < 4:
                return _cut(state, "a block")
            block_type = struct.unpack(endian + "I", raw_type)[0]
        raw_len = f.read(4)
        if block_type == _SHB:
            bom = f.read(4)
            if len(raw_len) < 4 or len(bom) < 4:
                if first:
                    raise _not_capture(path, "pcapng header incomplete")
                return _cut(state, "a section header")
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            if first and bom not in (b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d"):
                raise _not_capture(path, "bad pcapng byte-order magic")
            length = struct.unpack(endian + "I", raw_len)[0]
            body = f.read(length - 12)
            first = False
            interfaces = []  # interface ids restart in every section
            if len(body) < length - 12:
                return _cut(state, "a section header")
            continue
        if len(raw_len) < 4:
            return _cut(state, "a block")
        length = struct.unpack(endian + "I", raw_len)[0]
        if length < 12 or length % 4:
            state.truncated, state.message = (
                True,
                f"corrupt pcapng block length {length} after {state.packets} packets",
            )
            return
        body = f.read(length - 8)
        if len(body) < length - 8:
            return _cut(state, "a packet" if block_type in (_EPB, _SPB, _OPB) else "a block")
        if block_type == _IDB:
            linktype = struct.unpack(endian + "H", body[:2])[0]
            state.linktypes[len(interfaces)] = linktype
            interfaces.append(linktype)
        elif block_type == _EPB:
            ifid, high, low, caplen = struct.unpack(endian + "IIII", body[:16])
            state.packets += 1
            yield RawPacket(
                state.packets,
                ifid,
                interfaces[ifid] if ifid < len(interfaces) else 1,
                high,
                low,
                body[20 : 20 + caplen],
            )
        elif block_type == _SPB:
            state.packets += 1
            orig = struct.unpack(endian + "I", body[:4])[0]
            yield RawPacket(state.packets, 0, interfaces[0] if interfaces else 1, 0, 0, body[4 : 4 + orig])
        elif block_type == _OPB:
            ifid, _, high, low, caplen = struct.unpack(endian + "HHIII", body[:16])
            state.packets += 1
            yield RawPacket(
                state.packets,
                ifid,
                interfaces[ifid] if ifid < len(interfaces) else 1,
                high,
                low,
                body[20 : 20 + caplen],
            )


class PcapngSubset:
    """Writes chosen packets to a new pcapng (one interface per source interface), remembering frames."""

    def __init__(self, out: BinaryIO, linktypes: dict[int, int]) -> None:
        self._out = out
        self._ifmap: dict[int, int] = {}
        self._linktypes = linktypes
        self.frames: list[int] = []  # subset frame k (1-based) was original frame frames[k - 1]
        out.write(struct.pack("<IIIHHqI", _SHB, 28, 0x1A2B3C4D, 1, 0, -1, 28))

    def write(self, packet: RawPacket) -> None:
        ifid = self._ifmap.get(packet.interface)
        if ifid is None:
            ifid = self._ifmap[packet.interface] = len(self._ifmap)
            linktype = self._linktypes.get(packet.interface, packet.linktype)
            self._out.write(struct.pack("<IIHHII", _IDB, 20, linktype, 0, 0, 20))
        pad = -len(packet.data) % 4
        length = 32 + len(packet.data) + pad
        self._out.write(
            struct.pack(
                "<IIIIIII",
                _EPB,
                length,
                ifid,
                packet.ts_high,
                packet.ts_low,
                len(packet.data),
                len(packet.data),
            )
        )
        self._out.write(packet.data + b"\0" * pad + struct.pack("<I", length))
        self.frames.append(packet.frame)
