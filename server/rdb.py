"""Redis's RDB value format, as DUMP writes and RESTORE reads it: a pure codec, no I/O.

A payload is `type byte | value | RDB version (2 bytes LE) | CRC64 (8 bytes LE)`, the CRC (Jones polynomial,
reflected, as Redis's crc64.c) covering everything before it. `dump` writes the encodings redis-server 7.0
chooses for the same content (so DUMP output is byte-identical where Redis's own choice is deterministic):
strings with integer and LZF encodings, lists as a quicklist of listpacks split as RPUSH fills them,
small hashes and sorted sets as listpacks, integer sets as intsets, the rest in their plain encodings.
`load` also reads the older encodings (ziplists, zipmaps, linked lists, string-scored sorted sets).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from server.keyspace import Value
from server.lzf import LzfError, lzf_compress, lzf_decompress
from server.quicklist import QuickList
from server.zset import ZSet

RDB_VERSION = 10  # Redis 7.0
# Longer strings are written uncompressed (Redis compresses them too): the pure-Python compressor takes
# about a second per incompressible MiB, and a DUMP must not hold the event loop that long. Both servers
# RESTORE either form.
LZF_MAX = 256 * 1024
LLONG_MIN, LLONG_MAX = -(1 << 63), (1 << 63) - 1
_HALF_LLONG = float(LLONG_MAX // 2)


class RdbType(IntEnum):
    STRING = 0
    LIST = 1
    SET = 2
    ZSET = 3
    HASH = 4
    ZSET_2 = 5
    HASH_ZIPMAP = 9
    LIST_ZIPLIST = 10
    SET_INTSET = 11
    ZSET_ZIPLIST = 12
    HASH_ZIPLIST = 13
    LIST_QUICKLIST = 14
    HASH_LISTPACK = 16
    ZSET_LISTPACK = 17
    LIST_QUICKLIST_2 = 18


class PayloadError(ValueError):
    """The version or the checksum is wrong (RESTORE: 'DUMP payload version or checksum are wrong')."""


class FormatError(ValueError):
    """The value inside a well-formed payload cannot be read (RESTORE: 'Bad data format')."""



@dataclass(frozen=True, slots=True)
class Encodings:
    """The thresholds that decide the encoding Redis picks (redis.conf names in the comments)."""

    hash_entries: int = 128  # hash-max-listpack-entries
    hash_value: int = 64  # hash-max-listpack-value
    zset_entries: int = 128  # zset-max-listpack-entries
    zset_value: int = 64  # zset-max-listpack-value
    intset_entries: int = 512  # set-max-intset-entries
    list_fill: int = -2  # list-max-listpack-size
    list_compress_depth: int = 0  # list-compress-depth
    compression: bool = True  # rdbcompression


# ---- CRC64 (Jones), as Redis's crc64.c: reflected, initial value 0, no final xor -------------------

_CRC_POLY = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 bit-reversed


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def crc64(data: bytes, crc: int = 0) -> int:
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


# ---- integers as Redis's string2ll / ll2string see them -------------------------------------------


def as_long(data: bytes) -> int | None:
    """The integer `data` spells canonically (string2ll: no '+', blanks or leading zeros), else None."""
    n = len(data)
    if not 0 < n <= 20:
        return None
    start = 1 if data[0] == 45 else 0  # '-'
    if start == n or not data[start:].isdigit() or (data[start] == 48 and n - start > 1) \
            or (start and data[1] == 48):  # fmt: skip
        return None
    value = int(data)
    return value if LLONG_MIN <= value <= LLONG_MAX else None


def d2string(score: float) -> bytes:
    """Redis 7.0's d2string: integral values up to 2^62 (and -0) as integers, the rest with %.17g."""
    if math.isinf(score):
        return b"inf" if score > 0 else b"-inf"
    if -_HALF_LLONG <= score <= _HALF_LLONG and score == int(score):  # double2ll
        return str(int(score)).encode()
    return b"%.17g" % score


def parse_score(data: bytes) -> float:
    """strtod as Redis reads a score stored as text; NaN is refused."""
    try:
        score = float(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise FormatError(f"bad score {data[:40]!r}") from None
    if math.isnan(score):
        raise FormatError("NaN score")
    return score


# ---- writing ------------------------------------------------------------------------------------


def _len(n: int) -> bytes:
    if n < 1 << 6:
        return bytes((n,))
    if n < 1 << 14:
        return bytes((0x40 | n >> 8, n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def _string(data: bytes, compress: bool) -> bytes:
    """rdbSaveRawString: short integers as integers, long strings LZF-compressed when that saves 4 bytes."""
    n = len(data)
    if n <= 11:
        value = as_long(data)
        if value is not None:
            if -(1 << 7) <= value < 1 << 7:
                return b"\xc0" + value.to_bytes(1, "little", signed=True)
            if -(1 << 15) <= value < 1 << 15:
                return b"\xc1" + value.to_bytes(2, "little", signed=True)
            if -(1 << 31) <= value < 1 << 31:
                return b"\xc2" + value.to_bytes(4, "little", signed=True)
    if compress and 20 < n <= LZF_MAX:
        packed = lzf_compress(data, n - 4)
        if packed is not None:
            return b"\xc3" + _len(len(packed)) + _len(n) + packed
    return _len(n) + data


def _lp_entry(item: bytes) -> bytes:
    """One listpack entry: encoding, data and the back-length of both."""
    value = as_long(item)
    if value is not None:
        if 0 <= value <= 127:
            body = bytes((value,))
        elif -4096 <= value <= 4095:
            v = value & 0x1FFF
            body = bytes((0xC0 | v >> 8, v & 0xFF))
        elif -(1 << 15) <= value < 1 << 15:
            body = b"\xf1" + value.to_bytes(2, "little", signed=True)
        elif -(1 << 23) <= value < 1 << 23:
            body = b"\xf2" + value.to_bytes(3, "little", signed=True)
        elif -(1 << 31) <= value < 1 << 31:
            body = b"\xf3" + value.to_bytes(4, "little", signed=True)
        else:
            body = b"\xf4" + value.to_bytes(8, "little", signed=True)
    else:
        n = len(item)
        if n < 64:
            body = bytes((0x80 | n,)) + item
        elif n < 4096:
            body = bytes((0xE0 | n >> 8, n & 0xFF)) + item
        else:
            body = b"\xf0" + n.to_bytes(4, "little") + item
    return body + _backlen(len(body))


def _backlen(n: int) -> bytes:
    """lpEncodeBacklen: 7 bits a byte, the byte nearest the entry first; read from the end backwards."""
    if n <= 127:
        return bytes((n,))
    width = 2 if n < 16383 else 3 if n < 2097151 else 4 if n < 268435455 else 5
    out = [(n >> (7 * k)) & 127 | 128 for k in range(width)]
    out[-1] &= 127
    return bytes(reversed(out))


def listpack(entries: Iterable[bytes]) -> bytes:
    body = bytearray()
    count = 0
    for entry in entries:
        body += entry
        count += 1
    total = 6 + len(body) + 1
    return total.to_bytes(4, "little") + min(count, 65535).to_bytes(2, "little") + bytes(body) + b"\xff"


_FILL_LEVELS = (4096, 8192, 16384, 32768, 65536)  # list-max-listpack-size -1 .. -5
_SIZE_SAFETY_LIMIT = 8192
_SIZE_ESTIMATE_OVERHEAD = 8
_MIN_COMPRESS_BYTES = 48
_MIN_COMPRESS_IMPROVE = 8


def _quicklist_nodes(items: Iterable[bytes], fill: int) -> Iterator[bytes]:
    """The listpacks of a quicklist filled by RPUSH (quicklistPushTail's _quicklistNodeAllowInsert)."""
    fill = max(-5, min(fill, (1 << 15) - 1))
    entries: list[bytes] = []
    size = 0  # the node's listpack size (lpBytes)
    for item in items:
        if entries:
            new_size = size + len(item) + _SIZE_ESTIMATE_OVERHEAD
            if fill < 0:
                fits = new_size <= _FILL_LEVELS[-fill - 1]
            else:
                fits = new_size <= _SIZE_SAFETY_LIMIT and len(entries) < fill
            if not fits:
                yield listpack(entries)
                entries, size = [], 0
        entry = _lp_entry(item)
        entries.append(entry)
        size = (size or 7) + len(entry)
    if entries:
        yield listpack(entries)


def _list_body(items: QuickList, enc: Encodings) -> bytes:
    nodes = list(_quicklist_nodes(items, enc.list_fill))
    depth = enc.list_compress_depth
    out = bytearray(_len(len(nodes)))
    for i, node in enumerate(nodes):
        out += b"\x02"  # QUICKLIST_NODE_CONTAINER_PACKED
        inner = depth > 0 and depth <= i < len(nodes) - depth
        if inner and len(node) >= _MIN_COMPRESS_BYTES:
            # A node Redis keeps compressed in memory is saved as that LZF blob (rdbSaveLzfBlob).
            packed = lzf_compress(node, len(node))
            if packed is not None and len(packed) + _MIN_COMPRESS_IMPROVE < len(node):
                out += b"\xc3" + _len(len(packed)) + _len(len(node)) + packed
                continue
        out += _string(node, enc.compression)
    return bytes(out)


def _intset(members: list[int]) -> bytes:
    low, high = min(members), max(members)
    width = 8
    if low >= -(1 << 31) and high < 1 << 31:
        width = 2 if low >= -(1 << 15) and high < 1 << 15 else 4
    body = b"".join(m.to_bytes(width, "little", signed=True) for m in sorted(members))
    return width.to_bytes(4, "little") + len(members).to_bytes(4, "little") + body


def encode_value(value: Value, enc: Encodings) -> tuple[RdbType, bytes]:
    """The RDB type and body Redis 7.0 would write for this content under these thresholds."""
    compress = enc.compression
    if isinstance(value, bytes):
        return RdbType.STRING, _string(value, compress)
    if isinstance(value, QuickList):
        return RdbType.LIST_QUICKLIST_2, _list_body(value, enc)
    if isinstance(value, set):
        if len(value) <= enc.intset_entries:
            ints = [as_long(m) for m in value]
            if all(i is not None for i in ints):
                return RdbType.SET_INTSET, _string(_intset(ints), compress)  # type: ignore[arg-type]
        return RdbType.SET, _len(len(value)) + b"".join(_string(m, compress) for m in value)
    if isinstance(value, dict):
        limit = enc.hash_value
        small = len(value) <= enc.hash_entries
        if small and all(len(f) <= limit and len(v) <= limit for f, v in value.items()):
            pack = listpack(_lp_entry(part) for pair in value.items() for part in pair)
            return RdbType.HASH_LISTPACK, _string(pack, compress)
        body = b"".join(_string(f, compress) + _string(v, compress) for f, v in value.items())
        return RdbType.HASH, _len(len(value)) + body
    if isinstance(value, ZSet):
        limit = enc.zset_value
        if len(value) <= enc.zset_entries and all(len(m) <= limit for m in value.scores):
            pack = listpack(e for score, m in value for e in (_lp_entry(m), _lp_entry(d2string(score))))
            return RdbType.ZSET_LISTPACK, _string(pack, compress)
        # Greatest first, as Redis walks its skiplist from the tail.
        body = b"".join(_string(m, compress) + struct.pack("<d", s) for s, m in reversed(value.order))
        return RdbType.ZSET_2, _len(len(value)) + body
    raise TypeError(type(value).__name__)


def dump(value: Value, enc: Encodings = Encodings()) -> bytes:
    kind, body = encode_value(value, enc)
    payload = bytes((kind,)) + body + RDB_VERSION.to_bytes(2, "little")
    return payload + crc64(payload).to_bytes(8, "little")


# ---- reading ------------------------------------------------------------------------------------


def verify(payload: bytes) -> None:
    """verifyDumpPayload: at least 10 bytes, a version this server knows, the CRC of the rest."""
    if len(payload) < 10:
        raise PayloadError("payload too short")
    version = int.from_bytes(payload[-10:-8], "little")
    if version > RDB_VERSION:
        raise PayloadError(f"RDB version {version} is newer than {RDB_VERSION}")
    if int.from_bytes(payload[-8:], "little") != crc64(payload[:-8]):
        raise PayloadError("checksum mismatch")


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise FormatError("value cut short")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def length(self) -> tuple[int, bool]:
        """(length, is_encoded): is_encoded means the low 6 bits name a special string encoding."""
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return (first & 0x3F) << 8 | self.byte(), False
        if kind == 3:
            return first & 0x3F, True
        if first == 0x80:
            return int.from_bytes(self.take(4), "big"), False
        if first == 0x81:
            return int.from_bytes(self.take(8), "big"), False
        raise FormatError(f"unknown length encoding {first:#x}")

    def plain_length(self) -> int:
        n, encoded = self.length()
        if encoded:
            raise FormatError("a length was expected")
        return n

    def string(self) -> bytes:
        n, encoded = self.length()
        if not encoded:
            return self.take(n)
        if n == 0:
            return str(int.from_bytes(self.take(1), "little", signed=True)).encode()
        if n == 1:
            return str(int.from_bytes(self.take(2), "little", signed=True)).encode()
        if n == 2:
            return str(int.from_bytes(self.take(4), "little", signed=True)).encode()
        if n == 3:
            clen = self.plain_length()
            size = self.plain_length()
            try:
                return lzf_decompress(self.take(clen), size)
            except LzfError as e:
                raise FormatError(str(e)) from None
        raise FormatError(f"unknown string encoding {n}")


def _lp_items(blob: bytes) -> list[bytes]:
    """The elements of a listpack, integers spelled as decimal text."""
    if len(blob) < 7 or int.from_bytes(blob[:4], "little") != len(blob) or blob[-1] != 0xFF:
        raise FormatError("listpack header does not match its size")
    items: list[bytes] = []
    i, end = 6, len(blob) - 1
    while i < end:
        b = blob[i]
        if b < 0x80:
            body_len, item = 1, str(b).encode()
        elif b < 0xC0:
            n = b & 0x3F
            body_len, item = 1 + n, blob[i + 1 : i + 1 + n]
        elif b < 0xE0:
            v = (b & 0x1F) << 8 | blob[i + 1]
            body_len, item = 2, str(v - 0x2000 if v >= 0x1000 else v).encode()
        elif b < 0xF0:
            n = (b & 0x0F) << 8 | blob[i + 1]
            body_len, item = 2 + n, blob[i + 2 : i + 2 + n]
        elif b == 0xF0:
            n = int.from_bytes(blob[i + 1 : i + 5], "little")
            body_len, item = 5 + n, blob[i + 5 : i + 5 + n]
        elif 0xF1 <= b <= 0xF4:
            width = {0xF1: 2, 0xF2: 3, 0xF3: 4, 0xF4: 8}[b]
            body_len = 1 + width
            item = str(int.from_bytes(blob[i + 1 : i + 1 + width], "little", signed=True)).encode()
        else:
            raise FormatError(f"bad listpack entry encoding {b:#x}")
        i += body_len + len(_backlen(body_len))
        if i > end:
            raise FormatError("listpack entry past the end")
        items.append(item)
    if i != end:
        raise FormatError("listpack entries do not end at the terminator")
    return items


def _zl_items(blob: bytes) -> list[bytes]:
    """The elements of a ziplist (the pre-7.0 compact encoding)."""
    if len(blob) < 11 or int.from_bytes(blob[:4], "little") != len(blob) or blob[-1] != 0xFF:
        raise FormatError("ziplist header does not match its size")
    items: list[bytes] = []
    i, end = 10, len(blob) - 1
    while i < end:
        i += 5 if blob[i] == 0xFE else 1  # prevlen
        if i >= end:
            raise FormatError("ziplist entry past the end")
        b = blob[i]
        kind = b >> 6
        if kind == 0:
            n, i = b & 0x3F, i + 1
        elif kind == 1:
            n, i = (b & 0x3F) << 8 | blob[i + 1], i + 2
        elif b == 0x80:
            n, i = int.from_bytes(blob[i + 1 : i + 5], "big"), i + 5
        else:
            width = {0xC0: 2, 0xD0: 4, 0xE0: 8, 0xF0: 3, 0xFE: 1}.get(b)
            if width is not None:
                items.append(str(int.from_bytes(blob[i + 1 : i + 1 + width], "little", signed=True)).encode())
                i += 1 + width
            elif 0xF1 <= b <= 0xFD:
                items.append(str((b & 0x0F) - 1).encode())
                i += 1
            else:
                raise FormatError(f"bad ziplist entry encoding {b:#x}")
            continue
        if i + n > end:
            raise FormatError("ziplist entry past the end")
        items.append(blob[i : i + n])
        i += n
    return items


def _intset_items(blob: bytes) -> list[bytes]:
    if len(blob) < 8:
        raise FormatError("intset too short")
    width = int.from_bytes(blob[:4], "little")
    count = int.from_bytes(blob[4:8], "little")
    if width not in (2, 4, 8) or len(blob) != 8 + width * count:
        raise FormatError("intset header does not match its size")
    return [str(int.from_bytes(blob[8 + k * width : 8 + (k + 1) * width], "little", signed=True)).encode()
            for k in range(count)]  # fmt: skip


def _zipmap_pairs(blob: bytes) -> list[bytes]:
    items: list[bytes] = []
    i, n = 1, len(blob)
    while i < n and blob[i] != 0xFF:
        for is_value in (False, True):
            size = blob[i]
            if size == 254:
                size, i = int.from_bytes(blob[i + 1 : i + 5], "little"), i + 5
            elif size == 255:
                raise FormatError("zipmap cut short")
            else:
                i += 1
            free = 0
            if is_value:
                free, i = blob[i], i + 1
            if i + size + free > n:
                raise FormatError("zipmap entry past the end")
            items.append(blob[i : i + size])
            i += size + free
    if i >= n:
        raise FormatError("zipmap without terminator")
    return items


def _hash(pairs: list[bytes]) -> dict[bytes, bytes]:
    if len(pairs) % 2:
        raise FormatError("hash with a field but no value")
    out = dict(zip(pairs[::2], pairs[1::2], strict=True))
    if len(out) * 2 != len(pairs):
        raise FormatError("duplicate hash fields")
    return out


def _zset(pairs: Iterable[tuple[bytes, float]]) -> ZSet:
    z = ZSet()
    for member, score in pairs:
        if math.isnan(score):
            raise FormatError("NaN score")
        if not z.add(member, score):
            raise FormatError("duplicate sorted set members")
    return z


def _set(members: Iterable[bytes], count: int) -> set[bytes]:
    out = set(members)
    if len(out) != count:
        raise FormatError("duplicate set members")
    return out


def _text_score(r: _Reader) -> float:
    n = r.byte()
    if n == 253:
        raise FormatError("NaN score")
    if n == 254:
        return math.inf
    if n == 255:
        return -math.inf
    return parse_score(r.take(n))


def decode_value(kind: int, r: _Reader) -> Value:
    value: Value
    if kind == RdbType.STRING:
        return r.string()
    if kind == RdbType.LIST:
        value = QuickList(r.string() for _ in range(r.plain_length()))
    elif kind == RdbType.LIST_ZIPLIST:
        value = QuickList(_zl_items(r.string()))
    elif kind in (RdbType.LIST_QUICKLIST, RdbType.LIST_QUICKLIST_2):
        value = QuickList()
        for _ in range(r.plain_length()):
            container = 2 if kind == RdbType.LIST_QUICKLIST else r.plain_length()
            blob = r.string()
            if container == 1:  # PLAIN: one big element
                value.append(blob)
            elif container == 2:
                value.extend(_lp_items(blob) if kind == RdbType.LIST_QUICKLIST_2 else _zl_items(blob))
            else:
                raise FormatError(f"unknown quicklist container {container}")
    elif kind == RdbType.SET:
        count = r.plain_length()
        value = _set((r.string() for _ in range(count)), count)
    elif kind == RdbType.SET_INTSET:
        items = _intset_items(r.string())
        value = _set(items, len(items))
    elif kind == RdbType.HASH:
        value = _hash([r.string() for _ in range(2 * r.plain_length())])
    elif kind in (RdbType.HASH_LISTPACK, RdbType.HASH_ZIPLIST, RdbType.HASH_ZIPMAP):
        blob = r.string()
        if kind == RdbType.HASH_LISTPACK:
            value = _hash(_lp_items(blob))
        else:
            value = _hash(_zl_items(blob) if kind == RdbType.HASH_ZIPLIST else _zipmap_pairs(blob))
    elif kind == RdbType.ZSET_2:
        count = r.plain_length()
        value = _zset((r.string(), struct.unpack("<d", r.take(8))[0]) for _ in range(count))
    elif kind == RdbType.ZSET:
        count = r.plain_length()
        value = _zset((r.string(), _text_score(r)) for _ in range(count))
    elif kind in (RdbType.ZSET_LISTPACK, RdbType.ZSET_ZIPLIST):
        items = (_lp_items if kind == RdbType.ZSET_LISTPACK else _zl_items)(r.string())
        if len(items) % 2:
            raise FormatError("sorted set member without a score")
        value = _zset(zip(items[::2], map(parse_score, items[1::2]), strict=True))
    else:
        raise FormatError(f"RDB type {kind} is not served here (modules and streams are not)")
    if not value:
        raise FormatError("empty collection")
    return value


def load(payload: bytes) -> Value:
    """The value of a DUMP payload; PayloadError for a bad version or checksum, FormatError for bad data."""
    verify(payload)
    r = _Reader(payload)  # the trailer too: Redis reads the value from the whole buffer
    try:
        return decode_value(r.byte(), r)
    except IndexError:
        raise FormatError("value cut short") from None
