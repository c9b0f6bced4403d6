"""Sorted-set commands (Redis 7.0 t_zset.c): ZADD (NX XX GT LT CH INCR), ZINCRBY, ZREM, ZCARD, ZSCORE,
ZMSCORE, Z[REV]RANK, ZCOUNT, ZLEXCOUNT, ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES), ZRANGESTORE, the
legacy Z[REV]RANGE[BYSCORE|BYLEX], ZREMRANGEBY{RANK,SCORE,LEX}, ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER,
ZSCAN, ZINTER/ZUNION/ZDIFF(+STORE), ZINTERCARD.

The order of checks (options, then ranges, then the key's type) follows Redis, because a client sees
which error wins. Scores are Python floats: Redis keeps C doubles, printed with %.17g in 7.0.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from server import texts
from server.commands.keyfinders import numkeys
from server.commands.objects import encoding
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.commands.scanning import compact, cursor_arg, scan_options, walk
from server.commands.values import rank_bounds, typed
from server.commands.waits import Block, block, parse_timeout
from server.context import Ctx
from server.resp import NULL_ARRAY, format_double
from server.texts import (
    COUNT_POSITIVE,
    GT_LT_AND_NX,
    LIMIT_NEGATIVE,
    NAN_SCORE,
    NOT_FLOAT,
    NOT_INTEGER,
    NUMKEYS,
    POSITIVE,
    RANGE_NOT_FLOAT,
    RANGE_NOT_LEX,
    SYNTAX,
    VALUE_RANGE,
    WRONGTYPE,
    XX_AND_NX,
    ZADD_INCR_PAIR,
    ZINTERCARD_NO_KEYS,
    ZRANGE_LIMIT_SYNTAX,
    ZRANGE_WITHSCORES_BYLEX,
)
from server.zset import LexBound, ZSet

_FLOAT = re.compile(rb"[+-]?(inf|infinity|nan|[0-9]*\.?[0-9]*(e[+-]?[0-9]+)?)", re.IGNORECASE)
_HEXFLOAT = re.compile(rb"[+-]?0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?[0-9]+)?", re.IGNORECASE)
_SPACE = b" \t\n\v\f\r"


def _strtod(text: bytes) -> tuple[float, bool] | None:
    """C strtod over the whole text: (value, out_of_range), or None when text is not all a number."""
    if _FLOAT.fullmatch(text) and any(c in b"0123456789iInN" for c in text):
        value = float(text)
    elif _HEXFLOAT.fullmatch(text) and len(text.lstrip(b"+-")) > 2:
        sign = -1.0 if text.startswith(b"-") else 1.0
        value = sign * float.fromhex(text.lstrip(b"+-").decode())
    else:
        return None
    lowered = text.lower()
    overflow = math.isinf(value) and b"inf" not in lowered
    underflow = value == 0 and any(c in b"123456789" for c in lowered.split(b"e")[0])
    return value, overflow or underflow


def parse_score(text: bytes, error: str = NOT_FLOAT) -> float:
    """getDoubleFromObject: no blanks, no NaN, no overflow to ±inf or underflow to 0."""
    parsed = _strtod(text) if text and text[0] not in _SPACE else None
    if parsed is None or parsed[1] or math.isnan(parsed[0]):
        raise CommandError(error)
    return parsed[0]


def _range_item(text: bytes) -> tuple[float, bool]:
    """One end of a score range (zslParseRange): '(' makes it exclusive; strtod, NaN refused."""
    exclusive = text[:1] == b"("
    body = text[1:] if exclusive else text
    stripped = body.lstrip(_SPACE)
    if not body:
        return 0.0, exclusive
    parsed = _strtod(stripped) if stripped else None
    if parsed is None or math.isnan(parsed[0]):
        raise CommandError(RANGE_NOT_FLOAT)
    return parsed[0], exclusive


def _score_range(low: bytes, high: bytes) -> tuple[float, bool, float, bool]:
    lo, lo_ex = _range_item(low)
    hi, hi_ex = _range_item(high)
    return lo, lo_ex, hi, hi_ex


def _lex_item(text: bytes) -> LexBound:
    if text in (b"+", b"-"):
        return text.decode(), b""
    if text[:1] in (b"[", b"("):
        return text[:1].decode(), text[1:]
    raise CommandError(RANGE_NOT_LEX)


def _long(text: bytes) -> int:
    value = parse_ll(text)
    if value is None:
        raise CommandError(NOT_INTEGER)
    return value


def _zset(ctx: Ctx, key: bytes) -> ZSet | None:
    return typed(ctx.db, key, ZSet)


def _scored(items: list[tuple[float, bytes]], withscores: bool, proto: int) -> list[Any]:
    """A range reply: members, or member/score pairs (flat in RESP2, nested arrays in RESP3)."""
    if not withscores:
        return [member for _, member in items]
    if proto == 3:
        return [[member, score] for score, member in items]
    return [x for score, member in items for x in (member, format_double(score))]


def _store(ctx: Ctx, key: bytes, items: list[tuple[float, bytes]]) -> int:
    """Write the result of a *STORE command: replaces dst, deletes it when the result is empty."""
    db = ctx.db
    if not items:
        db.delete(key)
        return 0
    z = ZSet()
    for score, member in items:
        z.add(member, score)
    db.set(key, z)
    return len(z)


# ---------------------------------------------------------------- writes


@command("zadd", -4, "write denyoom fast", keys=(1, 1, 1))
def zadd(ctx: Ctx, args: list[bytes]) -> Any:
    nx = xx = gt = lt = ch = incr = False
    i = 2
    while i < len(args):
        opt = args[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt == b"ch":
            ch = True
        elif opt == b"incr":
            incr = True
        elif opt == b"gt":
            gt = True
        elif opt == b"lt":
            lt = True
        else:
            break
        i += 1
    rest = args[i:]
    if not rest or len(rest) % 2:
        raise CommandError(SYNTAX)
    if nx and xx:
        raise CommandError(XX_AND_NX)
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise CommandError(GT_LT_AND_NX)
    if incr and len(rest) > 2:
        raise CommandError(ZADD_INCR_PAIR)
    scores = [parse_score(rest[j]) for j in range(0, len(rest), 2)]
    db = ctx.db
    key = args[1]
    z = _zset(ctx, key)
    added = updated = processed = 0
    score = 0.0
    if z is None and not xx:
        z = ZSet()
        db.set(key, z)
    if z is not None:
        for j, score in enumerate(scores):
            member = rest[2 * j + 1]
            current = z.scores.get(member)
            if current is not None:
                if nx:
                    continue
                if incr:
                    score += current
                    if math.isnan(score):
                        raise CommandError(NAN_SCORE)
                if (lt and score >= current) or (gt and score <= current):
                    continue
                processed += 1
                if score != current:
                    z.add(member, score)
                    updated += 1
            elif not xx:
                z.add(member, score)
                added += 1
                processed += 1
        if added or updated:
            db.touch(key)
        else:
            ctx.log_as()
    else:
        ctx.log_as()
    if incr:
        return score if processed else None
    return added + updated if ch else added


@command("zincrby", 4, "write denyoom fast", keys=(1, 1, 1))
def zincrby(ctx: Ctx, args: list[bytes]) -> float:
    delta = parse_score(args[2])
    db = ctx.db
    key = args[1]
    z = _zset(ctx, key)
    created = z is None
    if z is None:
        z = ZSet()
    score = z.scores.get(args[3], 0.0) + delta
    if math.isnan(score):
        raise CommandError(NAN_SCORE)
    z.add(args[3], score)
    if created:
        db.set(key, z)
    else:
        db.touch(key)
    return score


def _after_removal(ctx: Ctx, key: bytes, z: ZSet, removed: int) -> int:
    if not removed:
        ctx.log_as()
    elif not z:
        ctx.db.delete(key)
    else:
        ctx.db.touch(key)
    return removed


@command("zrem", -3, "write fast", keys=(1, 1, 1))
def zrem(ctx: Ctx, args: list[bytes]) -> int:
    z = _zset(ctx, args[1])
    if z is None:
        ctx.log_as()
        return 0
    removed = sum(z.remove(member) for member in args[2:])
    return _after_removal(ctx, args[1], z, removed)


@command("zremrangebyrank", 4, "write", keys=(1, 1, 1))
def zremrangebyrank(ctx: Ctx, args: list[bytes]) -> int:
    start, end = _long(args[2]), _long(args[3])
    z = _zset(ctx, args[1])
    if z is None:
        return 0
    bounds = rank_bounds(start, end, len(z))
    doomed = [] if bounds is None else z.by_rank(*bounds)
    for _, member in doomed:
        z.remove(member)
    return _after_removal(ctx, args[1], z, len(doomed))


@command("zremrangebyscore", 4, "write", keys=(1, 1, 1))
def zremrangebyscore(ctx: Ctx, args: list[bytes]) -> int:
    bounds = _score_range(args[2], args[3])
    z = _zset(ctx, args[1])
    if z is None:
        return 0
    first, end = z.score_bounds(*bounds)
    doomed = z.by_rank(first, end - 1)
    for _, member in doomed:
        z.remove(member)
    return _after_removal(ctx, args[1], z, len(doomed))


@command("zremrangebylex", 4, "write", keys=(1, 1, 1))
def zremrangebylex(ctx: Ctx, args: list[bytes]) -> int:
    low, high = _lex_item(args[2]), _lex_item(args[3])
    z = _zset(ctx, args[1])
    if z is None:
        return 0
    first, end = z.lex_bounds(low, high)
    doomed = z.by_rank(first, end - 1)
    for _, member in doomed:
        z.remove(member)
    return _after_removal(ctx, args[1], z, len(doomed))


# ---------------------------------------------------------------- reads


@command("zcard", 2, "readonly fast", keys=(1, 1, 1))
def zcard(ctx: Ctx, args: list[bytes]) -> int:
    z = _zset(ctx, args[1])
    return 0 if z is None else len(z)


@command("zscore", 3, "readonly fast", keys=(1, 1, 1))
def zscore(ctx: Ctx, args: list[bytes]) -> float | None:
    z = _zset(ctx, args[1])
    return None if z is None else z.scores.get(args[2])


@command("zmscore", -3, "readonly fast", keys=(1, 1, 1))
def zmscore(ctx: Ctx, args: list[bytes]) -> list[float | None]:
    z = _zset(ctx, args[1])
    scores = {} if z is None else z.scores
    return [scores.get(member) for member in args[2:]]


def _rank(ctx: Ctx, args: list[bytes], reverse: bool) -> int | None:
    z = _zset(ctx, args[1])
    if z is None:
        return None
    rank = z.rank(args[2])
    if rank is None:
        return None
    return len(z) - 1 - rank if reverse else rank


@command("zrank", 3, "readonly fast", keys=(1, 1, 1))
def zrank(ctx: Ctx, args: list[bytes]) -> int | None:
    return _rank(ctx, args, reverse=False)


@command("zrevrank", 3, "readonly fast", keys=(1, 1, 1))
def zrevrank(ctx: Ctx, args: list[bytes]) -> int | None:
    return _rank(ctx, args, reverse=True)


@command("zcount", 4, "readonly fast", keys=(1, 1, 1))
def zcount(ctx: Ctx, args: list[bytes]) -> int:
    bounds = _score_range(args[2], args[3])
    z = _zset(ctx, args[1])
    if z is None:
        return 0
    first, end = z.score_bounds(*bounds)
    return end - first


@command("zlexcount", 4, "readonly fast", keys=(1, 1, 1))
def zlexcount(ctx: Ctx, args: list[bytes]) -> int:
    low, high = _lex_item(args[2]), _lex_item(args[3])
    z = _zset(ctx, args[1])
    if z is None:
        return 0
    first, end = z.lex_bounds(low, high)
    return end - first


# ---------------------------------------------------------------- ZRANGE and its relatives

_RANK, _SCORE, _LEX = "rank", "score", "lex"


def _zrange(
    ctx: Ctx, args: list[bytes], key_at: int, store: bool, by: str | None, reverse: bool | None
) -> tuple[list[tuple[float, bytes]], bool] | None:
    """zrangeGenericCommand: the selected elements and WITHSCORES; None when the source key is missing."""
    withscores = False
    offset, limit = 0, -1
    j = key_at + 3
    while j < len(args):
        opt = args[j].lower()
        left = len(args) - j - 1
        if not store and opt == b"withscores":
            withscores = True
        elif opt == b"limit" and left >= 2:
            offset, limit = _long(args[j + 1]), _long(args[j + 2])
            j += 2
        elif reverse is None and opt == b"rev":
            reverse = True
        elif by is None and opt == b"bylex":
            by = _LEX
        elif by is None and opt == b"byscore":
            by = _SCORE
        else:
            raise CommandError(SYNTAX)
        j += 1
    reverse = bool(reverse)
    by = by or _RANK
    if limit != -1 and by == _RANK:
        raise CommandError(
            ZRANGE_LIMIT_SYNTAX
        )
    if withscores and by == _LEX:
        raise CommandError(ZRANGE_WITHSCORES_BYLEX)
    low, high = args[key_at + 1], args[key_at + 2]
    if reverse and by != _RANK:
        low, high = high, low
    if by == _RANK:
        start, end = _long(low), _long(high)
    elif by == _SCORE:
        score_bounds = _score_range(low, high)
    else:
        lex_low, lex_high = _lex_item(low), _lex_item(high)
    z = _zset(ctx, args[key_at])
    if z is None:
        return None
    n = len(z)
    if by == _RANK:
        bounds = rank_bounds(start, end, n)
        if bounds is None:
            return [], withscores
        first, last = bounds
        if reverse:
            first, last = n - 1 - last, n - 1 - first
        items = z.by_rank(first, last)
        return (items[::-1] if reverse else items), withscores
    first, stop = z.score_bounds(*score_bounds) if by == _SCORE else z.lex_bounds(lex_low, lex_high)
    if offset < 0 or limit == 0:
        return [], withscores
    if reverse:
        hi = stop - offset
        lo = first if limit < 0 else max(first, hi - limit)
        return z.by_rank(lo, hi - 1)[::-1] if hi > lo else [], withscores
    lo = first + offset
    hi = stop if limit < 0 else min(stop, lo + limit)
    return (z.by_rank(lo, hi - 1) if hi > lo else []), withscores


def _range_reply(ctx: Ctx, args: list[bytes], by: str | None, reverse: bool | None) -> list[Any]:
    found = _zrange(ctx, args, 1, False, by, reverse)
    if found is None:
        return []
    items, withscores = found
    return _scored(items, withscores, ctx.client.proto)


@command("zrange", -4, "readonly", keys=(1, 1, 1))
def zrange(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, None, None)


@command("zrangestore", -5, "write denyoom", keys=(1, 2, 1))
def zrangestore(ctx: Ctx, args: list[bytes]) -> int:
    found = _zrange(ctx, args, 2, True, None, None)
    return _store(ctx, args[1], [] if found is None else found[0])


@command("zrevrange", -4, "readonly", keys=(1, 1, 1))
def zrevrange(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, _RANK, True)


@command("zrangebyscore", -4, "readonly", keys=(1, 1, 1))
def zrangebyscore(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, _SCORE, False)


@command("zrevrangebyscore", -4, "readonly", keys=(1, 1, 1))
def zrevrangebyscore(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, _SCORE, True)


@command("zrangebylex", -4, "readonly", keys=(1, 1, 1))
def zrangebylex(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, _LEX, False)


@command("zrevrangebylex", -4, "readonly", keys=(1, 1, 1))
def zrevrangebylex(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _range_reply(ctx, args, _LEX, True)


# ---------------------------------------------------------------- pops


def _pop_from(ctx: Ctx, key: bytes, z: ZSet, count: int, maximum: bool) -> list[tuple[float, bytes]]:
    n = len(z)
    take = min(count, n)
    items = z.by_rank(n - take, n - 1)[::-1] if maximum else z.by_rank(0, take - 1)
    for _, member in items:
        z.remove(member)
    _after_removal(ctx, key, z, len(items))
    return items


def _pop_pairs(items: list[tuple[float, bytes]], nested: bool) -> list[Any]:
    if nested:
        return [[member, score] for score, member in items]
    return [x for score, member in items for x in (member, score)]


def _zpop(ctx: Ctx, args: list[bytes], maximum: bool) -> list[Any]:
    if len(args) > 3:
        raise CommandError(SYNTAX)
    count = 1
    if len(args) == 3:
        parsed = parse_ll(args[2])
        if parsed is None or parsed < 0:
            raise CommandError(POSITIVE)
        if parsed == 0:
            return []
        count = parsed
    z = _zset(ctx, args[1])
    if z is None:
        return []
    items = _pop_from(ctx, args[1], z, count, maximum)
    return _pop_pairs(items, ctx.client.proto == 3 and len(args) == 3)


@command("zpopmin", -2, "write fast", keys=(1, 1, 1))
def zpopmin(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _zpop(ctx, args, maximum=False)


@command("zpopmax", -2, "write fast", keys=(1, 1, 1))
def zpopmax(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _zpop(ctx, args, maximum=True)


def zmpop_args(args: list[bytes], first: int) -> tuple[list[bytes], bool, int]:
    """ZMPOP / BZMPOP after the timeout: numkeys key... MIN|MAX [COUNT n] -> (keys, maximum, count)."""
    numkeys = parse_ll(args[first])
    if numkeys is None or numkeys <= 0:
        raise CommandError(NUMKEYS)
    where_at = first + 1 + numkeys
    if where_at >= len(args):
        raise CommandError(SYNTAX)
    where = args[where_at].lower()
    if where not in (b"min", b"max"):
        raise CommandError(SYNTAX)
    count = 1
    rest = args[where_at + 1 :]
    if rest:
        if len(rest) != 2 or rest[0].lower() != b"count":
            raise CommandError(SYNTAX)
        parsed = parse_ll(rest[1])
        if parsed is None or parsed <= 0:
            raise CommandError(COUNT_POSITIVE)
        count = parsed
    return args[first + 1 : where_at], where == b"max", count


def _pop_first(ctx: Ctx, keys: list[bytes], maximum: bool, count: int, nested: bool) -> list[Any] | None:
    """The first non-empty sorted set among keys: [key, [member, score]...] (nested, ZMPOP) or
    [key, member, score] (BZPOPMIN); the pop is logged as ZPOPMIN/ZPOPMAX. None when all are empty."""
    for key in keys:
        z = _zset(ctx, key)
        if z is not None:
            items = _pop_from(ctx, key, z, count, maximum)
            name = b"ZPOPMAX" if maximum else b"ZPOPMIN"
            ctx.log_as([name, key, str(count).encode()] if nested else [name, key])
            return [key, _pop_pairs(items, nested=True)] if nested else [key, *_pop_pairs(items, False)]
    ctx.log_as()
    return None


@command("zmpop", -4, "write movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def zmpop(ctx: Ctx, args: list[bytes]) -> Any:
    keys, maximum, count = zmpop_args(args, 1)
    reply = _pop_first(ctx, keys, maximum, count, nested=True)
    return NULL_ARRAY if reply is None else reply


def _blocking_pop(ctx: Ctx, keys: list[bytes], maximum: bool, count: int, nested: bool, timeout_arg: bytes
                  ) -> Any:  # fmt: skip
    timeout = parse_timeout(timeout_arg)
    reply = _pop_first(ctx, keys, maximum, count, nested)
    if reply is not None:
        return reply

    def attempt(ctx: Ctx, key: bytes) -> Any:
        return _pop_first(ctx, [key], maximum, count, nested)

    return block(ctx, Block(keys, ZSet, timeout, attempt))


@command("bzpopmin", -3, "write noscript blocking fast", keys=(1, -2, 1))
def bzpopmin(ctx: Ctx, args: list[bytes]) -> Any:
    return _blocking_pop(ctx, args[1:-1], False, 1, False, args[-1])


@command("bzpopmax", -3, "write noscript blocking fast", keys=(1, -2, 1))
def bzpopmax(ctx: Ctx, args: list[bytes]) -> Any:
    return _blocking_pop(ctx, args[1:-1], True, 1, False, args[-1])


@command("bzmpop", -5, "write blocking movablekeys", keys=(0, 0, 0), find_keys=numkeys(2))
def bzmpop(ctx: Ctx, args: list[bytes]) -> Any:
    keys, maximum, count = zmpop_args(args, 2)
    return _blocking_pop(ctx, keys, maximum, count, True, args[1])


# ---------------------------------------------------------------- random members and scan


@command("zrandmember", -2, "readonly", keys=(1, 1, 1))
def zrandmember(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 4 or (len(args) == 4 and args[3].lower() != b"withscores"):
        raise CommandError(SYNTAX)
    if len(args) == 2:
        z = _zset(ctx, args[1])
        if z is None:
            return None
        return z.order[random.randrange(len(z))][1]
    count = parse_ll(args[2])
    if count is None:
        raise CommandError(NOT_INTEGER)
    withscores = len(args) == 4
    if withscores and not -(2**62) <= count <= 2**62:
        raise CommandError(VALUE_RANGE)
    z = _zset(ctx, args[1])
    if z is None or count == 0:
        return []
    n = len(z)
    if count < 0:
        items = [z.order[random.randrange(n)] for _ in range(-count)]
    elif count >= n:
        items = list(reversed(z.order))  # the whole set, in the order Redis 7.0 walks it
    else:
        items = random.sample(list(z.order), count)
    return _scored(items, withscores, ctx.client.proto)


@command("zscan", -3, "readonly", keys=(1, 1, 1))
def zscan(ctx: Ctx, args: list[bytes]) -> list[Any]:
    cursor = cursor_arg(args[2])
    z = _zset(ctx, args[1])
    if z is None:
        return [b"0", []]
    count, match, _ = scan_options(args, 3)
    scores = z.scores
    if compact(encoding(z, ctx.server.config)):
        cursor, members = 0, [m for _, m in z]  # a listpack holds the members in score order
    else:
        cursor, members = walk(scores, cursor, count)
    out: list[bytes] = []
    for member in members:
        score = scores.get(member)
        if score is not None and (match is None or match(member)):
            out += (member, format_double(score))
    return [str(cursor).encode(), out]


# ---------------------------------------------------------------- set algebra


def _source(ctx: Ctx, key: bytes) -> dict[bytes, float] | None:
    """An input of ZUNION & co: a sorted set, or a plain set whose members score 1."""
    value = ctx.db.lookup(key)
    if value is None:
        return None
    if type(value) is ZSet:
        return value.scores
    if type(value) is set:
        return dict.fromkeys(value, 1.0)
    raise CommandError(WRONGTYPE)


def _aggregate(how: bytes, a: float, b: float) -> float:
    if how == b"sum":
        total = a + b
        return 0.0 if math.isnan(total) else total
    return min(a, b) if how == b"min" else max(a, b)


def _weighted(score: float, weight: float) -> float:
    value = score * weight
    return 0.0 if math.isnan(value) else value


def _algebra(ctx: Ctx, args: list[bytes], numkeys_at: int, op: str, store: bool) -> tuple[list[Any], bool]:
    """zunionInterDiffGenericCommand: the result sorted by (score, member), and WITHSCORES."""
    numkeys = _long(args[numkeys_at])
    if numkeys < 1:
        name = args[0].lower().decode(errors="replace")
        raise CommandError(texts.at_least_one_key(name))
    if numkeys > len(args) - numkeys_at - 1:
        raise CommandError(SYNTAX)
    keys = args[numkeys_at + 1 : numkeys_at + 1 + numkeys]
    sources = [_source(ctx, key) for key in keys]
    weights = [1.0] * numkeys
    how = b"sum"
    withscores = False
    j = numkeys_at + 1 + numkeys
    while j < len(args):
        remaining = len(args) - j
        opt = args[j].lower()
        if op != "diff" and remaining >= numkeys + 1 and opt == b"weights":
            given = args[j + 1 : j + 1 + numkeys]
            weights = [parse_score(w, texts.WEIGHT_NOT_FLOAT) for w in given]
            j += 1 + numkeys
        elif op != "diff" and remaining >= 2 and opt == b"aggregate":
            how = args[j + 1].lower()
            if how not in (b"sum", b"min", b"max"):
                raise CommandError(SYNTAX)
            j += 2
        elif not store and opt == b"withscores":
            withscores = True
            j += 1
        else:
            raise CommandError(SYNTAX)
    result: dict[bytes, float] = {}
    if op == "union":
        for src, weight in zip(sources, weights, strict=True):
            for member, score in (src or {}).items():
                value = _weighted(score, weight)
                old = result.get(member)
                result[member] = value if old is None else _aggregate(how, old, value)
    elif op == "inter":
        if all(src is not None for src in sources):
            present = [(src, w) for src, w in zip(sources, weights, strict=True) if src is not None]
            smallest = min(present, key=lambda p: len(p[0]))[0]
            for member in smallest:
                if all(member in src for src, _ in present):
                    total: float | None = None
                    for src, weight in present:
                        value = _weighted(src[member], weight)
                        total = value if total is None else _aggregate(how, total, value)
                    assert total is not None
                    result[member] = total
    else:
        first = sources[0]
        if first is not None:
            others = [src for src in sources[1:] if src is not None]
            result = {m: s for m, s in first.items() if not any(m in src for src in others)}
    return sorted((score, member) for member, score in result.items()), withscores


def _algebra_reply(ctx: Ctx, args: list[bytes], op: str) -> list[Any]:
    items, withscores = _algebra(ctx, args, 1, op, store=False)
    return _scored(items, withscores, ctx.client.proto)


def _algebra_store(ctx: Ctx, args: list[bytes], op: str) -> int:
    items, _ = _algebra(ctx, args, 2, op, store=True)
    return _store(ctx, args[1], items)


@command("zunion", -3, "readonly movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def zunion(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _algebra_reply(ctx, args, "union")


@command("zinter", -3, "readonly movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def zinter(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _algebra_reply(ctx, args, "inter")


@command("zdiff", -3, "readonly movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def zdiff(ctx: Ctx, args: list[bytes]) -> list[Any]:
    return _algebra_reply(ctx, args, "diff")


@command("zunionstore", -4, "write denyoom movablekeys", keys=(1, 1, 1), find_keys=numkeys(2, (1,)))
def zunionstore(ctx: Ctx, args: list[bytes]) -> int:
    return _algebra_store(ctx, args, "union")


@command("zinterstore", -4, "write denyoom movablekeys", keys=(1, 1, 1), find_keys=numkeys(2, (1,)))
def zinterstore(ctx: Ctx, args: list[bytes]) -> int:
    return _algebra_store(ctx, args, "inter")


@command("zdiffstore", -4, "write denyoom movablekeys", keys=(1, 1, 1), find_keys=numkeys(2, (1,)))
def zdiffstore(ctx: Ctx, args: list[bytes]) -> int:
    return _algebra_store(ctx, args, "diff")


@command("zintercard", -3, "readonly movablekeys", keys=(0, 0, 0), find_keys=numkeys(1))
def zintercard(ctx: Ctx, args: list[bytes]) -> int:
    numkeys = _long(args[1])
    if numkeys <= 0:
        raise CommandError(ZINTERCARD_NO_KEYS)
    if numkeys > len(args) - 2:
        raise CommandError(SYNTAX)
    limit = 0
    rest = args[2 + numkeys :]
    if rest:
        if len(rest) != 2 or rest[0].lower() != b"limit":
            raise CommandError(SYNTAX)
        parsed = parse_ll(rest[1])
        if parsed is None or parsed < 0:
            raise CommandError(LIMIT_NEGATIVE)
        limit = parsed
    sources = [_source(ctx, key) for key in args[2 : 2 + numkeys]]
    if any(src is None for src in sources):
        return 0
    present = sorted((src for src in sources if src is not None), key=len)
    count = 0
    for member in present[0]:
        if all(member in src for src in present[1:]):
            count += 1
            if limit and count >= limit:
                break
    return count
