"""Differential cases: generic key commands (case syntax: harness.py)."""

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
    "DEL": (-2, None, "k"),
    "UNLINK": (-2, None, "k"),
    "EXISTS": (-2, None, "k"),
    "TYPE": (2, None, "k"),
    "KEYS": (2, None, "*"),
    "SCAN": (-2, None, "0"),
    "EXPIRE": (-3, None, "k 100"),
    "PEXPIRE": (-3, None, "k 100000"),
    "EXPIREAT": (-3, None, "k {s+100}"),
    "PEXPIREAT": (-3, None, "k {ms+100000}"),
    "TTL": (2, None, "k"),
    "PTTL": (2, None, "k"),
    "PERSIST": (2, None, "k"),
    "RENAME": (3, None, "k k2"),
    "DBSIZE": (1, None, ""),
    "FLUSHDB": (-1, None, ""),
    "FLUSHALL": (-1, None, ""),
    "EXPIRETIME": (2, None, "k"),
    "PEXPIRETIME": (2, None, "k"),
    "RANDOMKEY": (1, None, ""),
    "RENAMENX": (3, None, "k k2"),
    "COPY": (-3, None, "k k2"),
    "MOVE": (3, None, "k 1"),
    "SWAPDB": (3, None, "0 1"),
    "TOUCH": (-2, None, "k"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("SET a 1", "SET b 2", "DEL a b c", "EXISTS a b", "DBSIZE"),
    ("SET a 1", "EXISTS a a a nokey", "UNLINK a a", "EXISTS a"),
    ("SET s v", "HSET h f v", "SADD st m", "RPUSH l e", "TYPE s", "TYPE h", "TYPE st", "TYPE l", "TYPE nope"),
    ("MSET one 1 two 2 three 3 four 4 five 5", "~sort KEYS *", "~sort KEYS t*", "~sort KEYS *o*",
     "~sort KEYS ?ive", "~sort KEYS [ot]*", "~sort KEYS [^ot]*", "~sort KEYS [a-g]*", "KEYS nothing*"),
    ('SET "a*b" 1', "SET axb 2", "~sort KEYS a\\*b", "~sort KEYS a*b", '~sort KEYS "a[*]b"'),
    ('SET "" empty', "~sort KEYS *", "KEYS **", '~sort KEYS ""', 'EXISTS ""', 'GET ""'),
    ("MSET a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9 j 10 k 11 l 12", "~scan SCAN 0", "~scan SCAN 0 COUNT 3",
     "~scan SCAN 0 MATCH [a-d]", "~scan SCAN 0 MATCH * COUNT 100"),
    ("SET s v", "HSET h f v", "SADD st m", "RPUSH l e", "~scan SCAN 0 TYPE string", "~scan SCAN 0 TYPE HASH",
     "~scan SCAN 0 TYPE list", "~scan SCAN 0 TYPE set", "~scan SCAN 0 TYPE zset",
     "~scan SCAN 0 TYPE nonsense"),
    ("SCAN x", "SCAN 0 COUNT", "SCAN 0 COUNT 0", "SCAN 0 COUNT -1", "SCAN 0 COUNT x", "SCAN 0 MATCH",
     "SCAN 0 FOO bar", "SCAN 0 TYPE", "SCAN -1x", "SCAN 18446744073709551616", "SCAN 1.5"),
    ("SCAN 0", "SCAN 0 COUNT 1 MATCH * TYPE string"),
    ("SET k v", "EXPIRE k 100", "~ttl TTL k", "~pttl PTTL k", "PERSIST k", "TTL k", "PTTL k", "PERSIST k"),
    ("TTL nokey", "PTTL nokey", "PERSIST nokey", "EXPIRE nokey 10", "PEXPIRE nokey 10", "EXPIREAT nokey 10"),
    ("SET k v", "PEXPIRE k 100000", "~ttl TTL k", "~pttl PTTL k", "PEXPIREAT k {ms+50000}", "~ttl TTL k"),
    ("SET k v", "EXPIREAT k {s+1000}", "~ttl TTL k", "PEXPIREAT k {ms+2000000}", "~ttl TTL k"),
    ("SET k v", "EXPIRE k -1", "EXISTS k", "SET k v", "EXPIREAT k 1", "GET k", "SET k v", "PEXPIRE k 0",
     "GET k", "SET k v", "PEXPIREAT k {ms-10}", "DBSIZE"),
    ("SET k v", "EXPIRE k 100 NX", "EXPIRE k 200 NX", "~ttl TTL k", "EXPIRE k 50 XX", "~ttl TTL k"),
    ("SET k v", "EXPIRE k 100 XX", "TTL k", "EXPIRE k 100 GT", "TTL k", "EXPIRE k 100 LT", "~ttl TTL k"),
    ("SET k v", "EXPIRE k 100", "EXPIRE k 50 GT", "EXPIRE k 200 GT", "~ttl TTL k", "EXPIRE k 300 LT",
     "EXPIRE k 10 LT", "~ttl TTL k", "EXPIRE k 20 XX GT", "~ttl TTL k", "EXPIRE k 5 xx lt", "~ttl TTL k"),
    ("SET k v", "EXPIRE k 10 NX XX", "EXPIRE k 10 NX GT", "EXPIRE k 10 GT LT", "EXPIRE k 10 FOO",
     "EXPIRE k 10 nx nx", "~ttl TTL k", "EXPIRE k x", "EXPIRE k 10.5", "EXPIRE k 10 NX LT"),
    ("SET k v", "EXPIRE k 9223372036854775807", "EXPIRE k 9223372036854775", "EXPIRE k -9223372036854775808",
     "PEXPIRE k 9223372036854775807", "EXPIREAT k 9223372036854775807", "PEXPIREAT k 9223372036854775807",
     "TTL k", "EXPIRE k 9223372036854776", "EXISTS k"),
    ("SET k v", "EXPIRE nokey 10 FOO", "EXPIRE k abc FOO", "EXPIRE k abc NX"),
    ("SET k v", "PEXPIRE k 50", "SLEEP 0.12", "GET k", "TTL k", "EXISTS k"),
    ("SET k v", "PEXPIRE k 50", "SLEEP 0.12", "~sort KEYS *", "EXISTS k", "DBSIZE"),
    ("SET k v", "PEXPIRE k 50", "SLEEP 0.12", "SET k w", "TTL k", "GET k"),
    ("SET a 1", "EXPIRE a 100", "RENAME a b", "~ttl TTL b", "EXISTS a", "GET b"),
    ("SET a 1", "SET b 2", "RENAME a b", "GET b", "RENAME b b", "GET b", "RENAME nokey x",
     "RENAME nokey nokey"),
    ("HSET h f v", "RENAME h s", "TYPE s", "HGETALL s"),
    ("SET a 1", "DBSIZE", "FLUSHDB", "DBSIZE", "SET a 1", "FLUSHDB ASYNC", "FLUSHDB sync", "FLUSHDB foo",
     "FLUSHDB SYNC extra", "FLUSHALL foo", "FLUSHALL SYNC", "FLUSHALL async"),
    ("SET a 1", "SELECT 1", "SET a 2", "DBSIZE", "FLUSHDB", "DBSIZE", "SELECT 0", "GET a", "SELECT 1",
     "SET b 3", "FLUSHALL", "SELECT 0", "DBSIZE"),
    ("SET k v", "EXPIRE k 100", "SET k w", "TTL k", "EXPIRE k 100", "SET k x KEEPTTL", "~ttl TTL k"),
    ("DEL", "EXISTS", "UNLINK"),
    ("SET k v", "PEXPIRE k 10", "SLEEP 0.05", "DEL k", "SET k v", "PEXPIRE k 10", "SLEEP 0.05", "RENAME k x",
     "EXISTS x"),
    ("SET k v", "EXPIRE k +10", "EXPIRE k \" 10\"", "EXPIRE k 010", "EXPIRE k 1e3", "TTL k", "PEXPIRE k -0"),
    ("SET k v", "expire k 100 nX", "~ttl ttl k", "pexpire k 1000 gT", "~pttl pttl k", "Persist k", "type k"),
    ('SET "my key" v', 'SET "\\x00\\xff" w', "~sort KEYS *", "~sort KEYS my?key", 'RENAME "my key" "x y"',
     "~sort KEYS *"),
    ("SET k v", "EXPIRE k 100", "RENAME k k", "~ttl TTL k", "SET j w", "RENAME j k", "TTL k", "GET k"),
    ("RPUSH l a", "SET s v", "RENAME l s", "TYPE s", "LRANGE s 0 -1", "EXISTS l"),
    # EXPIRETIME PEXPIRETIME RANDOMKEY RENAMENX COPY MOVE SWAPDB TOUCH
    ("SET k v", "EXPIRETIME k", "PEXPIRETIME k", "EXPIRETIME nokey", "PEXPIRETIME nokey",
     "EXPIREAT k {s+100}", "EXPIRETIME k", "PEXPIREAT k {ms+100000}", "PEXPIRETIME k", "EXPIRETIME k"),
    ("RANDOMKEY", "SET k v", "RANDOMKEY", "PEXPIRE k 1", "SLEEP 0.01", "RANDOMKEY", "DBSIZE"),
    ("SET a 1", "SET b 2", "RENAMENX a b", "RENAMENX a c", "GET c", "EXISTS a", "RENAMENX nokey x",
     "RENAMENX c c", "EXPIRE c 100", "RENAMENX c d", "~ttl TTL d"),
    ("SET a 1", "COPY a b", "GET b", "COPY a b", "COPY a b REPLACE", "COPY a a", "COPY nokey x", "COPY a b DB",
     "COPY a b DB x", "COPY a b DB 16", "COPY a b DB -1", "COPY a b FOO", "COPY a b DB 1", "SELECT 1", "GET b",
     "COPY b b", "COPY b b DB 0", "SELECT 0", "COPY a a DB 1 REPLACE", "COPY a b DB 1 REPLACE"),
    ("RPUSH l a b", "COPY l l2", "RPUSH l2 c", "LRANGE l 0 -1", "LRANGE l2 0 -1", "HSET h f v", "COPY h h2",
     "HGETALL h2", "SADD s m", "COPY s s2", "~sort SMEMBERS s2", "ZADD z 1 a 2 b", "COPY z z2",
     "ZRANGE z2 0 -1 WITHSCORES", "SET t v EX 100", "COPY t t2", "~ttl TTL t2"),
    ("SET k v", "MOVE k 1", "EXISTS k", "SELECT 1", "GET k", "MOVE k 1", "MOVE k 0", "SELECT 0", "SET k w",
     "SELECT 1", "MOVE k 0", "MOVE nokey 0", "MOVE k x", "MOVE k 16", "MOVE k -1", "SELECT 0", "GET k"),
    ("SET k v", "EXPIRE k 100", "MOVE k 3", "SELECT 3", "~ttl TTL k"),
    ("SET a 0", "SELECT 1", "SET b 1", "SWAPDB 0 1", "GET a", "GET b", "SELECT 0", "GET a", "GET b",
     "SWAPDB 0 0", "SWAPDB x 0", "SWAPDB 0 x", "SWAPDB 0 16", "SWAPDB -1 0", "SWAPDB 1 0", "GET a"),
    ("SET a 1", "WATCH a", "@2 SELECT 1", "@2 SET a 2", "@2 SWAPDB 0 1", "MULTI", "GET a", "EXEC"),
    ("SET a 1", "SET b 2", "TOUCH a b nokey", "TOUCH nokey", "TOUCH a a"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
