"""Keyspace commands: DEL UNLINK EXISTS TYPE KEYS SCAN, the EXPIRE family, TTL PTTL PERSIST RENAME,
DBSIZE FLUSHDB FLUSHALL (Redis 7.0 db.c / expire.c semantics and error texts).

Relative expiries reach the AOF as PEXPIREAT with the absolute time, an expiry already in the past as
DEL, and commands that changed nothing are not logged at all.
"""

from __future__ import annotations

from typing import Any

from server import resp, texts
from server.commands.redisnum import LLONG_MAX, LLONG_MIN, parse_ll
from server.commands.registry import CommandError, command
from server.commands.scanning import cursor_arg, scan_options
from server.context import Ctx
from server.keyspace import TYPE_NAMES
from server.resp import OK, SimpleString
from server.stringmatch import compile_pattern
from server.texts import (
    GT_AND_LT,
    NO_SUCH_KEY,
    NOT_INTEGER,
    NX_AND_XX_GT_LT,
    SYNTAX,
)

_TYPE_REPLIES = {kind: SimpleString(name.decode()) for kind, name in TYPE_NAMES.items()}
_NONE = SimpleString("none")


@command("del", -2, "write", keys=(1, -1, 1))
@command("unlink", -2, "write fast", keys=(1, -1, 1))
def delete(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    deleted = 0
    for key in args[1:]:
        deleted += db.delete(key)
    if not deleted:
        ctx.log_as()
    return deleted


@command("exists", -2, "readonly fast", keys=(1, -1, 1))
def exists(ctx: Ctx, args: list[bytes]) -> int:
    lookup = ctx.db.lookup
    return sum(lookup(key) is not None for key in args[1:])


@command("type", 2, "readonly fast", keys=(1, 1, 1))
def type_(ctx: Ctx, args: list[bytes]) -> SimpleString:
    value = ctx.db.lookup(args[1])
    return _NONE if value is None else _TYPE_REPLIES[type(value)]


@command("keys", 2, "readonly", keys=(0, 0, 0))
def keys(ctx: Ctx, args: list[bytes]) -> list[bytes]:
    pattern = args[1]
    live = ctx.db.keys()
    if pattern == b"*":
        return list(live)
    match = compile_pattern(pattern)
    return [key for key in live if match(key)]


@command("scan", -2, "readonly", keys=(0, 0, 0))
def scan(ctx: Ctx, args: list[bytes]) -> list[Any]:
    cursor = cursor_arg(args[1])
    count, match, type_name = scan_options(args, 2, type_ok=True)
    db = ctx.db
    cursor, batch = db.scan(cursor, count)
    found: list[bytes] = []
    for key in batch:
        if match is not None and not match(key):
            continue
        value = db.lookup(key)  # reclaims expired keys on the way, as Redis's SCAN does
        if value is None:
            continue
        if type_name is not None and TYPE_NAMES[type(value)] != type_name:
            continue
        found.append(key)
    return [str(cursor).encode(), found]


_NX, _XX, _GT, _LT = 1, 2, 4, 8
_EXPIRE_FLAGS = {b"nx": _NX, b"xx": _XX, b"gt": _GT, b"lt": _LT}


def _expire_flags(args: list[bytes]) -> int:
    flags = 0
    for option in args[3:]:
        flag = _EXPIRE_FLAGS.get(option.lower())
        if flag is None:
            raise CommandError(texts.unsupported_option(resp.safe_text(resp.c_string(option))))
        flags |= flag
    if flags & _NX and flags & (_XX | _GT | _LT):
        raise CommandError(NX_AND_XX_GT_LT)
    if flags & _GT and flags & _LT:
        raise CommandError(GT_AND_LT)
    return flags


def _expire_generic(ctx: Ctx, args: list[bytes], name: str, relative: bool, seconds: bool) -> int:
    flags = _expire_flags(args)
    when = parse_ll(args[2])
    if when is None:
        raise CommandError(NOT_INTEGER)
    invalid = CommandError(texts.invalid_expire_time(name))
    if seconds:
        if when > LLONG_MAX // 1000 or when < -(-LLONG_MIN // 1000):
            raise invalid
        when *= 1000
    if relative:
        base = ctx.now_ms()
        if when > LLONG_MAX - base:
            raise invalid
        when += base
    key = args[1]
    db = ctx.db
    if db.lookup(key) is None:
        ctx.log_as()
        return 0
    if flags:
        current = db.get_expire_ms(key)
        if (
            (flags & _NX and current is not None)
            or (flags & _XX and current is None)
            or (flags & _GT and (current is None or when <= current))
            or (flags & _LT and current is not None and when >= current)
        ):
            ctx.log_as()
            return 0
    if when <= ctx.now_ms() and not ctx.keyspace.loading:
        db.delete(key)
        ctx.log_as([b"DEL", key])
        return 1
    db.set_expire_ms(key, when)
    ctx.log_as([b"PEXPIREAT", key, str(when).encode()])
    return 1


@command("expire", -3, "write fast", keys=(1, 1, 1))
def expire(ctx: Ctx, args: list[bytes]) -> int:
    return _expire_generic(ctx, args, "expire", relative=True, seconds=True)


@command("pexpire", -3, "write fast", keys=(1, 1, 1))
def pexpire(ctx: Ctx, args: list[bytes]) -> int:
    return _expire_generic(ctx, args, "pexpire", relative=True, seconds=False)


@command("expireat", -3, "write fast", keys=(1, 1, 1))
def expireat(ctx: Ctx, args: list[bytes]) -> int:
    return _expire_generic(ctx, args, "expireat", relative=False, seconds=True)


@command("pexpireat", -3, "write fast", keys=(1, 1, 1))
def pexpireat(ctx: Ctx, args: list[bytes]) -> int:
    return _expire_generic(ctx, args, "pexpireat", relative=False, seconds=False)


def _ttl_ms(ctx: Ctx, key: bytes) -> int | None:
    """Remaining ms (>= 0), -1 without TTL, None when the key does not exist."""
    db = ctx.db
    if db.lookup(key) is None:
        return None
    when = db.get_expire_ms(key)
    return -1 if when is None else max(0, when - ctx.now_ms())


@command("ttl", 2, "readonly fast", keys=(1, 1, 1))
def ttl(ctx: Ctx, args: list[bytes]) -> int:
    ms = _ttl_ms(ctx, args[1])
    if ms is None:
        return -2
    return -1 if ms == -1 else (ms + 500) // 1000


@command("pttl", 2, "readonly fast", keys=(1, 1, 1))
def pttl(ctx: Ctx, args: list[bytes]) -> int:
    ms = _ttl_ms(ctx, args[1])
    return -2 if ms is None else ms


@command("persist", 2, "write fast", keys=(1, 1, 1))
def persist(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    if db.lookup(args[1]) is None or not db.persist(args[1]):
        ctx.log_as()
        return 0
    return 1


@command("rename", 3, "write", keys=(1, 2, 1))
def rename(ctx: Ctx, args: list[bytes]) -> SimpleString:
    src, dst = args[1], args[2]
    db = ctx.db
    if db.lookup(src) is None:
        raise CommandError(NO_SUCH_KEY)
    if src == dst:
        ctx.log_as()
        return OK
    db.lookup(dst)  # an expired destination is reclaimed (and logged) before it is replaced
    db.rename(src, dst)
    return OK


@command("dbsize", 1, "readonly fast", keys=(0, 0, 0))
def dbsize(ctx: Ctx, args: list[bytes]) -> int:
    return ctx.db.size()


def _flush_mode(args: list[bytes]) -> None:
    # ASYNC and SYNC are accepted; freeing is immediate either way in this server.
    if len(args) > 2 or (len(args) == 2 and args[1].lower() not in (b"sync", b"async")):
        raise CommandError(SYNTAX)


@command("flushdb", -1, "write", keys=(0, 0, 0))
def flushdb(ctx: Ctx, args: list[bytes]) -> SimpleString:
    _flush_mode(args)
    ctx.db.flush()
    return OK


@command("flushall", -1, "write", keys=(0, 0, 0))
def flushall(ctx: Ctx, args: list[bytes]) -> SimpleString:
    _flush_mode(args)
    ctx.keyspace.flushall()
    ctx.server.rdb.flushed()  # a running BGSAVE is stopped; with save points dump.rdb is emptied too
    return OK
