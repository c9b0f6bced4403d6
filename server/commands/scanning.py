"""The SCAN family's shared part (Redis 7.0 scanGenericCommand): the cursor, the options, the walk.

A collection in a compact encoding (listpack, intset) comes back whole with cursor 0, as Redis answers.
A bigger one is walked in the order of its members' hashes, COUNT at a time: the cursor is a position in
that hash space, so insertions and deletions never move a member relative to it, and a member present
for the whole walk is returned (Redis's guarantee, which Redis gets from reverse-binary bucket cursors).
The walk reads a snapshot of the members sorted by hash, taken when a walk starts (cursor 0) or when no
snapshot of this collection is kept: any snapshot taken after a walk began holds every member present
for the whole walk, so concurrent walks may share the newest one. Members gone since are filtered out."""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Collection
from typing import Any

from server.commands.redisnum import parse_cursor, parse_ll
from server.commands.registry import CommandError
from server.stringmatch import compile_pattern
from server.texts import INVALID_CURSOR, NOT_INTEGER, SYNTAX

SNAPSHOTS_KEPT = 16  # walks of this many big collections at once keep their snapshot
_OFFSET = 1 << 63  # a cursor is a member's hash made unsigned (0 .. 2^64 - 1)
# id(collection) -> (the collection, its members sorted by hash); least recently walked first
_snapshots: OrderedDict[int, tuple[Collection[bytes], list[bytes]]] = OrderedDict()


def cursor_arg(arg: bytes) -> int:
    cursor = parse_cursor(arg)
    if cursor is None:
        raise CommandError(INVALID_CURSOR)
    return cursor


def scan_options(
    args: list[bytes], start: int, *, type_ok: bool = False
) -> tuple[int, Callable[[bytes], Any] | None, bytes | None]:
    """(COUNT, MATCH predicate or None, TYPE or None); TYPE only with `type_ok` (SCAN), else syntax error."""
    count, match, type_name = 10, None, None
    i, argc = start, len(args)
    while i < argc:
        option = args[i].lower()
        if argc - i < 2:
            raise CommandError(SYNTAX)
        if option == b"count":
            number = parse_ll(args[i + 1])
            if number is None:
                raise CommandError(NOT_INTEGER)
            if number < 1:
                raise CommandError(SYNTAX)
            count = number
        elif option == b"match":
            match = None if args[i + 1] == b"*" else compile_pattern(args[i + 1])
        elif option == b"type" and type_ok:
            type_name = args[i + 1].lower()
        else:
            raise CommandError(SYNTAX)
        i += 2
    return count, match, type_name


def walk(members: Collection[bytes], cursor: int, count: int) -> tuple[int, list[bytes]]:
    """The next batch of a hash-ordered walk of a big collection (its members, some maybe removed since:
    the caller filters) and the cursor after it (0: done). Members of equal hash come together."""
    entry = _snapshots.get(id(members)) if cursor else None
    if entry is None or entry[0] is not members:
        entry = (members, sorted(members, key=hash))
        _snapshots[id(members)] = entry
        while len(_snapshots) > SNAPSHOTS_KEPT:
            _snapshots.popitem(last=False)
    _snapshots.move_to_end(id(members))
    items = entry[1]
    n = len(items)
    start = bisect_left(items, cursor - _OFFSET, key=hash) if cursor else 0
    end = min(start + count, n)
    while 0 < end < n and hash(items[end]) == hash(items[end - 1]):
        end += 1
    return (hash(items[end]) + _OFFSET if end < n else 0), items[start:end]


def compact(encoding: bytes) -> bool:
    """Encodings Redis scans in one call (not hash tables or skiplists)."""
    return encoding in (b"listpack", b"intset")
