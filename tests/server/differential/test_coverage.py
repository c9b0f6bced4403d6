"""The suite itself: every family's table is exercised, placeholders are absolute, the suite is not thin."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import tests.server.differential as package
from tests.server.differential.harness import command_line, tokens


def _families() -> list[ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("test_")]
    return [importlib.import_module(f"{package.__name__}.{n}") for n in names if n != "test_coverage"]


def test_enough_cases() -> None:
    assert sum(len(m.CASES) for m in _families()) >= 300


def test_every_command_is_exercised() -> None:
    for module in _families():
        sent = {tokens(command_line(line), 0)[0].upper().decode() for case in module.CASES for line in case}
        missing = set(module.COMMANDS) - sent
        assert not missing, f"{module.__name__}: no case sends {sorted(missing)}"


def test_time_placeholders_are_absolute() -> None:
    argv = tokens("EXPIREAT k {s+100}", 1000.0)
    assert argv == [b"EXPIREAT", b"k", b"1100"]
    assert tokens('SET "a\\x00 b" x\\*y', 0) == [b"SET", b"a\x00 b", b"x\\*y"]
