"""Differential suite: the same command sequences go to a real redis-server 7.0 and to the bundled server,
over raw RESP connections; every reply must be identical (wire type and bytes).

Cases are generated from compact tables: arity errors for every command, WRONGTYPE for every data command
against every other type, and hand-written sequences per family (options, edge cases, TTLs, transactions).
Each case starts on fresh connections after FLUSHALL; both servers run once per module.

Case syntax: one string per command. Tokens are split on blanks; a token in double quotes may hold blanks and
Python escapes ("a\\x00b", "" is the empty string); other tokens are literal (glob patterns keep their
backslashes). `{s+N}` / `{ms+N}` become the unix time in seconds / milliseconds plus N (the same value for
both servers). `@2 CMD` runs CMD on a second connection. `SLEEP 0.05` waits client-side.
A prefix says how replies compare:
  ~sort  element order is unspecified (sets, KEYS): compare sorted
  ~ttl   TTL-like integers: equal within 1 (seconds) ; ~pttl within 1000 (milliseconds)
  ~scan  run the SCAN to the end (cursor 0) and compare the sorted union of the keys it returned
  ~kind  compare only the reply's wire type (replies that carry server identity)

Deliberate differences (why replies are normalised above, not compared byte for byte):
- SCAN cursors and batch sizes: Redis walks hash-table buckets; the bundled server walks a snapshot of the
  key list. Both honour SCAN's guarantee (a key present for the whole walk is returned); the cursor values
  and how many keys come per call differ. Compared with ~scan.
- Order of members of set replies and of KEYS: Redis's hash order is seeded at random per process, so
  even two redis-servers disagree. Compared with ~sort. (Hash field order is insertion order in both, as
  Redis keeps small hashes in a listpack, and is compared exactly.)
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lab.targets import RunningTarget, TargetSpec, start_target
from tests.server.rawresp import RawClient, Reply
from tests.server.reference import reference_redis

# ---------------------------------------------------------------- tables

# name: (arity as Redis declares it, key type it works on or None, valid arguments after the name)
COMMANDS: dict[str, tuple[int, str | None, str]] = {
    "DEL": (-2, None, "k"), "UNLINK": (-2, None, "k"), "EXISTS": (-2, None, "k"), "TYPE": (2, None, "k"),
    "KEYS": (2, None, "*"), "SCAN": (-2, None, "0"), "EXPIRE": (-3, None, "k 100"),
    "PEXPIRE": (-3, None, "k 100000"), "EXPIREAT": (-3, None, "k {s+100}"),
    "PEXPIREAT": (-3, None, "k {ms+100000}"), "TTL": (2, None, "k"), "PTTL": (2, None, "k"),
    "PERSIST": (2, None, "k"), "RENAME": (3, None, "k k2"), "DBSIZE": (1, None, ""),
    "FLUSHDB": (-1, None, ""), "FLUSHALL": (-1, None, ""),
    "GET": (2, "string", "k"), "SET": (-3, None, "k v"), "SETEX": (4, None, "k 100 v"),
    "PSETEX": (4, None, "k 100000 v"), "SETNX": (3, None, "k v"), "MGET": (-2, None, "k"),
    "MSET": (-3, None, "k v"), "INCR": (2, "string", "k"), "DECR": (2, "string", "k"),
    "INCRBY": (3, "string", "k 5"), "DECRBY": (3, "string", "k 5"), "INCRBYFLOAT": (3, "string", "k 1.5"),
    "APPEND": (3, "string", "k v"), "STRLEN": (2, "string", "k"), "GETDEL": (2, "string", "k"),
    "GETEX": (-2, "string", "k"),
    "HSET": (-4, "hash", "k f v"), "HGET": (3, "hash", "k f"), "HMGET": (-3, "hash", "k f"),
    "HGETALL": (2, "hash", "k"), "HDEL": (-3, "hash", "k f"), "HEXISTS": (3, "hash", "k f"),
    "HLEN": (2, "hash", "k"), "HINCRBY": (4, "hash", "k f 1"), "HINCRBYFLOAT": (4, "hash", "k f 1.5"),
    "HKEYS": (2, "hash", "k"), "HVALS": (2, "hash", "k"), "HSETNX": (4, "hash", "k f v"),
    "SADD": (-3, "set", "k m"), "SREM": (-3, "set", "k m"), "SMEMBERS": (2, "set", "k"),
    "SISMEMBER": (3, "set", "k m"), "SMISMEMBER": (-3, "set", "k m"), "SCARD": (2, "set", "k"),
    "SINTER": (-2, "set", "k"), "SUNION": (-2, "set", "k"), "SDIFF": (-2, "set", "k"),
    "LPUSH": (-3, "list", "k e"), "RPUSH": (-3, "list", "k e"), "LPOP": (-2, "list", "k"),
    "RPOP": (-2, "list", "k"), "LRANGE": (4, "list", "k 0 -1"), "LLEN": (2, "list", "k"),
}  # fmt: skip

MAKE = {"string": "SET k sv", "hash": "HSET k f hv", "set": "SADD k m", "list": "RPUSH k e"}


def _arity_cases() -> Iterator[tuple[str, ...]]:
    for name, (arity, _, _) in COMMANDS.items():
        need = abs(arity)
        yield (" ".join([name] + ["x"] * (need - 2)),) if need >= 2 else ()
        if arity > 0:
            yield (" ".join([name.lower()] + ["x"] * arity),)  # one too many (name as sent in lower case)


def _wrongtype_cases() -> Iterator[tuple[str, ...]]:
    for name, (_, kind, args) in COMMANDS.items():
        if kind is None:
            continue
        for other, make in MAKE.items():
            if other != kind:
                prefix = "~sort " if name in ("SINTER", "SUNION", "SDIFF") else ""
                yield (make, f"{prefix}{name} {args}", "GET k" if other == "string" else "TYPE k")


# fmt: off
KEYS_CASES: list[tuple[str, ...]] = [
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
]

STRING_CASES: list[tuple[str, ...]] = [
    ("SET k v", "GET k", "GET nokey", "SET k w", "GET k", "STRLEN k", "STRLEN nokey"),
    ('SET k ""', "GET k", "STRLEN k", 'SET "bin\\x00key" "a\\x00b\\r\\n"', 'GET "bin\\x00key"'),
    ("SET k v NX", "SET k w NX", "GET k", "SET k2 v XX", "GET k2", "SET k x XX", "GET k"),
    ("SET k v GET", "SET k w GET", "GET k", "SET k x NX GET", "SET k2 y NX GET", "GET k2", "SET k3 z XX GET",
     "EXISTS k3"),
    ("HSET h f v", "SET h v GET", "HGET h f", "SET h v NX GET", "SET h v", "GET h"),
    ("SET k v EX 100", "~ttl TTL k", "SET k v PX 100000", "~pttl PTTL k", "SET k v EXAT {s+100}",
     "~ttl TTL k", "SET k v PXAT {ms+100000}", "~pttl PTTL k"),
    ("SET k v EX 100", "SET k w KEEPTTL", "~ttl TTL k", "SET k w", "TTL k"),
    ("SET k v EX 0", "SET k v EX -1", "SET k v PX 0", "SET k v EX x", "SET k v EX 1.5", "SET k v EXAT 0",
     "SET k v PXAT -5", "SET k v EX 9223372036854775", "SET k v EX 9223372036854776",
     "SET k v PX 9223372036854775807", "EXISTS k"),
    ("SET k v EX", "SET k v PX", "SET k v NX XX", "SET k v XX NX", "SET k v EX 10 PX 100",
     "SET k v EX 10 KEEPTTL", "SET k v KEEPTTL EX 10", "SET k v PERSIST", "SET k v FOO",
     "SET k v EXAT 100 EX 5", "EXISTS k"),
    ("SET k v EX 10 EX 100", "~ttl TTL k", "SET k v nx nx", "SET k v get get", "GET k", "SET k v px 100000",
     "~pttl PTTL k", "SET k v keepttl keepttl", "~pttl PTTL k"),
    ("SET k v PXAT {ms-100}", "GET k", "EXISTS k", "SET k v EXAT 1", "EXISTS k", "DBSIZE"),
    ("SETEX k 100 v", "GET k", "~ttl TTL k", "PSETEX k 100000 w", "~pttl PTTL k", "GET k"),
    ("SETEX k 0 v", "SETEX k -5 v", "SETEX k x v", "PSETEX k 0 v", "PSETEX k 1.5 v", "EXISTS k",
     "SETEX k 9223372036854775 v", "PSETEX k 9223372036854775807 v"),
    ("SETNX k v", "SETNX k w", "GET k", "HSET h f v", "SETNX h v", "TYPE h"),
    ("MSET a 1 b 2 a 3", "MGET a b c", "HSET h f v", "MGET a h b", "MSET a", "MSET a 1 b", "MGET nokey"),
    ("SET n 10", "INCR n", "DECR n", "INCRBY n 5", "DECRBY n 3", "INCR newkey", "DECR newkey2", "GET n"),
    ("SET n 9223372036854775806", "INCR n", "INCR n", "GET n", "SET n -9223372036854775807", "DECR n",
     "DECR n", "INCRBY n -1", "DECRBY n 9223372036854775807"),
    ("SET n 5", "DECRBY n -9223372036854775808", "INCRBY n 9223372036854775808", "INCRBY n x", "INCRBY n 1.0",
     "INCRBY n +1", "INCRBY n 01", "INCRBY n -0", 'INCRBY n ""', "GET n"),
    ("SET n abc", "INCR n", 'SET n " 1"', "INCR n", "SET n 1.5", "INCR n", "SET n 007", "INCR n",
     "SET n 99999999999999999999", "INCR n", "SET n -0", "INCR n", "SET n 0", "INCR n"),
    ("SET n 10", "EXPIRE n 100", "INCR n", "~ttl TTL n", "INCRBYFLOAT n 1.5", "~ttl TTL n", "APPEND n x",
     "~ttl TTL n"),
    ("SET f 10.50", "INCRBYFLOAT f 0.1", "INCRBYFLOAT f -5", "INCRBYFLOAT f 5.0e3", "INCRBYFLOAT f 2.0e2",
     "INCRBYFLOAT newf 3", "INCRBYFLOAT newf2 -0.1", "GET f"),
    ("SET f 0.1", "INCRBYFLOAT f 0.2", "INCRBYFLOAT f 1e20", "INCRBYFLOAT f -1e20", "INCRBYFLOAT f 0x10",
     "INCRBYFLOAT f 1e-20", "INCRBYFLOAT f -0.30000000000000001"),
    ("SET f 1", "INCRBYFLOAT f inf", "INCRBYFLOAT f -inf", "INCRBYFLOAT f nan", "INCRBYFLOAT f x",
     'INCRBYFLOAT f " 1"', "INCRBYFLOAT f 1e5000", "INCRBYFLOAT f 1e400", "GET f"),
    ("SET f abc", "INCRBYFLOAT f 1", "SET f inf", "INCRBYFLOAT f 1", "SET f 1e4932", "INCRBYFLOAT f 1e4932"),
    ("APPEND k hello", 'APPEND k " world"', "GET k", "STRLEN k", 'APPEND k ""', "STRLEN k"),
    ("SET k v", "GETDEL k", "GETDEL k", "EXISTS k", "HSET h f v", "GETDEL h", "TYPE h"),
    ("SET k v EX 100", "GETEX k", "~ttl TTL k", "GETEX k PERSIST", "TTL k", "GETEX k EX 200", "~ttl TTL k",
     "GETEX k PX 300000", "~ttl TTL k", "GETEX k EXAT {s+400}", "~ttl TTL k", "GETEX k PXAT {ms+500000}",
     "~ttl TTL k", "GETEX nokey EX 10"),
    ("SET k v", "GETEX k EX 0", "GETEX k EX -1", "GETEX k EX x", "GETEX k PX", "GETEX k NX",
     "GETEX k KEEPTTL", "GETEX k EX 10 PERSIST", "GETEX k PERSIST EX 10", "GETEX k GET", "GETEX k FOO",
     "TTL k", "GETEX nokey EX x", "GETEX nokey FOO"),
    ("SET k v", "GETEX k EXAT 1", "EXISTS k", "SET k v", "GETEX k PXAT {ms-1000}", "EXISTS k"),
    ("SET k v", "GETEX k PERSIST", "TTL k", "GETEX k EX 10 EX 20", "~ttl TTL k"),
    ("SET k 12", "GET k", "SET k 1.50", "GET k", "SET k 0x1f", "GET k", "SET k -0", "INCRBYFLOAT k 0"),
    ("INCRBYFLOAT f 0.0000000000000000001", "INCRBYFLOAT g 123456789012345678901234567890",
     "INCRBYFLOAT g 0.5", "INCRBYFLOAT h 1.23456789012345678", "INCRBYFLOAT h -1e-17", "INCRBYFLOAT i 5e-324",
     "INCRBYFLOAT j 3.0000000000000000000001", "INCRBYFLOAT k -7.25", "INCRBYFLOAT k 0x.8p1"),
    ("set k v ex 100 nx", "set k v px 100 xx get", "~pttl pttl k", "SET k v Get KeepTtl", "~pttl PTTL k",
     "getex k persist", "TTL k", "getex k exat 1", "exists k"),
    ("SET k v", "PEXPIRE k 10", "SLEEP 0.05", "GETEX k PERSIST", "SET k v", "PEXPIRE k 10", "SLEEP 0.05",
     "APPEND k x", "TTL k", "GET k", "INCR k"),
    ("MSET a 1 b 2", "MGET a b c a", "MSET a x b", 'MSET "" empty', 'MGET ""', 'SETNX "" z', 'GET ""'),
    ("SET big 123", "APPEND big 456", "INCR big", "DECRBY big 123456", "STRLEN big", "GET big"),
]

HASH_CASES: list[tuple[str, ...]] = [
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
]

SET_CASES: list[tuple[str, ...]] = [
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

LIST_CASES: list[tuple[str, ...]] = [
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

TRANSACTION_CASES: list[tuple[str, ...]] = [
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

CASES: list[tuple[str, ...]] = [
    *(c for c in _arity_cases() if c),
    *_wrongtype_cases(),
    *KEYS_CASES,
    *STRING_CASES,
    *HASH_CASES,
    *SET_CASES,
    *LIST_CASES,
    *TRANSACTION_CASES,
    # The same sequences in RESP3 (maps, sets, nulls, doubles have their own wire types there).
    *(("HELLO 3", *case) for case in KEYS_CASES + STRING_CASES + HASH_CASES + SET_CASES + LIST_CASES),
]

# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class Servers:
    reference: RunningTarget
    bundled: RunningTarget


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with (
        reference_redis(tmp_path_factory.mktemp("redis")) as reference,
        start_target(TargetSpec(kind="bundled"), tmp_path_factory.mktemp("bundled")) as bundled,
    ):
        yield Servers(reference, bundled)


_TIME = re.compile(r"\{(s|ms)([+-]\d+)\}")
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _tokens(line: str, now: float) -> list[bytes]:
    line = _TIME.sub(lambda m: str(int(now * (1 if m[1] == "s" else 1000)) + int(m[2])), line)
    out = []
    for quoted, bare in _TOKEN.findall(line):
        if bare:
            out.append(bare.encode())
        else:
            out.append(codecs.escape_decode(quoted.encode())[0])
    return out


@dataclass(frozen=True)
class Step:
    mode: str  # "", "sort", "ttl", "pttl", "scan", "kind", "sleep"
    conn: int
    argv: list[bytes]


def _steps(case: tuple[str, ...]) -> list[Step]:
    now = time.time()
    steps = []
    for line in case:
        mode, conn = "", 1
        if line.startswith("~"):
            word, line = line.split(" ", 1)
            mode = word[1:]
        if line.startswith("@2 "):
            conn, line = 2, line[3:]
        argv = _tokens(line, now)
        if argv[0] == b"SLEEP":
            mode = "sleep"
        steps.append(Step(mode, conn, argv))
    return steps


def _run(target: RunningTarget, steps: list[Step]) -> list[Any]:
    assert target.port is not None
    clients: dict[int, RawClient] = {}
    try:
        out: list[Any] = []
        for step in steps:
            if step.mode == "sleep":
                time.sleep(float(step.argv[1]))
                continue
            if step.conn not in clients:
                clients[step.conn] = RawClient(target.host, target.port)
                if step.conn == 1:
                    clients[1].call(b"FLUSHALL")
            client = clients[step.conn]
            reply = client.call(*step.argv)
            if step.mode == "scan":
                reply = _scan_to_end(client, step.argv, reply)
            out.append((step, reply))
        return out
    finally:
        for client in clients.values():
            client.close()


def _scan_to_end(client: RawClient, argv: list[bytes], reply: Reply) -> Reply:
    if reply[0] != "*":
        return reply
    keys: set[bytes] = set()
    while True:
        cursor, batch = reply[1]
        keys.update(value for _, value in batch[1])
        if cursor[1] == b"0":
            return ("scan", tuple(sorted(keys)))
        reply = client.call(argv[0], cursor[1], *argv[2:])


def _normalise(mode: str, reply: Reply) -> Any:
    if mode == "sort" and reply[0] in "*~" and reply[1] is not None:
        return (reply[0], tuple(sorted(reply[1])))
    if mode == "kind":
        return reply[0]
    return reply


def _same(mode: str, ours: Reply, theirs: Reply) -> bool:
    if mode in ("ttl", "pttl") and ours[0] == theirs[0] == ":" and theirs[1] >= 0:
        return bool(abs(ours[1] - theirs[1]) <= (1 if mode == "ttl" else 1000))
    return bool(_normalise(mode, ours) == _normalise(mode, theirs))


def _case_id(case: tuple[str, ...]) -> str:
    return " | ".join(case)[:80]


def test_enough_cases() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    steps = _steps(case)
    theirs = _run(servers.reference, steps)
    ours = _run(servers.bundled, steps)
    for (step, mine), (_, reference) in zip(ours, theirs, strict=True):
        if step.argv[0].upper() == b"HELLO":
            assert mine[0] == reference[0], "HELLO reply type"
            continue
        assert _same(step.mode, mine, reference), (
            f"{b' '.join(step.argv)!r}: bundled {mine!r} != redis {reference!r}"
        )


def test_every_command_is_exercised() -> None:
    sent = {
        _tokens(line.split(" ", 1)[1] if line.startswith(("~", "@")) else line, 0)[0].upper().decode()
        for case in CASES
        for line in case
    }
    assert set(COMMANDS) <= sent


def test_time_placeholders_are_absolute() -> None:
    argv = _tokens("EXPIREAT k {s+100}", 1000.0)
    assert argv == [b"EXPIREAT", b"k", b"1100"]
    assert _tokens('SET "a\\x00 b" x\\*y', 0) == [b"SET", b"a\x00 b", b"x\\*y"]
