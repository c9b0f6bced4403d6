"""Differential cases: transactions (MULTI/EXEC/WATCH) (case syntax: harness.py)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import (
    Commands,
    Servers,
    arity_cases,
    assert_same,
    case_id,
    wrongtype_cases,
)

# name: (arity as Redis declares it, key type it works on or None, valid arguments after the name)
COMMANDS: Commands = {}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("MULTI", "SET k v", "INCR k", "GET k", "EXEC", "GET k"),
    ("MULTI", "SET k 1", "INCR k", "LPUSH k x", "INCR k", "EXEC"),
    ("MULTI", "SET k 1", "GET", "INCR k", "EXEC", "EXISTS k"),
    ("MULTI", "SET k 1", "NOSUCHCMD", "EXEC", "EXISTS k"),
    ("MULTI", "HSET h a 1", "HGETALL h", "SADD s x", "SMEMBERS s", "RPUSH l a b", "LRANGE l 0 -1", "EXEC"),
    ("SET k v", "WATCH k", "SET k w", "MULTI", "GET k", "EXEC", "GET k"),
    ("SET k v", "WATCH k", "@2 SET k w", "MULTI", "GET k", "EXEC"),
    ("WATCH k", "@2 SET other w", "MULTI", "SET k mine", "EXEC", "GET k"),
    ("SET k v", "WATCH k", "@2 EXPIRE k 100", "MULTI", "GET k", "EXEC"),
    ("SET k v", "WATCH k", "@2 DEL k", "MULTI", "SET k x", "EXEC", "EXISTS k"),
    ("SET k v", "WATCH k", "@2 RENAME k k2", "MULTI", "SET k x", "EXEC"),
    ("SET k v", "WATCH k", "@2 FLUSHALL", "MULTI", "SET k x", "EXEC"),
    ("WATCH k", "@2 FLUSHALL", "MULTI", "SET k x", "EXEC"),
    ("WATCH k", "@2 DEL k", "MULTI", "SET k x", "EXEC"),
    ("HSET h f v", "WATCH h", "@2 HSET h g w", "MULTI", "HGETALL h", "EXEC"),
    ("SADD s a", "WATCH s", "@2 SADD s a", "MULTI", "SCARD s", "EXEC"),
    ("SADD s a", "WATCH s", "@2 SADD s b", "MULTI", "SCARD s", "EXEC"),
    ("RPUSH l a", "WATCH l", "@2 LPOP l", "MULTI", "LLEN l", "EXEC"),
    ("SET n 1", "WATCH n", "@2 INCRBYFLOAT n 1.5", "MULTI", "GET n", "EXEC"),
    ("SET k v", "PEXPIRE k 50", "WATCH k", "SLEEP 0.12", "MULTI", "SET other 1", "EXEC"),
    ("SET k v", "PEXPIRE k 10", "SLEEP 0.05", "WATCH k", "GET k", "MULTI", "SET other 1", "EXEC"),
    ("SET k v", "PEXPIRE k 10", "SLEEP 0.05", "WATCH k", "SET k new", "MULTI", "GET k", "EXEC"),
    ("SET k v", "WATCH k", "UNWATCH", "@2 SET k w", "MULTI", "GET k", "EXEC"),
    ("MULTI", "SET k v EX 100", "EXPIRE k 200", "~kind TTL k", "EXEC", "~ttl TTL k"),
    ("MULTI", "HINCRBYFLOAT h f 1.5", "INCRBYFLOAT n 2.5", "GETEX n PERSIST", "GETDEL n", "EXEC"),
    ("MULTI", "FLUSHDB", "SET k v", "DBSIZE", "KEYS *", "EXEC"),
    ("SADD s a", "MULTI", "SMEMBERS s", "SADD s b", "SREM s a", "EXEC"),
    ("HSET h a 1", "MULTI", "HGETALL h", "HSET h b 2", "HDEL h a", "EXEC"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
