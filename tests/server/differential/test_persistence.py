"""Differential cases: SAVE, BGSAVE, LASTSAVE (case syntax: harness.py). Only what is deterministic on a
shared server: argument errors, SAVE inside MULTI, a foreground SAVE and LASTSAVE's type. BGSAVE's
started / in progress / scheduled replies depend on a child's timing: tests/server/test_rdb_save.py
runs them on both servers side by side."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, arity_cases, assert_same, case_id

COMMANDS: Commands = {"SAVE": (1, None, ""), "BGSAVE": (-1, None, ""), "LASTSAVE": (1, None, "")}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("BGSAVE foo", "BGSAVE schedule x", "BGSAVE SCHEDULE SCHEDULE", "bgsave now"),
    ("SET a 1", "SAVE", "~kind LASTSAVE", "SAVE"),
    ("MULTI", "SAVE", "EXEC"),
    ("MULTI", "LASTSAVE x", "EXEC"),
    ("HELLO 3", "SAVE", "~kind LASTSAVE", "BGSAVE x"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
