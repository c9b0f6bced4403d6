"""String commands (Redis 7.0 t_string.c): GET SET SETEX PSETEX SETNX MGET MSET INCR DECR INCRBY DECRBY
INCRBYFLOAT APPEND STRLEN GETDEL GETEX.

GET and plain `SET key value` are the benchmarked hot path: they take the shortest route. Everything
that depends on the clock reaches the AOF in absolute form (SET ... PXAT, PEXPIREAT), INCRBYFLOAT as
the SET of its result, so a replay is exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from server.commands.redisnum import (
    LLONG_MAX,
    LLONG_MIN,
    add_ld,
    format_ld_human,
    is_finite,
    parse_ld,
    parse_ll,
)
from server.commands.registry import NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE, CommandError, command
from server.commands.values import arity_error, typed
from server.context import Ctx
from server.resp import OK, SimpleString

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
        raise CommandError(f"ERR invalid expire time in '{name}' command")
    if seconds:
        ms *= 1000
    if flags & (_EX | _PX):
        ms += ctx.now_ms()
        if ms > LLONG_MAX:  # the C addition would wrap to a negative time
            raise CommandError(f"ERR invalid expire time in '{name}' command")
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
        raise CommandError("ERR increment or decrement would overflow")
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
        raise CommandError("ERR decrement would overflow")
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
        raise CommandError("ERR increment would produce NaN or Infinity")
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
