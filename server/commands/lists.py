"""List commands (Redis 7.0 t_list.c): pushes, pops, ranges, moves, and the blocking pops BLPOP BRPOP
BLMOVE BRPOPLPUSH BLMPOP."""

from __future__ import annotations

from typing import Any

from server import texts
from server.commands.keyfinders import numkeys
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.commands.values import arity_error, rank_bounds, typed
from server.commands.waits import Block, block, parse_timeout
from server.context import Ctx
from server.quicklist import QuickList
from server.resp import NULL_ARRAY, OK
from server.texts import (
    COUNT_POSITIVE,
    INDEX_OUT_OF_RANGE,
    NO_SUCH_KEY,
    NOT_INTEGER,
    NUMKEYS,
    POSITIVE,
    SYNTAX,
)


def _push(ctx: Ctx, args: list[bytes], left: bool) -> int:
    db = ctx.db
    key = args[1]
    items = typed(db, key, QuickList)
    if items is None:
        items = QuickList()
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
            raise CommandError(POSITIVE)
    db = ctx.db
    key = args[1]
    items = typed(db, key, QuickList)
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
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        return []
    n = len(items)
    if start < 0:
        start = max(0, n + start)
    if end < 0:
        end = n + end
    if start > end or start >= n:
        return []
    return items.range(start, min(end, n - 1) + 1)


@command("llen", 2, "readonly fast", keys=(1, 1, 1))
def llen(ctx: Ctx, args: list[bytes]) -> int:
    items = typed(ctx.db, args[1], QuickList)
    return 0 if items is None else len(items)


def _push_existing(ctx: Ctx, args: list[bytes], left: bool) -> int:
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        ctx.log_as()
        return 0
    return _push(ctx, args, left)


@command("lpushx", -3, "write denyoom fast", keys=(1, 1, 1))
def lpushx(ctx: Ctx, args: list[bytes]) -> int:
    return _push_existing(ctx, args, left=True)


@command("rpushx", -3, "write denyoom fast", keys=(1, 1, 1))
def rpushx(ctx: Ctx, args: list[bytes]) -> int:
    return _push_existing(ctx, args, left=False)


def _long(arg: bytes) -> int:
    value = parse_ll(arg)
    if value is None:
        raise CommandError(NOT_INTEGER)
    return value


@command("lindex", 3, "readonly", keys=(1, 1, 1))
def lindex(ctx: Ctx, args: list[bytes]) -> bytes | None:
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        return None
    index = _long(args[2])
    if index < 0:
        index += len(items)
    return items[index] if 0 <= index < len(items) else None


@command("lset", 4, "write denyoom", keys=(1, 1, 1))
def lset(ctx: Ctx, args: list[bytes]) -> Any:
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        raise CommandError(NO_SUCH_KEY)
    index = _long(args[2])
    if index < 0:
        index += len(items)
    if not 0 <= index < len(items):
        raise CommandError(INDEX_OUT_OF_RANGE)
    items[index] = args[3]
    ctx.db.touch(args[1])
    return OK


@command("linsert", 5, "write denyoom", keys=(1, 1, 1))
def linsert(ctx: Ctx, args: list[bytes]) -> int:
    where = args[2].lower()
    if where not in (b"before", b"after"):
        raise CommandError(SYNTAX)
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        ctx.log_as()
        return 0
    try:
        pos = items.index(args[3])
    except ValueError:
        ctx.log_as()
        return -1
    items.insert(pos + (where == b"after"), args[4])
    ctx.db.touch(args[1])
    return len(items)


@command("lrem", 4, "write", keys=(1, 1, 1))
def lrem(ctx: Ctx, args: list[bytes]) -> int:
    count = _long(args[2])
    key, element = args[1], args[3]
    items = typed(ctx.db, key, QuickList)
    if items is None:
        ctx.log_as()
        return 0
    limit = abs(count) or len(items)
    kept: list[bytes] = []
    removed = 0
    source = reversed(items) if count < 0 else iter(items)
    for item in source:
        if removed < limit and item == element:
            removed += 1
        else:
            kept.append(item)
    if not removed:
        ctx.log_as()
        return 0
    if count < 0:
        kept.reverse()
    items.clear()
    items.extend(kept)
    if items:
        ctx.db.touch(key)
    else:
        ctx.db.delete(key)
    return removed


@command("ltrim", 4, "write", keys=(1, 1, 1))
def ltrim(ctx: Ctx, args: list[bytes]) -> Any:
    start, end = _long(args[2]), _long(args[3])
    key = args[1]
    items = typed(ctx.db, key, QuickList)
    if items is None:
        ctx.log_as()
        return OK
    n = len(items)
    bounds = rank_bounds(start, end, n)
    left, right = (n, 0) if bounds is None else (bounds[0], n - bounds[1] - 1)
    items.trim(min(left, n), right)
    if not items:
        ctx.db.delete(key)
    elif left or right:
        ctx.db.touch(key)
    return OK


def _non_negative(arg: bytes, message: str) -> int:
    value = parse_ll(arg)
    if value is None or value < 0:
        raise CommandError(message)
    return value


@command("lpos", -3, "readonly", keys=(1, 1, 1))
def lpos(ctx: Ctx, args: list[bytes]) -> Any:
    rank, count, maxlen = 1, -1, 0
    j, argc = 3, len(args)
    while j < argc:
        opt, more = args[j].lower(), j + 1 < argc
        if opt == b"rank" and more:
            rank = _long(args[j + 1])
            if rank == 0:
                raise CommandError(texts.RANK_ZERO)
        elif opt == b"count" and more:
            count = _non_negative(args[j + 1], texts.COUNT_NEGATIVE)
        elif opt == b"maxlen" and more:
            maxlen = _non_negative(args[j + 1], texts.MAXLEN_NEGATIVE)
        else:
            raise CommandError(SYNTAX)
        j += 2
    items = typed(ctx.db, args[1], QuickList)
    if items is None:
        return [] if count != -1 else None
    backwards = rank < 0
    rank = abs(rank)
    n = len(items)
    found: list[int] = []
    matches = 0
    source = reversed(items) if backwards else iter(items)
    for index, item in enumerate(source):
        if maxlen and index >= maxlen:
            break
        if item == args[2]:
            matches += 1
            if matches >= rank:
                found.append(n - index - 1 if backwards else index)
                if count == -1 or (count and matches - rank + 1 >= count):
                    break
    if count != -1:
        return found
    return found[0] if found else None


def where_arg(arg: bytes) -> bool:
    """getListPositionFromObjectOrReply: True for LEFT, False for RIGHT."""
    where = arg.lower()
    if where not in (b"left", b"right"):
        raise CommandError(SYNTAX)
    return where == b"left"


def move_element(ctx: Ctx, src_key: bytes, dst_key: bytes, from_left: bool, to_left: bool) -> bytes | None:
    """LMOVE's work: None when the source is missing; WRONGTYPE for a destination of another type."""
    db = ctx.db
    src = typed(db, src_key, QuickList)
    if not src:
        return None
    dst = typed(db, dst_key, QuickList)
    value = src.popleft() if from_left else src.pop()
    if dst is None:
        dst = QuickList()
        db.set(dst_key, dst)
    if to_left:
        dst.appendleft(value)
    else:
        dst.append(value)
    db.touch(dst_key)
    if src:
        db.touch(src_key)
    elif src is not dst:
        db.delete(src_key)
    return value


@command("lmove", 5, "write denyoom", keys=(1, 2, 1))
def lmove(ctx: Ctx, args: list[bytes]) -> bytes | None:
    from_left, to_left = where_arg(args[3]), where_arg(args[4])
    value = move_element(ctx, args[1], args[2], from_left, to_left)
    if value is None:
        ctx.log_as()
    return value


@command("rpoplpush", 3, "write denyoom", keys=(1, 2, 1))
def rpoplpush(ctx: Ctx, args: list[bytes]) -> bytes | None:
    value = move_element(ctx, args[1], args[2], False, True)
    if value is None:
        ctx.log_as()
    return value


def mpop_args(args: list[bytes], first: int) -> tuple[list[bytes], bool, int]:
    """LMPOP / BLMPOP after the timeout: numkeys key... LEFT|RIGHT [COUNT n] -> (keys, left, count)."""
    numkeys = parse_ll(args[first])
    if numkeys is None or numkeys < 1:
        raise CommandError(NUMKEYS)
    where_idx = first + numkeys + 1
    if where_idx >= len(args):
        raise CommandError(SYNTAX)
    left = where_arg(args[where_idx])
    count = -1
    j = where_idx + 1
    while j < len(args):
        if count == -1 and args[j].lower() == b"count" and j + 1 < len(args):
            count = parse_ll(args[j + 1]) or 0
            if count < 1:
                raise CommandError(COUNT_POSITIVE)
            j += 2
        else:
            raise CommandError(SYNTAX)
    return args[first + 1 : where_idx], left, max(count, 1)


def pop_first(ctx: Ctx, keys: list[bytes], left: bool, count: int | None) -> list[Any] | None:
    """The first non-empty list among keys: [key, element] (count None) or [key, [elements]]; the pop
    is logged as LPOP/RPOP. None when every list is empty; WRONGTYPE stops the walk where it is met."""
    db = ctx.db
    for key in keys:
        items = typed(db, key, QuickList)
        if not items:
            continue
        pop = items.popleft if left else items.pop
        name = b"LPOP" if left else b"RPOP"
        if count is None:
            reply: list[Any] = [key, pop()]
            ctx.log_as([name, key])
        else:
            reply = [key, [pop() for _ in range(min(count, len(items)))]]
            ctx.log_as([name, key, b"%d" % count])
        if items:
            db.touch(key)
        else:
            db.delete(key)
        return reply
    ctx.log_as()
    return None


@command("lmpop", -4, "write movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def lmpop(ctx: Ctx, args: list[bytes]) -> Any:
    keys, left, count = mpop_args(args, 1)
    reply = pop_first(ctx, keys, left, count)
    return NULL_ARRAY if reply is None else reply


# ---------------------------------------------------------------- blocking (served by server.blocking)


def _blocking_pop(ctx: Ctx, args: list[bytes], left: bool) -> Any:
    """BLPOP / BRPOP key [key ...] timeout: the first non-empty list, else wait on all the keys."""
    timeout = parse_timeout(args[-1])
    keys = args[1:-1]
    reply = pop_first(ctx, keys, left, None)
    if reply is not None:
        return reply

    def attempt(ctx: Ctx, key: bytes) -> Any:
        return pop_first(ctx, [key], left, None)

    return block(ctx, Block(keys, QuickList, timeout, attempt))


@command("blpop", -3, "write noscript blocking", keys=(1, -2, 1))
def blpop(ctx: Ctx, args: list[bytes]) -> Any:
    return _blocking_pop(ctx, args, left=True)


@command("brpop", -3, "write noscript blocking", keys=(1, -2, 1))
def brpop(ctx: Ctx, args: list[bytes]) -> Any:
    return _blocking_pop(ctx, args, left=False)


def _blocking_move(ctx: Ctx, src: bytes, dst: bytes, from_left: bool, to_left: bool, timeout_arg: bytes
                   ) -> Any:  # fmt: skip
    """BLMOVE / BRPOPLPUSH: the moved element, else wait on the source. Served, it is logged as LMOVE."""
    timeout = parse_timeout(timeout_arg)
    logged = [b"LMOVE", src, dst, b"LEFT" if from_left else b"RIGHT", b"LEFT" if to_left else b"RIGHT"]
    value = move_element(ctx, src, dst, from_left, to_left)
    if value is not None:
        ctx.log_as(logged)
        return value

    def attempt(ctx: Ctx, key: bytes) -> Any:
        moved = move_element(ctx, src, dst, from_left, to_left)
        if moved is not None:
            ctx.log_as(logged)
        return moved

    # Inside MULTI the refusal is a null bulk, as LMOVE's; a timeout answers a null array.
    return block(ctx, Block([src], QuickList, timeout, attempt), refused=None)


@command("blmove", 6, "write denyoom noscript blocking", keys=(1, 2, 1))
def blmove(ctx: Ctx, args: list[bytes]) -> Any:
    from_left, to_left = where_arg(args[3]), where_arg(args[4])
    return _blocking_move(ctx, args[1], args[2], from_left, to_left, args[5])


@command("brpoplpush", 4, "write denyoom noscript blocking", keys=(1, 2, 1))
def brpoplpush(ctx: Ctx, args: list[bytes]) -> Any:
    return _blocking_move(ctx, args[1], args[2], False, True, args[3])


@command("blmpop", -5, "write blocking movablekeys", keys=(0, 0, 0), find_keys=numkeys(2))
def blmpop(ctx: Ctx, args: list[bytes]) -> Any:
    keys, left, count = mpop_args(args, 2)
    timeout = parse_timeout(args[1])
    reply = pop_first(ctx, keys, left, count)
    if reply is not None:
        return reply

    def attempt(ctx: Ctx, key: bytes) -> Any:
        return pop_first(ctx, [key], left, count)

    return block(ctx, Block(keys, QuickList, timeout, attempt))
