"""Set commands (Redis 7.0 t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SINTER SUNION SDIFF.
Replies are sets: RESP3 '~' sets, RESP2 arrays (member order is unspecified, as in Redis)."""

from __future__ import annotations

from server.commands.registry import command
from server.commands.values import typed
from server.context import Ctx


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
