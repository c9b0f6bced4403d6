"""Where the keys of a command with movable keys are (Redis 7.0's key specs and getkeys procs): a numkeys
argument followed by that many keys, SORT's STORE destination, MIGRATE's KEYS list.

A finder returns the argument positions of the keys, or None when the arguments do not say (a numkeys that
is not a number, is negative or runs past the end): COMMAND GETKEYS then answers "Invalid arguments", and
the command itself reports the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from server.commands.redisnum import parse_ll

KeyFinder = Callable[[Sequence[bytes]], list[int] | None]


def numkeys(at: int, fixed: tuple[int, ...] = ()) -> KeyFinder:
    """Keys counted by the argument at `at` and following it; `fixed` are key positions before it (the
    destination of ZUNIONSTORE & co)."""

    def find(argv: Sequence[bytes]) -> list[int] | None:
        if at >= len(argv):
            return None
        n = parse_ll(argv[at])
        if n is None or n < 0 or at + n >= len(argv):
            return None
        return [*fixed, *range(at + 1, at + 1 + n)]

    return find


_SORT_SKIP = {b"limit": 2, b"get": 1, b"by": 1}


def sort_keys(argv: Sequence[bytes]) -> list[int] | None:
    """sortGetKeys: the sorted key, and the last STORE destination (LIMIT/GET/BY arguments skipped)."""
    keys = [1]
    store = None
    i = 2
    while i < len(argv):
        option = argv[i].lower()
        if option in _SORT_SKIP:
            i += _SORT_SKIP[option]
        elif option == b"store" and i + 1 < len(argv):
            store = i + 1
            i += 1
        i += 1
    return keys if store is None else [*keys, store]


def sort_ro_keys(argv: Sequence[bytes]) -> list[int] | None:
    return [1]


def migrate_keys(argv: Sequence[bytes]) -> list[int] | None:
    """migrateGetKeys: the key argument, or everything after KEYS when it is given."""
    for i in range(6, len(argv)):
        if argv[i].lower() == b"keys":
            return None if argv[3] else list(range(i + 1, len(argv)))
    return [3]
