"""Differential cases: strings (case syntax: harness.py)."""

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
    "GET": (2, "string", "k"),
    "SET": (-3, None, "k v"),
    "SETEX": (4, None, "k 100 v"),
    "PSETEX": (4, None, "k 100000 v"),
    "SETNX": (3, None, "k v"),
    "MGET": (-2, None, "k"),
    "MSET": (-3, None, "k v"),
    "INCR": (2, "string", "k"),
    "DECR": (2, "string", "k"),
    "INCRBY": (3, "string", "k 5"),
    "DECRBY": (3, "string", "k 5"),
    "INCRBYFLOAT": (3, "string", "k 1.5"),
    "APPEND": (3, "string", "k v"),
    "STRLEN": (2, "string", "k"),
    "GETDEL": (2, "string", "k"),
    "GETEX": (-2, "string", "k"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
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
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
