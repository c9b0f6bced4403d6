"""server.commands.keyfinders and CommandSpec.key_args: where ACL finds the keys of a command line, and
the table refuses a movablekeys command that does not say where its keys are."""

from __future__ import annotations

import types

import pytest

from server.commands.registry import build_table, command
from tests.server.commands.conftest import TABLE


def _keys(*argv: str) -> list[bytes]:
    raw = [a.encode() for a in argv]
    return TABLE[raw[0].lower()].key_args(raw)


def test_numkeys_sort_and_migrate_keys() -> None:
    assert _keys("ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2") == [b"dst", b"a", b"b"]
    assert _keys("LMPOP", "2", "l1", "l2", "LEFT") == [b"l1", b"l2"]
    assert _keys("BLMPOP", "0", "1", "l", "LEFT") == [b"l"]
    assert _keys("ZUNION", "x", "a") == [] and _keys("ZUNION", "5", "a") == []  # no say: none
    assert _keys("SORT", "k", "LIMIT", "0", "1", "GET", "store", "STORE", "d") == [b"k", b"d"]
    assert _keys("MIGRATE", "h", "1", "", "0", "5", "COPY", "KEYS", "a", "b") == [b"a", b"b"]
    assert _keys("MIGRATE", "h", "1", "k", "0", "5") == [b"k"]
    assert _keys("MSET", "a", "1", "b", "2") == [b"a", b"b"]
    assert _keys("PING") == []


def test_movablekeys_without_a_finder_is_refused() -> None:
    module = types.ModuleType("server.commands.bogus")

    @command("bogus", -2, "readonly movablekeys")
    def bogus(ctx: object, args: list[bytes]) -> None:
        return None

    module.bogus = bogus  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="movablekeys and find_keys go together"):
        build_table([module])
