"""Differential cases: lists (case syntax: harness.py)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import (
    Commands,
    Servers,
    arity_cases,
    assert_same,
    case_id,
    resp3,
    wrongtype_cases,
)

# name: (arity as Redis declares it, key type it works on or None, valid arguments after the name)
COMMANDS: Commands = {
    "LPUSH": (-3, "list", "k e"),
    "RPUSH": (-3, "list", "k e"),
    "LPOP": (-2, "list", "k"),
    "RPOP": (-2, "list", "k"),
    "LRANGE": (4, "list", "k 0 -1"),
    "LLEN": (2, "list", "k"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("LPUSH l a b c", "RPUSH l d e", "LRANGE l 0 -1", "LLEN l", "LLEN nokey", "LRANGE nokey 0 -1"),
    ("RPUSH l a b c d e", "LRANGE l 0 0", "LRANGE l 1 3", "LRANGE l -2 -1", "LRANGE l -100 100",
     "LRANGE l 3 1", "LRANGE l 5 10", "LRANGE l -1 -2", "LRANGE l 2 -3", "LRANGE l 0 -6", "LRANGE l -6 0"),
    ("RPUSH l a", "LRANGE l x 1", "LRANGE l 0 y", "LRANGE l 0 1.5", "LRANGE l 9223372036854775808 1",
     "LRANGE l -9223372036854775808 9223372036854775807"),
    ("RPUSH l a b c", "LPOP l", "RPOP l", "LRANGE l 0 -1", "LPOP l", "EXISTS l", "LPOP l", "RPOP l"),
    ("RPUSH l a b c d e", "LPOP l 2", "RPOP l 2", "LRANGE l 0 -1", "LPOP l 10", "EXISTS l"),
    ("RPUSH l a b", "LPOP l 0", "RPOP l 0", "LPOP l -1", "LPOP l x", "LPOP l 1 2", "RPOP l 1 2", "LLEN l"),
    ("LPOP nokey", "LPOP nokey 1", "RPOP nokey 0", "RPOP nokey", "HELLO 3", "LPOP nokey", "LPOP nokey 2",
     "RPUSH l a", "LPOP l 0", "LPOP l 5"),
    ("RPUSH l a", "LPOP l -1", "LPOP l 9223372036854775807", "EXISTS l"),
    ("LPUSH l a", "LPUSH l b c", "RPUSH l d", "LRANGE l 0 -1", "RPOP l 3", "LRANGE l 0 -1"),
    ('RPUSH l "" "a\\x00b"', "LRANGE l 0 -1", "LLEN l"),
    ("RPUSH l a b", "EXPIRE l 100", "RPUSH l c", "~ttl TTL l", "LPOP l 3", "TTL l"),
    ("RPUSH l a b c", "LPOP l 01", "LPOP l +1", "LPOP l 1.0", "RPOP l \"\"", "LRANGE l 0 -1"),
    ("SET s v", "LPUSH s a b c", "RPUSH s a", "LPOP s 0", "LPOP s x", "LRANGE s x y", "LLEN s"),
    ("RPUSH l 1 2 3 4 5 6 7 8 9 10", "LRANGE l 2 -3", "LRANGE l -3 2", "LRANGE l 9 9", "LRANGE l 10 10",
     "LRANGE l -10 -10", "LRANGE l -11 -11", "RPOP l 4", "LPOP l 4", "LRANGE l 0 -1"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
