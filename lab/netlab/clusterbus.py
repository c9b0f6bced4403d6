"""Decode the Redis Cluster bus (the node-to-node port) from a capture: what a passive observer reads of it.

Each bus message starts with the clusterMsg header of Redis 7.0 (src/cluster.h): signature "RCmb", total
length, version, the sender's ports, the message type, the sender's 40-character node id, its slot bitmap,
the primary it replicates, its IP; PING, PONG and MEET carry `count` gossip entries about other nodes.
Pure: frames in, typed messages out; TCP reassembly is lab.analysis's.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lab.analysis.pcapread import ReadState, read_packets
from lab.analysis.reassembly import Reassembler
from lab.analysis.tcpdecode import decode

SIGNATURE = b"RCmb"
NAME_LEN = 40
SLOTS = 16384
_HEADER = struct.Struct("!4sIHHHHQQQ40s2048s40s46sH30sHHHB3s")  # 2256 bytes, as clusterMsg up to `data`
_GOSSIP = struct.Struct("!40sII46sHHHI")  # clusterMsgDataGossip, 104 bytes
_SYN = 0x02


class BusType(enum.IntEnum):
    PING = 0
    PONG = 1
    MEET = 2
    FAIL = 3
    PUBLISH = 4
    FAILOVER_AUTH_REQUEST = 5
    FAILOVER_AUTH_ACK = 6
    UPDATE = 7
    MFSTART = 8
    MODULE = 9
    PUBLISHSHARD = 10


@dataclass(frozen=True)
class Gossip:
    node_id: str
    ip: str
    port: int
    bus_port: int


@dataclass(frozen=True)
class BusMessage:
    frame: int  # where the message starts
    src: str  # "address:port" of the sending side of the TCP connection
    dst: str
    type: BusType | int  # an int for a type this decoder does not name
    sender: str  # the sender's node id
    sender_ip: str  # as the sender announces itself ("" until it knows)
    port: int  # its client port
    bus_port: int
    slots: tuple[tuple[int, int], ...]  # the slot ranges the sender claims, inclusive
    replica_of: str  # node id of its primary, "" for a primary
    current_epoch: int
    gossip: tuple[Gossip, ...]

    @property
    def type_name(self) -> str:
        return self.type.name if isinstance(self.type, BusType) else f"type-{self.type}"


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def slot_ranges(bitmap: bytes) -> tuple[tuple[int, int], ...]:
    """Redis stores slot n as bit (n % 8) of byte n // 8."""
    ranges: list[tuple[int, int]] = []
    start = None
    for slot in range(SLOTS + 1):
        owned = slot < SLOTS and bitmap[slot >> 3] & (1 << (slot & 7))
        if owned and start is None:
            start = slot
        elif not owned and start is not None:
            ranges.append((start, slot - 1))
            start = None
    return tuple(ranges)


def parse_message(data: bytes, frame: int, src: str, dst: str) -> BusMessage | None:
    """One whole message (None if it is not a bus message: too short or no signature)."""
    if len(data) < _HEADER.size or not data.startswith(SIGNATURE):
        return None
    (_, _, _, port, mtype, count, epoch, _, _, sender, slots, slaveof, myip, _, _, _, cport, _, _,
     _) = _HEADER.unpack_from(data)
    gossip = []
    if mtype in (BusType.PING, BusType.PONG, BusType.MEET):
        for i in range(count):
            at = _HEADER.size + i * _GOSSIP.size
            if at + _GOSSIP.size > len(data):
                break
            name, _, _, ip, gport, gcport, _, _ = _GOSSIP.unpack_from(data, at)
            gossip.append(Gossip(_text(name), _text(ip), gport, gcport))
    known = {t.value for t in BusType}
    replica_of = _text(slaveof)
    return BusMessage(frame, src, dst, BusType(mtype) if mtype in known else mtype, _text(sender),
                      _text(myip), port, cport, slot_ranges(slots), "" if set(replica_of) <= {"0", ""}
                      else replica_of, epoch, tuple(gossip))


class _Direction:
    """One direction of a bus connection: bytes in order, whole messages out (totlen says where one ends)."""

    def __init__(self, src: str, dst: str) -> None:
        self.src, self.dst = src, dst
        self.tcp = Reassembler()
        self.buf = bytearray()
        self.chunks: list[tuple[int, int]] = []  # (buffer offset where a piece ends, its frame)
        self.broken = False

    def feed(self, piece: bytes, frame: int) -> Iterator[BusMessage]:
        if self.broken:
            return
        self.buf += piece
        self.chunks.append((len(self.buf), frame))
        while len(self.buf) >= 8:
            if not self.buf.startswith(SIGNATURE):
                self.broken = True  # not the bus (TLS, or a capture started mid-message): nothing readable
                return
            total = struct.unpack_from("!I", self.buf, 4)[0]
            if len(self.buf) < total:
                return
            first = next(f for end, f in self.chunks if end > 0)
            message = parse_message(bytes(self.buf[:total]), first, self.src, self.dst)
            del self.buf[:total]
            self.chunks = [(end - total, f) for end, f in self.chunks if end - total > 0]
            if message is not None:
                yield message


def read_bus(path: Path, bus_ports: Iterable[int]) -> tuple[BusMessage, ...]:
    """Every cluster bus message in the capture, in capture order, from TCP to or from `bus_ports`."""
    ports = frozenset(bus_ports)
    directions: dict[tuple[str, int, str, int], _Direction] = {}
    out: list[BusMessage] = []
    for packet in read_packets(path, ReadState()):
        seg = decode(packet.linktype, packet.data)
        if seg is None or not ({seg.sport, seg.dport} & ports):
            continue
        key = (seg.src, seg.sport, seg.dst, seg.dport)
        d = directions.get(key)
        if d is None:
            d = directions[key] = _Direction(f"{seg.src}:{seg.sport}", f"{seg.dst}:{seg.dport}")
        if seg.flags & _SYN:
            d.tcp.syn(seg.seq)
            continue
        if seg.payload:
            for piece, frame in d.tcp.push(seg.seq, seg.payload, packet.frame):
                out.extend(d.feed(piece, frame))
    return tuple(out)
