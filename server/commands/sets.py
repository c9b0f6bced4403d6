"""Set commands (Redis 7.0 t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SINTER SUNION SDIFF.
Replies are sets: RESP3 '~' sets, RESP2 arrays (member order is unspecified, as in Redis)."""

from __future__ import annotations

import random
from typing import Any

from server.commands.hashes import random_count
from server.commands.keyfinders import numkeys
from server.commands.objects import encoding
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.commands.scanning import compact, cursor_arg, scan_options, walk
from server.commands.values import typed
from server.context import Ctx
from server.texts import LIMIT_NEGATIVE, NUMKEYS, POSITIVE, SYNTAX, TOO_MANY_KEYS


@command("sadd", -3, "write denyoom fast", keys=(1, 1, 1))
def sadd(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    key = args[1]
    s = typed(db, key, set)
    if s is None:
        s = set(args[2:])
        db.set(key, s)
        return len(s)
    before = len(s)
    s.update(args[2:])
    added = len(s) - before
    if added:
        db.touch(key)
    else:
        ctx.log_as()
    return added


@command("srem", -3, "write fast", keys=(1, 1, 1))
def srem(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    key = args[1]
    s = typed(db, key, set)
    if s is None:
        ctx.log_as()
        return 0
    before = len(s)
    s.difference_update(args[2:])
    removed = before - len(s)
    if not removed:
        ctx.log_as()
    elif not s:
        db.delete(key)
    else:
        db.touch(key)
    return removed


@command("smembers", 2, "readonly", keys=(1, 1, 1))
def smembers(ctx: Ctx, args: list[bytes]) -> set[bytes]:
    s = typed(ctx.db, args[1], set)
    return set() if s is None else set(s)  # a copy: later commands of an EXEC may change the set


@command("sismember", 3, "readonly fast", keys=(1, 1, 1))
def sismember(ctx: Ctx, args: list[bytes]) -> int:
    s = typed(ctx.db, args[1], set)
    return int(s is not None and args[2] in s)


@command("smismember", -3, "readonly fast", keys=(1, 1, 1))
def smismember(ctx: Ctx, args: list[bytes]) -> list[int]:
    s = typed(ctx.db, args[1], set)
    if s is None:
        return [0] * (len(args) - 2)
    return [int(member in s) for member in args[2:]]


@command("scard", 2, "readonly fast", keys=(1, 1, 1))
def scard(ctx: Ctx, args: list[bytes]) -> int:
    s = typed(ctx.db, args[1], set)
    return 0 if s is None else len(s)


def _sets(ctx: Ctx, keys: list[bytes]) -> list[set[bytes] | None]:
    """Every key is type-checked, even after a missing one, as Redis does (WRONGTYPE wins)."""
    db = ctx.db
    return [typed(db, key, set) for key in keys]


@command("sinter", -2, "readonly", keys=(1, -1, 1))
def sinter(ctx: Ctx, args: list[bytes]) -> set[bytes]:
    sets = _sets(ctx, args[1:])
    present = [s for s in sets if s is not None]
    if len(present) < len(sets):
        return set()
    present.sort(key=len)
    return present[0].intersection(*present[1:])


@command("sunion", -2, "readonly", keys=(1, -1, 1))
def sunion(ctx: Ctx, args: list[bytes]) -> set[bytes]:
    out: set[bytes] = set()
    for s in _sets(ctx, args[1:]):
        if s is not None:
            out |= s
    return out


@command("sdiff", -2, "readonly", keys=(1, -1, 1))
def sdiff(ctx: Ctx, args: list[bytes]) -> set[bytes]:
    first, *rest = _sets(ctx, args[1:])
    if first is None:
        return set()
    return first.difference(*(s for s in rest if s is not None))


@command("spop", -2, "write fast", keys=(1, 1, 1))
def spop(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise CommandError(SYNTAX)
    db = ctx.db
    key = args[1]
    if len(args) == 3:
        count = parse_ll(args[2])
        if count is None or count < 0:  # Redis 7.0 answers both with the range error
            raise CommandError(POSITIVE)
        s = typed(db, key, set)
        if s is None or count == 0:
            ctx.log_as()
            return set()
        if count >= len(s):
            popped = set(s)
            db.delete(key)
            ctx.log_as([b"DEL", key])
            return popped
        chosen = set(random.sample(list(s), count))
        s.difference_update(chosen)
        db.touch(key)
        ctx.log_as([b"SREM", key, *chosen])
        return chosen
    s = typed(db, key, set)
    if s is None:
        ctx.log_as()
        return None
    member = random.choice(list(s))
    s.discard(member)
    if s:
        db.touch(key)
    else:
        db.delete(key)
    ctx.log_as([b"SREM", key, member])
    return member


@command("srandmember", -2, "readonly", keys=(1, 1, 1))
def srandmember(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise CommandError(SYNTAX)
    if len(args) == 2:
        s = typed(ctx.db, args[1], set)
        return None if not s else random.choice(list(s))
    count = random_count(args[2])
    s = typed(ctx.db, args[1], set)
    if s is None or count == 0:
        return []
    if count >= len(s):
        return list(s)  # an array in RESP3 too, as Redis 7.0 replies
    members = list(s)
    return random.choices(members, k=-count) if count < 0 else random.sample(members, count)


@command("smove", 4, "write fast", keys=(1, 2, 1))
def smove(ctx: Ctx, args: list[bytes]) -> int:
    db = ctx.db
    src_key, dst_key, member = args[1], args[2], args[3]
    if db.lookup(src_key) is None:
        ctx.log_as()
        return 0
    src = typed(db, src_key, set)
    dst = typed(db, dst_key, set)
    assert src is not None
    if src is dst:
        ctx.log_as()
        return int(member in src)
    if member not in src:
        ctx.log_as()
        return 0
    src.discard(member)
    if src:
        db.touch(src_key)
    else:
        db.delete(src_key)
    if dst is None:
        db.set(dst_key, {member})
    else:
        dst.add(member)
        db.touch(dst_key)
    return 1


def _store(ctx: Ctx, dest: bytes, result: set[bytes]) -> int:
    db = ctx.db
    if result:
        db.set(dest, result)
    elif not db.delete(dest):
        ctx.log_as()
    return len(result)


@command("sinterstore", -3, "write denyoom", keys=(1, -1, 1))
def sinterstore(ctx: Ctx, args: list[bytes]) -> int:
    return _store(ctx, args[1], sinter(ctx, args[1:]))


@command("sunionstore", -3, "write denyoom", keys=(1, -1, 1))
def sunionstore(ctx: Ctx, args: list[bytes]) -> int:
    return _store(ctx, args[1], sunion(ctx, args[1:]))


@command("sdiffstore", -3, "write denyoom", keys=(1, -1, 1))
def sdiffstore(ctx: Ctx, args: list[bytes]) -> int:
    return _store(ctx, args[1], sdiff(ctx, args[1:]))


def numkeys_arg(arg: bytes, available: int) -> int:
    numkeys = parse_ll(arg)
    if numkeys is None or numkeys < 1:
        raise CommandError(NUMKEYS)
    if numkeys > available:
        raise CommandError(TOO_MANY_KEYS)
    return numkeys


@command("sintercard", -3, "readonly movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def sintercard(ctx: Ctx, args: list[bytes]) -> int:
    numkeys = numkeys_arg(args[1], len(args) - 2)
    limit = 0
    j = 2 + numkeys
    while j < len(args):
        if args[j].lower() == b"limit" and j + 1 < len(args):
            value = parse_ll(args[j + 1])
            if value is None or value < 0:
                raise CommandError(LIMIT_NEGATIVE)
            limit = value
            j += 2
        else:
            raise CommandError(SYNTAX)
    result = len(sinter(ctx, [b"sintercard", *args[2 : 2 + numkeys]]))
    return min(result, limit) if limit else result


@command("sscan", -3, "readonly", keys=(1, 1, 1))
def sscan(ctx: Ctx, args: list[bytes]) -> list[Any]:
    cursor = cursor_arg(args[2])
    s = typed(ctx.db, args[1], set)
    if s is None:
        return [b"0", []]
    count, match, _ = scan_options(args, 3)
    if compact(encoding(s, ctx.server.config)):
        cursor, batch = 0, sorted(s, key=int)  # an intset holds its integers in order
    else:
        cursor, batch = walk(s, cursor, count)
    return [str(cursor).encode(), [m for m in batch if m in s and (match is None or match(m))]]
