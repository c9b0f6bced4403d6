"""The SCAN family's shared part (Redis 7.0 scanGenericCommand): the cursor, the options, the walk.

Collections up to SMALL_COLLECTION elements come back whole with cursor 0, as Redis answers for its
compact encodings; larger ones are walked by position over the element order, COUNT at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from server.commands.redisnum import parse_cursor, parse_ll
from server.commands.registry import NOT_INTEGER, SYNTAX, CommandError
from server.stringmatch import compile_pattern

SMALL_COLLECTION = 128
INVALID_CURSOR = "ERR invalid cursor"


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


def walk(items: Sequence[Any], cursor: int, count: int) -> tuple[int, Sequence[Any]]:
    """The next batch of a positional walk and the cursor after it (0: done)."""
    if len(items) <= SMALL_COLLECTION:
        return 0, items
    batch = items[cursor : cursor + count]
    after = cursor + len(batch)
    return (0 if after >= len(items) else after), batch
