"""Differential cases: sets (case syntax: harness.py)."""

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
    "SADD": (-3, "set", "k m"),
    "SREM": (-3, "set", "k m"),
    "SMEMBERS": (2, "set", "k"),
    "SISMEMBER": (3, "set", "k m"),
    "SMISMEMBER": (-3, "set", "k m"),
    "SCARD": (2, "set", "k"),
    "SINTER": (-2, "set", "k"),
    "SUNION": (-2, "set", "k"),
    "SDIFF": (-2, "set", "k"),
}

# replies whose element order Redis leaves unspecified (compared sorted in the WRONGTYPE cases)
SORTED = {"SINTER", "SUNION", "SDIFF"}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("SADD s a b c a", "SADD s a d", "SCARD s", "~sort SMEMBERS s", "SISMEMBER s a", "SISMEMBER s z",
     "SISMEMBER nokey a", "SCARD nokey", "SMEMBERS nokey"),
    ("SADD s a b c", "SREM s a z", "SREM s z", "~sort SMEMBERS s", "SREM s b c", "EXISTS s", "SREM nokey a"),
    ("SADD s a b", "SMISMEMBER s a z b", "SMISMEMBER nokey a b"),
    ("SADD s 3 1 2", "~sort SMEMBERS s", "SADD s 10 -5", "~sort SMEMBERS s", "SADD s x", "~sort SMEMBERS s"),
    ("SADD a 1 2 3 4", "SADD b 3 4 5", "SADD c 4 5 6", "~sort SINTER a b", "~sort SINTER a b c",
     "~sort SUNION a b c", "~sort SDIFF a b", "~sort SDIFF a b c", "~sort SDIFF b a", "~sort SINTER a",
     "~sort SDIFF a a", "~sort SUNION a a"),
    ("SADD a 1 2", "SINTER a nokey", "~sort SUNION a nokey", "~sort SDIFF a nokey", "SDIFF nokey a",
     "SINTER nokey", "SUNION nokey", "SDIFF nokey"),
    ("SADD a 1", "SET str v", "SINTER a str", "SINTER nokey str", "SINTER str nokey", "SUNION nokey str",
     "SDIFF nokey str", "SDIFF a str", "SINTER a nokey str"),
    ("SADD s a", "HELLO 3", "SMEMBERS s", "SINTER s", "SMEMBERS nokey", "SINTER s nokey", "SISMEMBER s a",
     "SMISMEMBER s a b", "SDIFF s s", "SUNION nokey"),
    ('SADD s "" "a\\x00"', "~sort SMEMBERS s", 'SISMEMBER s ""', "SCARD s"),
    ("SADD s a", "EXPIRE s 100", "SADD s b", "~ttl TTL s", "SREM s a b", "TTL s"),
    ("SADD s a b", "SMISMEMBER s a a z", "~sort SINTER s s", "~sort SUNION s nokey s", "SREM s a a b",
     "SCARD s"),
    ("SADD a 1 2 3", "SADD b 2", "SET str v", "SDIFF a b str", "SUNION a str", "SINTER str", "SDIFF str"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS, sort=SORTED), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
