"""Typed lookups shared by the data command families (the WRONGTYPE check in one place)."""

from __future__ import annotations

from typing import TypeVar

from server import texts
from server.commands.registry import CommandError
from server.keyspace import Database
from server.texts import WRONGTYPE

T = TypeVar("T")


def typed(db: Database, key: bytes, kind: type[T]) -> T | None:
    """The live value of `key` when it has type `kind`, None when missing; WRONGTYPE otherwise."""
    value = db.lookup(key)
    if value is None or type(value) is kind:
        return value
    raise CommandError(WRONGTYPE)


def arity_error(name: str) -> CommandError:
    """For an argument count the table's arity cannot express (HSET, MSET); `name` is the command's
    canonical name, as Redis prints it whatever case the client sent."""
    return CommandError(texts.wrong_arity(name))


def rank_bounds(start: int, end: int, n: int) -> tuple[int, int] | None:
    """The inclusive index range over n elements (negative counts from the end), clamped; None if empty."""
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        return None
    return start, min(end, n - 1)
