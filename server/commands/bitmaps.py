"""Bitmap commands (Redis 7.0 bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.

A bitmap is a string value; bit 0 is the most significant bit of the first byte. Writes rebuild the
string (values are immutable bytes, so readers and the hot path stay untouched)."""

from __future__ import annotations

from typing import Any

from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.commands.values import typed
from server.context import Ctx
from server.texts import (
    BIT_ARG,
    BIT_OFFSET,
    BIT_VALUE,
    BITFIELD_OVERFLOW,
    BITFIELD_RO_ONLY_GET,
    BITFIELD_TYPE,
    BITOP_NOT_ONE_KEY,
    NOT_INTEGER,
    STRING_TOO_LONG,
    SYNTAX,
)


def max_len(ctx: Ctx) -> int:
    return int(ctx.server.config["proto-max-bulk-len"])


def check_length(ctx: Ctx, size: int) -> None:
    """checkStringLength: a write may not grow a string past proto-max-bulk-len."""
    if size > max_len(ctx):
        raise CommandError(STRING_TOO_LONG)


def _bit_offset(ctx: Ctx, arg: bytes, hash_bits: int = 0) -> int:
    """getBitOffsetFromArgument; with hash_bits, '#N' means N * hash_bits (BITFIELD)."""
    use_hash = hash_bits and arg[:1] == b"#"
    offset = parse_ll(arg[1:] if use_hash else arg)
    if offset is None:
        raise CommandError(BIT_OFFSET)
    if use_hash:
        offset *= hash_bits
    if offset < 0 or (offset >> 3) >= max_len(ctx):
        raise CommandError(BIT_OFFSET)
    return offset


def _grown(ctx: Ctx, key: bytes, max_bit: int) -> bytearray:
    """lookupStringForBitCommand: the string at key, padded with zero bytes to hold bit max_bit."""
    old = typed(ctx.db, key, bytes)
    need = (max_bit >> 3) + 1
    buf = bytearray(old or b"")
    if len(buf) < need:
        buf.extend(bytes(need - len(buf)))
    return buf


def _store(ctx: Ctx, key: bytes, buf: bytearray) -> None:
    db = ctx.db
    if db.lookup(key) is None:
        db.set(key, bytes(buf))
    else:
        db.replace(key, bytes(buf))


@command("setbit", 4, "write denyoom", keys=(1, 1, 1))
def setbit(ctx: Ctx, args: list[bytes]) -> int:
    offset = _bit_offset(ctx, args[2])
    on = parse_ll(args[3])
    if on is None or on & ~1:
        raise CommandError(BIT_VALUE)
    buf = _grown(ctx, args[1], offset)
    byte, mask = offset >> 3, 1 << (7 - (offset & 7))
    old = int(bool(buf[byte] & mask))
    buf[byte] = (buf[byte] | mask) if on else (buf[byte] & ~mask)
    _store(ctx, args[1], buf)
    return old


@command("getbit", 3, "readonly fast", keys=(1, 1, 1))
def getbit(ctx: Ctx, args: list[bytes]) -> int:
    offset = _bit_offset(ctx, args[2])
    value = typed(ctx.db, args[1], bytes)
    if value is None or (offset >> 3) >= len(value):
        return 0
    return int(bool(value[offset >> 3] & (1 << (7 - (offset & 7)))))


def _range(start: int, end: int, total: int) -> tuple[int, int]:
    """Redis's index normalisation for BITCOUNT / BITPOS ranges (end clamped to total - 1)."""
    if start < 0:
        start += total
    if end < 0:
        end += total
    start, end = max(start, 0), max(end, 0)
    return start, min(end, total - 1)


def _unit(arg: bytes) -> bool:
    """True for BIT, False for BYTE."""
    unit = arg.lower()
    if unit not in (b"bit", b"byte"):
        raise CommandError(SYNTAX)
    return unit == b"bit"


def _ll(arg: bytes) -> int:
    value = parse_ll(arg)
    if value is None:
        raise CommandError(NOT_INTEGER)
    return value


def _bits(value: bytes, lo: int, hi: int) -> int:
    """Bits lo..hi (inclusive, bit positions) as an integer of hi - lo + 1 bits."""
    first, last = lo >> 3, hi >> 3
    n = int.from_bytes(value[first : last + 1], "big")
    return (n >> (7 - (hi & 7))) & ((1 << (hi - lo + 1)) - 1)


@command("bitcount", -2, "readonly", keys=(1, 1, 1))
def bitcount(ctx: Ctx, args: list[bytes]) -> int:
    value = typed(ctx.db, args[1], bytes)
    if value is None:
        return 0
    argc = len(args)
    if argc == 2:
        return int.from_bytes(value, "big").bit_count()
    if argc not in (4, 5):
        raise CommandError(SYNTAX)
    start, end = _ll(args[2]), _ll(args[3])
    if start < 0 and end < 0 and start > end:
        return 0
    is_bit = _unit(args[4]) if argc == 5 else False
    total = len(value) * 8 if is_bit else len(value)
    start, end = _range(start, end, total)
    if start > end:
        return 0
    if not is_bit:
        start, end = start * 8, end * 8 + 7
    return _bits(value, start, end).bit_count()


@command("bitpos", -3, "readonly", keys=(1, 1, 1))
def bitpos(ctx: Ctx, args: list[bytes]) -> int:
    bit = parse_ll(args[2])
    if bit is None:
        raise CommandError(NOT_INTEGER)
    if bit not in (0, 1):
        raise CommandError(BIT_ARG)
    value = typed(ctx.db, args[1], bytes)
    if value is None:
        return -1 if bit else 0
    argc = len(args)
    end_given = argc >= 5
    if argc == 3:
        lo, hi = 0, len(value) * 8 - 1
    elif argc <= 6:
        start = _ll(args[3])
        is_bit = _unit(args[5]) if argc == 6 else False
        end = _ll(args[4]) if end_given else (len(value) * 8 + 7 if is_bit else len(value) - 1)
        total = len(value) * 8 if is_bit else len(value)
        start, end = _range(start, end, total)
        if start > end:
            return -1
        lo, hi = (start, end) if is_bit else (start * 8, end * 8 + 7)
    else:
        raise CommandError(SYNTAX)
    if lo > hi:
        return -1
    width = hi - lo + 1
    n = _bits(value, lo, hi)
    if bit:
        return -1 if n == 0 else lo + width - n.bit_length()
    inverted = n ^ ((1 << width) - 1)
    if inverted == 0:
        return -1 if end_given else ((hi >> 3) + 1) * 8
    return lo + width - inverted.bit_length()


@command("bitop", -4, "write denyoom", keys=(2, -1, 1))
def bitop(ctx: Ctx, args: list[bytes]) -> int:
    op = args[1].lower()
    if op not in (b"and", b"or", b"xor", b"not"):
        raise CommandError(SYNTAX)
    if op == b"not" and len(args) != 4:
        raise CommandError(BITOP_NOT_ONE_KEY)
    db = ctx.db
    sources = [typed(db, key, bytes) or b"" for key in args[3:]]
    size = max(len(s) for s in sources)
    dest = args[2]
    if not size:
        if not db.delete(dest):
            ctx.log_as()
        return 0
    nums = [int.from_bytes(s.ljust(size, b"\0"), "big") for s in sources]
    result = nums[0]
    if op == b"not":
        result ^= (1 << (8 * size)) - 1
    for n in nums[1:]:
        if op == b"and":
            result &= n
        elif op == b"or":
            result |= n
        else:
            result ^= n
    db.set(dest, result.to_bytes(size, "big"))
    return size


_WRAP, _SAT, _FAIL = 0, 1, 2
_OVERFLOW = {b"wrap": _WRAP, b"sat": _SAT, b"fail": _FAIL}


def _field_type(arg: bytes) -> tuple[bool, int]:
    """getBitfieldTypeFromArgument: (signed, bits); i1..i64, u1..u63."""
    text = arg.split(b"\0", 1)[0]
    signed = text[:1] == b"i"
    bits = parse_ll(text[1:])
    if text[:1] not in (b"i", b"u") or bits is None or bits < 1 or bits > (64 if signed else 63):
        raise CommandError(BITFIELD_TYPE)
    return signed, bits


def _limit(value: int, signed: bool, bits: int, overflow: int) -> int | None:
    """The value to store after an overflow check (Redis's check*BitfieldOverflow); None: FAIL."""
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if low <= value <= high:
        return value
    if overflow == _FAIL:
        return None
    if overflow == _SAT:
        return high if value > high else low
    wrapped = value & ((1 << bits) - 1)
    if signed and wrapped > high:
        wrapped -= 1 << bits
    return wrapped


def _read_field(buf: bytes | bytearray, offset: int, bits: int, signed: bool) -> int:
    end = offset + bits - 1
    need = (end >> 3) + 1
    data = bytes(buf[:need]).ljust(need, b"\0") if len(buf) < need else buf
    n = _bits(bytes(data[offset >> 3 : need]), offset & 7, (offset & 7) + bits - 1)
    if signed and n >> (bits - 1):
        n -= 1 << bits
    return n


def _write_field(buf: bytearray, offset: int, bits: int, value: int) -> None:
    first, last = offset >> 3, (offset + bits - 1) >> 3
    span = (last - first + 1) * 8
    shift = span - (offset & 7) - bits
    n = int.from_bytes(buf[first : last + 1], "big")
    mask = ((1 << bits) - 1) << shift
    n = (n & ~mask) | ((value & ((1 << bits) - 1)) << shift)
    buf[first : last + 1] = n.to_bytes(last - first + 1, "big")


def _bitfield(ctx: Ctx, args: list[bytes], readonly_command: bool) -> list[Any]:
    ops: list[tuple[bytes, bool, int, int, int, int]] = []  # (op, signed, bits, offset, value, overflow)
    overflow = _WRAP
    writes = False
    highest = 0
    j, argc = 2, len(args)
    while j < argc:
        remaining = argc - j - 1
        op = args[j].lower()
        if op == b"overflow" and remaining >= 1:
            kind = _OVERFLOW.get(args[j + 1].lower())
            if kind is None:
                raise CommandError(BITFIELD_OVERFLOW)
            overflow = kind
            j += 2
            continue
        if not ((op == b"get" and remaining >= 2) or (op in (b"set", b"incrby") and remaining >= 3)):
            raise CommandError(SYNTAX)
        signed, bits = _field_type(args[j + 1])
        offset = _bit_offset(ctx, args[j + 2], bits)
        value = 0
        if op != b"get":
            writes = True
            highest = max(highest, offset + bits - 1)
            value = _ll(args[j + 3])
        ops.append((op, signed, bits, offset, value, overflow))
        j += 3 if op == b"get" else 4
    if not writes:
        current = typed(ctx.db, args[1], bytes) or b""
        ctx.log_as()
        return [_read_field(current, offset, bits, signed) for _, signed, bits, offset, _, _ in ops]
    if readonly_command:
        raise CommandError(BITFIELD_RO_ONLY_GET)
    buf = _grown(ctx, args[1], highest)
    out: list[Any] = []
    for op, signed, bits, offset, value, kind in ops:
        old = _read_field(buf, offset, bits, signed)
        if op == b"get":
            out.append(old)
            continue
        if op == b"set" and not signed:
            value &= (1 << 64) - 1  # the C code stores the argument as uint64_t
        new = _limit(old + value if op == b"incrby" else value, signed, bits, kind)
        if new is None:
            out.append(None)
            continue
        _write_field(buf, offset, bits, new)
        out.append(new if op == b"incrby" else old)
    _store(ctx, args[1], buf)
    return out


@command("bitfield", -2, "write denyoom", keys=(1, 1, 1))
def bitfield(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _bitfield(ctx, args, readonly_command=False)


@command("bitfield_ro", -2, "readonly fast", keys=(1, 1, 1))
def bitfield_ro(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _bitfield(ctx, args, readonly_command=True)
