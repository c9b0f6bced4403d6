"""Differential cases: hashes (case syntax: harness.py)."""

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
    "HSET": (-4, "hash", "k f v"),
    "HGET": (3, "hash", "k f"),
    "HMGET": (-3, "hash", "k f"),
    "HGETALL": (2, "hash", "k"),
    "HDEL": (-3, "hash", "k f"),
    "HEXISTS": (3, "hash", "k f"),
    "HLEN": (2, "hash", "k"),
    "HINCRBY": (4, "hash", "k f 1"),
    "HINCRBYFLOAT": (4, "hash", "k f 1.5"),
    "HKEYS": (2, "hash", "k"),
    "HVALS": (2, "hash", "k"),
    "HSETNX": (4, "hash", "k f v"),
    "HMSET": (-4, None, "k f v"),
    "HSTRLEN": (3, "hash", "k f"),
    "HRANDFIELD": (-2, "hash", "k"),
    "HSCAN": (-3, "hash", "k 0"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("HSET h a 1 b 2 c 3", "HGETALL h", "HKEYS h", "HVALS h", "HLEN h", "HGET h b", "HGET h z",
     "HGET nokey a"),
    ("HSET h a 1", "HSET h a 2 b 3", "HGETALL h", "HSET h", "HSET h a", "HSET h a 1 b", "HGETALL h"),
    ("HMGET h a b", "HSET h a 1", "HMGET h a b a", "HGETALL nokey", "HKEYS nokey", "HVALS nokey",
     "HLEN nokey"),
    ("HSET h a 1 b 2", "HDEL h a z", "HDEL h z", "HGETALL h", "HDEL h b", "EXISTS h", "HDEL h b",
     "HDEL nokey a"),
    ("HSET h a 1 b 2 c 3", "HDEL h b", "HSET h b 4", "HGETALL h", "HDEL h a b c", "TYPE h"),
    ("HSETNX h a 1", "HSETNX h a 2", "HGET h a", "HEXISTS h a", "HEXISTS h z", "HEXISTS nokey a"),
    ("HINCRBY h n 5", "HINCRBY h n -10", "HGET h n", "HINCRBY h n x", "HINCRBY h n 1.5", "HSET h s abc",
     "HINCRBY h s 1", "HSET h big 9223372036854775807", "HINCRBY h big 1", "HINCRBY h big -1", "HGETALL h"),
    ("HSET h n -9223372036854775808", "HINCRBY h n -1", 'HSET h n " 1"', "HINCRBY h n 1", "HSET h n 1.0",
     "HINCRBY h n 1", "HINCRBY h new 9223372036854775808"),
    ("HINCRBYFLOAT h f 1.5", "HINCRBYFLOAT h f 0.1", "HINCRBYFLOAT h f -1.6", "HGET h f",
     "HINCRBYFLOAT h f 1e3", "HINCRBYFLOAT h g 5.0e3", "HGETALL h"),
    ("HSET h f abc", "HINCRBYFLOAT h f 1", "HINCRBYFLOAT h f x", "HINCRBYFLOAT h g inf",
     "HINCRBYFLOAT h g nan", "HSET h i inf", "HINCRBYFLOAT h i 1", "HINCRBYFLOAT nokey f inf", "EXISTS nokey",
     "HGETALL h"),
    ("HSET h f 1e4932", "HINCRBYFLOAT h f 1e4932", 'HINCRBYFLOAT h f " 1"', "HGET h f"),
    ('HSET h "" ""', 'HGET h ""', "HGETALL h", 'HSET h "a\\x00b" "c\\r\\nd"', "HGETALL h"),
    ("HSET h f v", "EXPIRE h 100", "HSET h g w", "~ttl TTL h", "HDEL h f", "~ttl TTL h", "HDEL h g", "TTL h"),
    ("HSET h a 1 b 2", "HGETALL h", "HELLO 3", "HGETALL h", "HGETALL nokey", "HMGET h a x", "HGET h x"),
    ("HSET h a 1 a 2 b 3 a 4", "HGETALL h", "HSETNX h c 5", "HKEYS h", "HVALS h", "HDEL h a a b", "HLEN h"),
    ("HSET h n 10", "HINCRBY h n -9223372036854775808", "HINCRBY h n 9223372036854775797",
     "HINCRBY h n 1", "HINCRBY h n 0", "HGET h n", "HINCRBY h n -0"),
    ("HINCRBYFLOAT h f 1e-20", "HINCRBYFLOAT h g 10.5", "HINCRBYFLOAT h g -10.5", "HINCRBYFLOAT h g 0x1p4",
     "HINCRBYFLOAT h g \"\"", "HGETALL h"),
    # HMSET HSTRLEN HRANDFIELD HSCAN
    ("HMSET h a 1 b 2", "HGETALL h", "HMSET h a", "HMSET h a 1 b", "HSTRLEN h a", "HSTRLEN h nof",
     "HSTRLEN nokey a", "HSET h long 123456", "HSTRLEN h long"),
    ("HSET h f v", "HRANDFIELD h", "HRANDFIELD h 1", "HRANDFIELD h -3", "HRANDFIELD h 5", "HRANDFIELD h 0",
     "HRANDFIELD h 1 WITHVALUES", "HRANDFIELD h -2 WITHVALUES", "HRANDFIELD h 3 WITHVALUES",
     "HRANDFIELD h 1 FOO", "HRANDFIELD h 1 WITHVALUES x", "HRANDFIELD h x", "HRANDFIELD nokey",
     "HRANDFIELD nokey 2", "HRANDFIELD nokey -2 WITHVALUES", "HRANDFIELD h -9223372036854775808",
     "HRANDFIELD h 9223372036854775807 WITHVALUES", "HRANDFIELD h -4611686018427387904 WITHVALUES",
     "HRANDFIELD h 4611686018427387904 WITHVALUES", "HRANDFIELD nokey -9223372036854775808"),
    ("HSET h a 1 b 2 c 3", "~sort HRANDFIELD h 3", "~sort HRANDFIELD h 10", "HRANDFIELD h 0 WITHVALUES"),
    ("HSET h a 1 b 2 ab 3", "HSCAN h 0", "HSCAN h 0 MATCH a*", "HSCAN h 0 COUNT 1", "HSCAN h 0 COUNT 0",
     "HSCAN h 0 COUNT x", "HSCAN h 0 MATCH", "HSCAN h 0 TYPE string", "HSCAN h x", "HSCAN nokey 0",
     "HSCAN nokey 0 FOO bar", "HSCAN h 0 FOO bar", "HSCAN h -1", "HSCAN h 0 MATCH *b NOVALUES"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
