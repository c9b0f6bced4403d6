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
