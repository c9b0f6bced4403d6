"""String commands (Redis 7.0 t_string.c): GET SET SETEX PSETEX SETNX MGET MSET INCR DECR INCRBY DECRBY
INCRBYFLOAT APPEND STRLEN GETDEL GETEX.

GET and plain `SET key value` are the benchmarked hot path: they take the shortest route. Everything
that depends on the clock reaches the AOF in absolute form (SET ... PXAT, PEXPIREAT), INCRBYFLOAT as
the SET of its result, so a replay is exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from server import texts
from server.commands.bitmaps import check_length
from server.commands.redisnum import (
    LLONG_MAX,
    LLONG_MIN,
    add_ld,
    format_ld_human,
    is_finite,
    parse_ld,
    parse_ll,
)
from server.commands.registry import CommandError, command
from server.commands.values import arity_error, typed
from server.context import Ctx
from server.resp import OK, SimpleString
from server.texts import (
    DECR_OVERFLOW,
    INCR_NAN,
    INCR_OVERFLOW,
    LCS_BOTH,
    LCS_TYPES,
    NOT_FLOAT,
    NOT_INTEGER,
    OFFSET_RANGE,
    SYNTAX,
    WRONGTYPE,
)

# parseExtendedStringArgumentsOrReply flags
_NX, _XX, _GET, _KEEPTTL, _PERSIST = 1, 2, 4, 8, 16
_EX, _PX, _EXAT, _PXAT = 32, 64, 128, 256
_EXPIRES = _EX | _PX | _EXAT | _PXAT
_OPTION_FLAGS = {
    b"nx": _NX, b"xx": _XX, b"get": _GET, b"keepttl": _KEEPTTL, b"persist": _PERSIST,
    b"ex": _EX, b"px": _PX, b"exat": _EXAT, b"pxat": _PXAT,
}  # fmt: skip
# What each option may not be combined with; SET_ONLY / GET_ONLY say which command accepts it.
_CONFLICTS = {
    _NX: _XX, _XX: _NX, _GET: 0, _KEEPTTL: _PERSIST | _EXPIRES, _PERSIST: _EXPIRES | _KEEPTTL,
    _EX: _KEEPTTL | _PERSIST | _EXAT | _PX | _PXAT, _PX: _KEEPTTL | _PERSIST | _EX | _EXAT | _PXAT,
    _EXAT: _KEEPTTL | _PERSIST | _EX | _PX | _PXAT, _PXAT: _KEEPTTL | _PERSIST | _EX | _EXAT | _PX,
}  # fmt: skip
_SET_ONLY = _NX | _XX | _GET | _KEEPTTL
_GET_ONLY = _PERSIST


def _parse_options(args: list[bytes], start: int, for_set: bool) -> tuple[int, bytes | None]:
    """Redis's parseExtendedStringArgumentsOrReply: (flags, the expire argument or None)."""
    flags = 0
    expire: bytes | None = None
    j, argc = start, len(args)
    while j < argc:
        name = args[j].lower()
        if b"\0" in name:  # C compares up to the first NUL
            name = name[: name.index(b"\0")]
        flag = _OPTION_FLAGS.get(name, 0)
        if (
            not flag
            or flags & _CONFLICTS[flag]
            or (flag & _SET_ONLY and not for_set)
            or (flag & _GET_ONLY and for_set)
            or (flag & _EXPIRES and j == argc - 1)
        ):
            raise CommandError(SYNTAX)
        flags |= flag
        if flag & _EXPIRES:
            j += 1
            expire = args[j]
        j += 1
    return flags, expire


def _expire_at_ms(ctx: Ctx, arg: bytes, flags: int, name: str) -> int:
    """getExpireMillisecondsOrReply: the absolute expiry time in ms."""
    ms = parse_ll(arg)
    if ms is None:
        raise CommandError(NOT_INTEGER)
    seconds = flags & (_EX | _EXAT)
    if ms <= 0 or (seconds and ms > LLONG_MAX // 1000):
        raise CommandError(texts.invalid_expire_time(name))
    if seconds:
        ms *= 1000
    if flags & (_EX | _PX):
        ms += ctx.now_ms()
        if ms > LLONG_MAX:  # the C addition would wrap to a negative time
            raise CommandError(texts.invalid_expire_time(name))
    return ms


def _set_generic(
    ctx: Ctx, flags: int, key: bytes, value: bytes, expire: bytes | None, name: str,
    ok_reply: Any = OK, abort_reply: Any = None,
) -> Any:  # fmt: skip
    when = _expire_at_ms(ctx, expire, flags, name) if expire is not None else 0
    db = ctx.db
    old = typed(db, key, bytes) if flags & _GET else None
    if flags & (_NX | _XX):
        found = (old if flags & _GET else db.lookup(key)) is not None
        if (flags & _NX and found) or (flags & _XX and not found):
            ctx.log_as()
            return old if flags & _GET else abort_reply
    keepttl = bool(flags & _KEEPTTL)
    db.set(key, value, keepttl)
    if expire is not None:
        db.set_expire_ms(key, when)
        ctx.log_as([b"SET", key, value, b"PXAT", str(when).encode()])
    elif flags & (_GET | _NX | _XX):
        ctx.log_as([b"SET", key, value, b"KEEPTTL"] if keepttl else [b"SET", key, value])
    return old if flags & _GET else ok_reply


@command("get", 2, "readonly fast", keys=(1, 1, 1))
def get(ctx: Ctx, args: list[bytes]) -> bytes | None:
    db = ctx.db
    # Without TTLs in the database lookup() is a plain dict read: skip the call on the hot path.
    value = db.lookup(args[1]) if db.expires else db.data.get(args[1])
    if value is None or type(value) is bytes:
        return value
    raise CommandError(WRONGTYPE)


@command("set", -3, "write denyoom", keys=(1, 1, 1))
def set_(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) == 3:
        db = ctx.db
        if db.expires or db.watchers:  # a TTL to drop or a WATCH to notify: the full Database.set()
            db.set(args[1], args[2])
        else:  # what set() comes down to otherwise, without the call
            db.data[args[1]] = args[2]
        return OK
    flags, expire = _parse_options(args, 3, for_set=True)
    return _set_generic(ctx, flags, args[1], args[2], expire, "set")


@command("setex", 4, "write denyoom", keys=(1, 1, 1))
def setex(ctx: Ctx, args: list[bytes]) -> Any:
    return _set_generic(ctx, _EX, args[1], args[3], args[2], "setex")


@command("psetex", 4, "write denyoom", keys=(1, 1, 1))
def psetex(ctx: Ctx, args: list[bytes]) -> Any:
    return _set_generic(ctx, _PX, args[1], args[3], args[2], "psetex")


@command("setnx", 3, "write denyoom fast", keys=(1, 1, 1))
def setnx(ctx: Ctx, args: list[bytes]) -> Any:
    return _set_generic(ctx, _NX, args[1], args[2], None, "setnx", 1, 0)


@command("mget", -2, "readonly fast", keys=(1, -1, 1))
def mget(ctx: Ctx, args: list[bytes]) -> list[bytes | None]:
    lookup = ctx.db.lookup
    out: list[bytes | None] = []
    for key in args[1:]:
        value = lookup(key)
        out.append(value if type(value) is bytes else None)
    return out


@command("mset", -3, "write denyoom", keys=(1, -1, 2))
def mset(ctx: Ctx, args: list[bytes]) -> SimpleString:
    if len(args) % 2 == 0:
        raise arity_error("mset")
    db = ctx.db
    for i in range(1, len(args), 2):
        db.set(args[i], args[i + 1])
    return OK


def _incr_by(ctx: Ctx, key: bytes, incr: int) -> int:
    db = ctx.db
    old = typed(db, key, bytes)
    value = 0 if old is None else parse_ll(old)
    if value is None:
        raise CommandError(NOT_INTEGER)
    if (incr < 0 and value < 0 and incr < LLONG_MIN - value) or (
        incr > 0 and value > 0 and incr > LLONG_MAX - value
    ):
        raise CommandError(INCR_OVERFLOW)
    value += incr
    if old is None:
        db.set(key, b"%d" % value)
    else:
        db.replace(key, b"%d" % value)  # INCR keeps the TTL
    return value


def _increment_arg(arg: bytes) -> int:
    incr = parse_ll(arg)
    if incr is None:
        raise CommandError(NOT_INTEGER)
    return incr


@command("incr", 2, "write denyoom fast", keys=(1, 1, 1))
def incr(ctx: Ctx, args: list[bytes]) -> int:
    return _incr_by(ctx, args[1], 1)


@command("decr", 2, "write denyoom fast", keys=(1, 1, 1))
def decr(ctx: Ctx, args: list[bytes]) -> int:
    return _incr_by(ctx, args[1], -1)


@command("incrby", 3, "write denyoom fast", keys=(1, 1, 1))
def incrby(ctx: Ctx, args: list[bytes]) -> int:
    return _incr_by(ctx, args[1], _increment_arg(args[2]))


@command("decrby", 3, "write denyoom fast", keys=(1, 1, 1))
def decrby(ctx: Ctx, args: list[bytes]) -> int:
    incr = _increment_arg(args[2])
    if incr == LLONG_MIN:
        raise CommandError(DECR_OVERFLOW)
    return _incr_by(ctx, args[1], -incr)


@command("incrbyfloat", 3, "write denyoom fast", keys=(1, 1, 1))
def incrbyfloat(ctx: Ctx, args: list[bytes]) -> bytes:
    key = args[1]
    db = ctx.db
    old = typed(db, key, bytes)
    value = parse_ld(old) if old is not None else Fraction(0)
    incr = parse_ld(args[2])
    if value is None or incr is None:
        raise CommandError(NOT_FLOAT)
    total = add_ld(value, incr)
    if not is_finite(total):
        raise CommandError(INCR_NAN)
    new = format_ld_human(total)
    if old is None:
        db.set(key, new)
    else:
        db.replace(key, new)
    # Logged as the resulting value so that float formatting never differs on replay.
    ctx.log_as([b"SET", key, new, b"KEEPTTL"])
    return new


@command("append", 3, "write denyoom fast", keys=(1, 1, 1))
def append(ctx: Ctx, args: list[bytes]) -> int:
    key = args[1]
    db = ctx.db
    old = typed(db, key, bytes)
    if old is None:
        db.set(key, args[2])
        return len(args[2])
    new = old + args[2]
    db.replace(key, new)
    return len(new)


@command("strlen", 2, "readonly fast", keys=(1, 1, 1))
def strlen(ctx: Ctx, args: list[bytes]) -> int:
    value = typed(ctx.db, args[1], bytes)
    return 0 if value is None else len(value)


@command("getdel", 2, "write fast", keys=(1, 1, 1))
def getdel(ctx: Ctx, args: list[bytes]) -> bytes | None:
    db = ctx.db
    value = typed(db, args[1], bytes)
    if value is None:
        ctx.log_as()
        return None
    db.delete(args[1])
    ctx.log_as([b"DEL", args[1]])
    return value


@command("getex", -2, "write fast", keys=(1, 1, 1))
def getex(ctx: Ctx, args: list[bytes]) -> bytes | None:
    flags, expire = _parse_options(args, 2, for_set=False)
    key = args[1]
    db = ctx.db
    value = typed(db, key, bytes)
    ctx.log_as()
    if value is None:
        return None
    when = _expire_at_ms(ctx, expire, flags, "getex") if expire is not None else 0
    if flags & (_EXAT | _PXAT) and when <= ctx.now_ms() and not ctx.keyspace.loading:
        db.delete(key)
        ctx.log_as([b"DEL", key])
    elif expire is not None:
        db.set_expire_ms(key, when)
        ctx.log_as([b"PEXPIREAT", key, str(when).encode()])
    elif flags & _PERSIST and db.persist(key):
        ctx.log_as([b"PERSIST", key])
    return value


@command("getset", 3, "write denyoom fast", keys=(1, 1, 1))
def getset(ctx: Ctx, args: list[bytes]) -> bytes | None:
    db = ctx.db
    old = typed(db, args[1], bytes)
    db.set(args[1], args[2])
    return old


@command("msetnx", -3, "write denyoom", keys=(1, -1, 2))
def msetnx(ctx: Ctx, args: list[bytes]) -> int:
    if len(args) % 2 == 0:
        raise arity_error("msetnx")
    db = ctx.db
    if any(db.lookup(args[i]) is not None for i in range(1, len(args), 2)):
        ctx.log_as()
        return 0
    for i in range(1, len(args), 2):
        db.set(args[i], args[i + 1])
    return 1


@command("setrange", 4, "write denyoom", keys=(1, 1, 1))
def setrange(ctx: Ctx, args: list[bytes]) -> int:
    offset = parse_ll(args[2])
    if offset is None:
        raise CommandError(NOT_INTEGER)
    if offset < 0:
        raise CommandError(OFFSET_RANGE)
    key, value = args[1], args[3]
    db = ctx.db
    old = typed(db, key, bytes)
    if not value:
        ctx.log_as()
        return 0 if old is None else len(old)
    check_length(ctx, offset + len(value))
    base = old or b""
    new = base[:offset].ljust(offset, b"\0") + value + base[offset + len(value) :]
    if old is None:
        db.set(key, new)
    else:
        db.replace(key, new)
    return len(new)


@command("getrange", 4, "readonly", keys=(1, 1, 1))
@command("substr", 4, "readonly", keys=(1, 1, 1))
def getrange(ctx: Ctx, args: list[bytes]) -> bytes:
    start, end = parse_ll(args[2]), parse_ll(args[3])
    if start is None or end is None:
        raise CommandError(NOT_INTEGER)
    value = typed(ctx.db, args[1], bytes)
    if value is None:
        return b""
    n = len(value)
    if start < 0 and end < 0 and start > end:
        return b""
    if start < 0:
        start += n
    if end < 0:
        end += n
    start, end = max(start, 0), max(end, 0)
    end = min(end, n - 1)
    if start > end or n == 0:
        return b""
    return value[start : end + 1]


@command("lcs", -3, "readonly", keys=(1, 2, 1))
def lcs(ctx: Ctx, args: list[bytes]) -> Any:
    db = ctx.db
    a, b = db.lookup(args[1]), db.lookup(args[2])
    if (a is not None and type(a) is not bytes) or (b is not None and type(b) is not bytes):
        raise CommandError(LCS_TYPES)
    get_idx = get_len = with_len = False
    min_len = 0
    j = 3
    while j < len(args):
        opt = args[j].lower()
        if opt == b"idx":
            get_idx = True
        elif opt == b"len":
            get_len = True
        elif opt == b"withmatchlen":
            with_len = True
        elif opt == b"minmatchlen" and j + 1 < len(args):
            value = parse_ll(args[j + 1])
            if value is None:
                raise CommandError(NOT_INTEGER)
            min_len = max(value, 0)
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    if get_idx and get_len:
        raise CommandError(LCS_BOTH)
    return lcs_reply(a or b"", b or b"", get_idx, get_len, with_len, min_len)


def lcs_reply(a: bytes, b: bytes, get_idx: bool, get_len: bool, with_len: bool, min_len: int) -> Any:
    """Redis's dynamic-programming LCS and its walk back from the end, ranges emitted as found."""
    alen, blen = len(a), len(b)
    table = [[0] * (blen + 1) for _ in range(alen + 1)]
    for i in range(1, alen + 1):
        row, prev, ca = table[i], table[i - 1], a[i - 1]
        for k in range(1, blen + 1):
            row[k] = prev[k - 1] + 1 if ca == b[k - 1] else max(prev[k], row[k - 1])
    total = table[alen][blen]
    if get_len:
        return total
    result = bytearray(total)
    idx, i, k = total, alen, blen
    a_start, a_end, b_start, b_end = alen, 0, 0, 0  # a_start == alen: no range open
    matches: list[Any] = []
    while i > 0 and k > 0:
        emit = False
        if a[i - 1] == b[k - 1]:
            result[idx - 1] = a[i - 1]
            if a_start == alen:
                a_start = a_end = i - 1
                b_start = b_end = k - 1
            elif a_start == i and b_start == k:
                a_start -= 1
                b_start -= 1
            else:
                emit = True
            if a_start == 0 or b_start == 0:
                emit = True
            idx -= 1
            i -= 1
            k -= 1
        else:
            if table[i - 1][k] > table[i][k - 1]:
                i -= 1
            else:
                k -= 1
            if a_start != alen:
                emit = True
        if emit:
            length = a_end - a_start + 1
            if get_idx and (min_len == 0 or length >= min_len):
                match: list[Any] = [[a_start, a_end], [b_start, b_end]]
                if with_len:
                    match.append(length)
                matches.append(match)
            a_start = alen
    if get_idx:
        return {b"matches": matches, b"len": total}
    return bytes(result)
