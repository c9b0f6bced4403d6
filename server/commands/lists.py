"""List commands (Redis 7.0 t_list.c): LPUSH RPUSH LPOP RPOP (with count) LRANGE LLEN."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any

from server.commands.redisnum import parse_ll
from server.commands.registry import NOT_INTEGER, CommandError, command
from server.commands.values import arity_error, typed
from server.context import Ctx
from server.resp import NULL_ARRAY


def _push(ctx: Ctx, args: list[bytes], left: bool) -> int:
    db = ctx.db
    key = args[1]
    items = typed(db, key, deque)
    if items is None:
        items = deque()
        db.set(key, items)
    if left:
        items.extendleft(args[2:])
    else:
        items.extend(args[2:])
    db.touch(key)
    return len(items)


@command("lpush", -3, "write denyoom fast", keys=(1, 1, 1))
def lpush(ctx: Ctx, args: list[bytes]) -> int:
    return _push(ctx, args, left=True)


@command("rpush", -3, "write denyoom fast", keys=(1, 1, 1))
def rpush(ctx: Ctx, args: list[bytes]) -> int:
    return _push(ctx, args, left=False)


def _pop(ctx: Ctx, args: list[bytes], left: bool) -> Any:
    if len(args) > 3:
        raise arity_error("lpop" if left else "rpop")
    count = None
    if len(args) == 3:
        count = parse_ll(args[2])
        if count is None or count < 0:  # Redis gives this text for a non-number too
            raise CommandError("ERR value is out of range, must be positive")
    db = ctx.db
    key = args[1]
    items = typed(db, key, deque)
    if items is None or count == 0:
        ctx.log_as()
        if items is None:
            return None if count is None else NULL_ARRAY
        return []
    pop = items.popleft if left else items.pop
    reply: Any = pop() if count is None else [pop() for _ in range(min(count, len(items)))]
    if items:
        db.touch(key)
    else:
        db.delete(key)
    return reply


@command("lpop", -2, "write fast", keys=(1, 1, 1))
def lpop(ctx: Ctx, args: list[bytes]) -> Any:
    return _pop(ctx, args, left=True)


@command("rpop", -2, "write fast", keys=(1, 1, 1))
def rpop(ctx: Ctx, args: list[bytes]) -> Any:
    return _pop(ctx, args, left=False)


@command("lrange", 4, "readonly", keys=(1, 1, 1))
def lrange(ctx: Ctx, args: list[bytes]) -> list[bytes]:
    start, end = parse_ll(args[2]), parse_ll(args[3])
    if start is None or end is None:
        raise CommandError(NOT_INTEGER)
    items = typed(ctx.db, args[1], deque)
    if items is None:
        return []
    n = len(items)
    if start < 0:
        start = max(0, n + start)
    if end < 0:
        end = n + end
    if start > end or start >= n:
        return []
    end = min(end, n - 1)
    if start > n // 2:  # walk from the nearer end
        return list(islice(reversed(items), n - 1 - end, n - start))[::-1]
    return list(islice(items, start, end + 1))


@command("llen", 2, "readonly fast", keys=(1, 1, 1))
def llen(ctx: Ctx, args: list[bytes]) -> int:
    items = typed(ctx.db, args[1], deque)
    return 0 if items is None else len(items)
