"""Hash commands (Redis 7.0 t_hash.c): HSET HSETNX HGET HMGET HGETALL HDEL HEXISTS HLEN HINCRBY
HINCRBYFLOAT HKEYS HVALS. Field order is insertion order, which is what Redis shows for small hashes."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from server import texts
from server.commands.objects import encoding
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
from server.commands.scanning import compact, cursor_arg, scan_options, walk
from server.commands.values import arity_error, typed
from server.context import Ctx
from server.keyspace import Database
from server.resp import OK, SimpleString
from server.texts import (
    HASH_NOT_FLOAT,
    HASH_NOT_INTEGER,
    INCR_NAN,
    INCR_OVERFLOW,
    NOT_FLOAT,
    NOT_INTEGER,
    SYNTAX,
    VALUE_NAN,
    VALUE_RANGE,
)


def _hash_for_write(db: Database, key: bytes) -> dict[bytes, bytes]:
    """The hash at key, created (empty, and stored) when missing."""
    h = typed(db, key, dict)
    if h is None:
        h = {}
        db.set(key, h)
    return h


@command("hset", -4, "write denyoom fast", keys=(1, 1, 1))
def hset(ctx: Ctx, args: list[bytes]) -> int:
    if len(args) % 2:
        raise arity_error("hset")
    db = ctx.db
    h = _hash_for_write(db, args[1])
    before = len(h)
    for i in range(2, len(args), 2):
        h[args[i]] = args[i + 1]
    db.touch(args[1])
    return len(h) - before


@command("hsetnx", 4, "write denyoom fast", keys=(1, 1, 1))
def hsetnx(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    h = typed(db, args[1], dict)
    if h is not None and args[2] in h:
        ctx.log_as()
        return 0
    if h is None:
        db.set(args[1], {args[2]: args[3]})
    else:
        h[args[2]] = args[3]
        db.touch(args[1])
    return 1


@command("hget", 3, "readonly fast", keys=(1, 1, 1))
def hget(ctx: Ctx, args: list[bytes]) -> bytes | None:
    h = typed(ctx.db, args[1], dict)
    return None if h is None else h.get(args[2])


@command("hmget", -3, "readonly fast", keys=(1, 1, 1))
def hmget(ctx: Ctx, args: list[bytes]) -> list[bytes | None]:
    h = typed(ctx.db, args[1], dict)
    if h is None:
        return [None] * (len(args) - 2)
    return [h.get(field) for field in args[2:]]


@command("hgetall", 2, "readonly", keys=(1, 1, 1))
def hgetall(ctx: Ctx, args: list[bytes]) -> dict[bytes, bytes]:
    h = typed(ctx.db, args[1], dict)
    return {} if h is None else dict(h)  # a copy: later commands of an EXEC may change the hash


@command("hkeys", 2, "readonly", keys=(1, 1, 1))
def hkeys(ctx: Ctx, args: list[bytes]) -> list[bytes]:
    h = typed(ctx.db, args[1], dict)
    return [] if h is None else list(h)


@command("hvals", 2, "readonly", keys=(1, 1, 1))
def hvals(ctx: Ctx, args: list[bytes]) -> list[bytes]:
    h = typed(ctx.db, args[1], dict)
    return [] if h is None else list(h.values())


@command("hdel", -3, "write fast", keys=(1, 1, 1))
def hdel(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    key = args[1]
    h = typed(db, key, dict)
    deleted = 0
    if h is not None:
        for field in args[2:]:
            if h.pop(field, None) is not None:
                deleted += 1
    if not deleted:
        ctx.log_as()
    elif not h:
        db.delete(key)
    else:
        db.touch(key)
    return deleted


@command("hexists", 3, "readonly fast", keys=(1, 1, 1))
def hexists(ctx: Ctx, args: list[bytes]) -> int:
    h = typed(ctx.db, args[1], dict)
    return int(h is not None and args[2] in h)


@command("hlen", 2, "readonly fast", keys=(1, 1, 1))
def hlen(ctx: Ctx, args: list[bytes]) -> int:
    h = typed(ctx.db, args[1], dict)
    return 0 if h is None else len(h)


@command("hincrby", 4, "write denyoom fast", keys=(1, 1, 1))
def hincrby(ctx: Ctx, args: list[bytes]) -> int:
    incr = parse_ll(args[3])
    if incr is None:
        raise CommandError(NOT_INTEGER)
    db = ctx.db
    h = typed(db, args[1], dict)
    old = None if h is None else h.get(args[2])
    value = 0 if old is None else parse_ll(old)
    if value is None:
        raise CommandError(HASH_NOT_INTEGER)
    if (incr < 0 and value < 0 and incr < LLONG_MIN - value) or (
        incr > 0 and value > 0 and incr > LLONG_MAX - value
    ):
        raise CommandError(INCR_OVERFLOW)
    value += incr
    _hash_for_write(db, args[1])[args[2]] = b"%d" % value
    db.touch(args[1])
    return value


@command("hincrbyfloat", 4, "write denyoom fast", keys=(1, 1, 1))
def hincrbyfloat(ctx: Ctx, args: list[bytes]) -> bytes:
    incr = parse_ld(args[3])
    if incr is None:
        raise CommandError(NOT_FLOAT)
    if not is_finite(incr):
        raise CommandError(VALUE_NAN)
    db = ctx.db
    key, field = args[1], args[2]
    h = typed(db, key, dict)
    old = None if h is None else h.get(field)
    value = parse_ld(old) if old is not None else Fraction(0)
    if value is None:
        raise CommandError(HASH_NOT_FLOAT)
    total = add_ld(value, incr)
    if not is_finite(total):
        raise CommandError(INCR_NAN)
    new = format_ld_human(total)
    _hash_for_write(db, key)[field] = new
    db.touch(key)
    ctx.log_as([b"HSET", key, field, new])
    return new


@command("hmset", -4, "write denyoom fast", keys=(1, 1, 1))
def hmset(ctx: Ctx, args: list[bytes]) -> SimpleString:
    if len(args) % 2:
        raise arity_error("hmset")
    hset(ctx, args)
    return OK


@command("hstrlen", 3, "readonly fast", keys=(1, 1, 1))
def hstrlen(ctx: Ctx, args: list[bytes]) -> int:
    h = typed(ctx.db, args[1], dict)
    value = None if h is None else h.get(args[2])
    return 0 if value is None else len(value)


def random_count(arg: bytes) -> int:
    """getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) as HRANDFIELD and SRANDMEMBER use it."""
    count = parse_ll(arg)
    if count is None:
        raise CommandError(NOT_INTEGER)
    if count == LLONG_MIN:
        raise CommandError(texts.RANDOM_COUNT_RANGE)
    return count


@command("hrandfield", -2, "readonly", keys=(1, 1, 1))
def hrandfield(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) == 2:
        h = typed(ctx.db, args[1], dict)
        return None if not h else random.choice(list(h))
    count = random_count(args[2])
    with_values = False
    if len(args) > 4 or (len(args) == 4 and args[3].lower() != b"withvalues"):
        raise CommandError(SYNTAX)
    if len(args) == 4:
        with_values = True
        if not -(LLONG_MAX // 2) <= count <= LLONG_MAX // 2:
            raise CommandError(VALUE_RANGE)
    h = typed(ctx.db, args[1], dict)
    if h is None or count == 0:
        return []
    fields = list(h)
    if count < 0:
        picked = random.choices(fields, k=-count)
    elif count >= len(fields):
        picked = fields
    else:
        picked = random.sample(fields, count)
    if not with_values:
        return picked
    if ctx.client.proto == 2:
        return [part for f in picked for part in (f, h[f])]
    return [[f, h[f]] for f in picked]


@command("hscan", -3, "readonly", keys=(1, 1, 1))
def hscan(ctx: Ctx, args: list[bytes]) -> list[Any]:
    cursor = cursor_arg(args[2])
    h = typed(ctx.db, args[1], dict)
    if h is None:
        return [b"0", []]
    count, match, _ = scan_options(args, 3)
    if compact(encoding(h, ctx.server.config)):
        cursor, fields = 0, list(h)
    else:
        cursor, fields = walk(h, cursor, count)
    found = [part for f in fields if f in h and (match is None or match(f)) for part in (f, h[f])]
    return [str(cursor).encode(), found]
