"""SORT and SORT_RO (Redis 7.0 sort.c): BY (with `*` and `->field`), LIMIT, GET (`#` too), ASC/DESC,
ALPHA, STORE. Numeric sorting reads values as C's strtod does; ties sort by the element's bytes."""

from __future__ import annotations

import re
from typing import Any

from server.commands.keyfinders import sort_keys, sort_ro_keys
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.context import Ctx
from server.keyspace import Database
from server.quicklist import QuickList
from server.texts import (
    NOT_DOUBLE,
    NOT_INTEGER,
    SORT_BY_DENIED,
    SORT_GET_DENIED,
    SYNTAX,
    WRONGTYPE,
)
from server.zset import ZSet

_STRTOD = re.compile(
    rb"[ \t\n\v\f\r]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?)", re.I
).fullmatch


def _score(value: bytes) -> float | None:
    """strtod over the whole value; None where Redis reports a conversion error (junk, NaN, ERANGE)."""
    if not value:
        return 0.0  # strtod converts nothing and stops at the terminating NUL: no error
    if _STRTOD(value) is None:
        return None
    score = float(value)
    if score in (float("inf"), float("-inf")) and b"inf" not in value.lower():
        return None  # overflow (ERANGE)
    return score


def _by_pattern(db: Database, pattern: bytes, element: bytes) -> bytes | None:
    """lookupKeyByPattern: `#` is the element; `*` is replaced by it; `key->field` reads a hash field."""
    if pattern == b"#":
        return element
    star = pattern.find(b"*")
    if star < 0:
        return None
    arrow = pattern.find(b"->", star + 1)
    field = None
    if arrow >= 0 and arrow + 2 < len(pattern):
        field, pattern = pattern[arrow + 2 :], pattern[:arrow]
    value = db.lookup(pattern[:star] + element + pattern[star + 1 :])
    if field is not None:
        return value.get(field) if isinstance(value, dict) else None
    return value if type(value) is bytes else None


def _sort(ctx: Ctx, args: list[bytes], readonly: bool) -> Any:
    desc = alpha = dontsort = False
    limit_start, limit_count = 0, -1
    store: bytes | None = None
    by: bytes | None = None
    gets: list[bytes] = []
    j, argc = 2, len(args)
    while j < argc:
        opt, left = args[j].lower(), argc - j - 1
        if opt == b"asc":
            desc = False
        elif opt == b"desc":
            desc = True
        elif opt == b"alpha":
            alpha = True
        elif opt == b"limit" and left >= 2:
            start, count = parse_ll(args[j + 1]), parse_ll(args[j + 2])
            if start is None or count is None:
                raise CommandError(NOT_INTEGER)
            limit_start, limit_count = start, count
            j += 2
        elif opt == b"store" and not readonly and left >= 1:
            store = args[j + 1]
            j += 1
        elif opt == b"by" and left >= 1:
            by = args[j + 1]
            dontsort = b"*" not in by
            if not dontsort and not ctx.client.user.all_keys:  # the pattern reads keys ACL cannot check
                raise CommandError(SORT_BY_DENIED)
            j += 1
        elif opt == b"get" and left >= 1:
            if not ctx.client.user.all_keys:
                raise CommandError(SORT_GET_DENIED)
            gets.append(args[j + 1])
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    db = ctx.db
    value = db.lookup(args[1])
    if value is not None and not isinstance(value, (set, QuickList, ZSet)):
        raise CommandError(WRONGTYPE)
    if isinstance(value, set) and dontsort and store is not None:
        dontsort, alpha, by = False, True, None  # a stored result must not depend on hash order
    if value is None:
        elements: list[bytes] = []
    elif isinstance(value, ZSet):
        elements = [member for _, member in value]
    else:
        elements = list(value)
    n = len(elements)
    start = max(limit_start, 0)
    end = n - 1 if limit_count < 0 else start + limit_count - 1
    if start >= n:
        start, end = n - 1, n - 2
    end = min(end, n - 1)
    if dontsort:
        if desc and not isinstance(value, set):
            elements.reverse()
    else:
        elements = _sorted(db, elements, by, alpha, desc)
    chosen = elements[start : end + 1] if end >= start else []
    if not gets:
        rows: list[bytes | None] = list(chosen)
    else:
        rows = [_by_pattern(db, pattern, e) for e in chosen for pattern in gets]
    if store is None:
        return rows
    if rows:
        db.set(store, QuickList(b"" if row is None else row for row in rows))
    elif not db.delete(store):
        ctx.log_as()
    return len(rows)


def _sorted(db: Database, elements: list[bytes], by: bytes | None, alpha: bool, desc: bool) -> list[bytes]:
    if alpha:
        if by is None:
            return sorted(elements, reverse=desc)
        keyed = [(_by_pattern(db, by, e), e) for e in elements]
        keyed.sort(key=lambda p: (p[0] is not None, p[0] or b""), reverse=desc)
        return [e for _, e in keyed]
    scored: list[tuple[float, bytes]] = []
    failed = False
    for e in elements:
        source = _by_pattern(db, by, e) if by is not None else e
        score = 0.0 if source is None else _score(source)
        if score is None:
            failed = True
            score = 0.0
        scored.append((score, e))
    if failed:
        raise CommandError(NOT_DOUBLE)
    scored.sort(reverse=desc)
    return [e for _, e in scored]


@command("sort", -2, "write denyoom movablekeys", keys=(1, 1, 1), find_keys=sort_keys)
def sort(ctx: Ctx, args: list[bytes]) -> Any:
    return _sort(ctx, args, readonly=False)


@command("sort_ro", -2, "readonly movablekeys", keys=(1, 1, 1), find_keys=sort_ro_keys)
def sort_ro(ctx: Ctx, args: list[bytes]) -> Any:
    return _sort(ctx, args, readonly=True)
