"""Differential cases: OBJECT, and encodings that follow the CONFIG thresholds (syntax: harness.py)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, arity_cases, assert_same, case_id, resp3

COMMANDS: Commands = {"OBJECT": (-2, None, "HELP")}

LONG = "x" * 45

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("SET a 123", "SET b -9223372036854775808", "SET c 9223372036854775808", "SET d 0123", "SET e hello",
     "SET f yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
     "SET g xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "OBJECT ENCODING a", "OBJECT ENCODING b",
     "OBJECT ENCODING c", "OBJECT ENCODING d", "OBJECT ENCODING e", "OBJECT ENCODING f", "OBJECT ENCODING g",
     "OBJECT ENCODING nokey"),
    ("HSET h f v", "OBJECT ENCODING h",
     "HSET h2 f vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", "OBJECT ENCODING h2",
     "HSET h3 f vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", "OBJECT ENCODING h3",
     "HSET h4 kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk v", "OBJECT ENCODING h4"),
    ("SADD s 1 2 3", "OBJECT ENCODING s", "SADD s2 1 a", "OBJECT ENCODING s2", "SADD s3 -5 007",
     "OBJECT ENCODING s3"),
    ("ZADD z 1 a", "OBJECT ENCODING z",
     "ZADD z2 1 mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm", "OBJECT ENCODING z2",
     "ZADD z3 1 mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm", "OBJECT ENCODING z3",
     "RPUSH l a", "OBJECT ENCODING l"),
    ("CONFIG SET hash-max-listpack-entries 2", "HSET h a 1 b 2", "OBJECT ENCODING h", "HSET h2 a 1 b 2 c 3",
     "OBJECT ENCODING h2", "CONFIG SET hash-max-listpack-entries 512"),
    ("CONFIG SET set-max-intset-entries 2", "SADD s 1 2", "OBJECT ENCODING s", "SADD s2 1 2 3",
     "OBJECT ENCODING s2", "CONFIG SET set-max-intset-entries 512"),
    ("CONFIG SET zset-max-listpack-entries 1", "ZADD z 1 a", "OBJECT ENCODING z", "ZADD z2 1 a 2 b",
     "OBJECT ENCODING z2", "CONFIG SET zset-max-listpack-entries 128"),
    ("CONFIG SET zset-max-listpack-value 3", "ZADD z 1 abc", "OBJECT ENCODING z", "ZADD z2 1 abcd",
     "OBJECT ENCODING z2", "CONFIG SET zset-max-listpack-value 64"),
    ("SET a 100", "SET b 10000", "SET c x", "HSET h f v", "OBJECT REFCOUNT a", "OBJECT REFCOUNT b",
     "OBJECT REFCOUNT c", "OBJECT REFCOUNT h", "OBJECT REFCOUNT nokey", "OBJECT IDLETIME c",
     "OBJECT IDLETIME nokey", "OBJECT FREQ c", "OBJECT FREQ nokey"),
    ("SET c x", "CONFIG SET maxmemory-policy allkeys-lfu", "OBJECT IDLETIME c", "OBJECT FREQ c",
     "CONFIG SET maxmemory-policy noeviction"),
    ("OBJECT HELP", "OBJECT FOO k", "OBJECT ENCODING", "OBJECT ENCODING a b", "OBJECT HELP x",
     "object encoding k", "OBJECT"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES[:2])]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
