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
    "SPOP": (-2, "set", "k"),
    "SRANDMEMBER": (-2, "set", "k"),
    "SMOVE": (4, "set", "k k2 m"),
    "SINTERSTORE": (-3, None, "d k"),
    "SUNIONSTORE": (-3, None, "d k"),
    "SDIFFSTORE": (-3, None, "d k"),
    "SINTERCARD": (-3, None, "1 k"),
    "SSCAN": (-3, "set", "k 0"),
}

# replies whose element order Redis leaves unspecified (compared sorted in the WRONGTYPE cases)
SORTED = {"SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER"}

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
    # SPOP SRANDMEMBER SMOVE S*STORE SINTERCARD SSCAN
    ("SADD s a", "SPOP s", "EXISTS s", "SPOP s", "SADD s a b c", "~sort SPOP s 5", "EXISTS s", "SPOP nokey 2",
     "SADD s a", "SPOP s 0", "SPOP s -1", "SPOP s x", "SPOP s 1 2", "SCARD s", "SPOP s 1", "SPOP s 1"),
    ("SADD s a b c d", "~kind SPOP s 2", "SCARD s", "~kind SPOP s 1", "SCARD s"),
    ("SADD s a", "SRANDMEMBER s", "SRANDMEMBER s 1", "SRANDMEMBER s -3", "SRANDMEMBER s 0", "SRANDMEMBER s 5",
     "SRANDMEMBER s x", "SRANDMEMBER s 1 2", "SRANDMEMBER nokey", "SRANDMEMBER nokey 3", "SRANDMEMBER nokey -3",
     "SRANDMEMBER s -9223372036854775808", "SADD s b c", "~sort SRANDMEMBER s 3", "~sort SRANDMEMBER s 10",
     "SCARD s"),
    ("SADD a x y", "SADD b z", "SMOVE a b x", "~sort SMEMBERS a", "~sort SMEMBERS b", "SMOVE a b nom",
     "SMOVE nokey b x", "SMOVE a a y", "SMOVE a a nom", "SMOVE a c y", "EXISTS a", "~sort SMEMBERS c",
     "SET str v", "SMOVE c str z", "SMOVE str c z", "SMOVE nokey str z", "SMOVE c str nom"),
    ("SADD a 1 2 3", "SADD b 2 3 4", "SINTERSTORE d a b", "~sort SMEMBERS d", "SUNIONSTORE d a b",
     "~sort SMEMBERS d", "SDIFFSTORE d a b", "~sort SMEMBERS d", "SINTERSTORE d a nokey", "EXISTS d",
     "SUNIONSTORE d nokey", "SDIFFSTORE d a a", "EXISTS d", "SET str v", "SINTERSTORE d a str",
     "SINTERSTORE d nokey str", "SUNIONSTORE d a str", "SDIFFSTORE d str a", "SINTERSTORE a a b",
     "~sort SMEMBERS a", "SET d v", "SUNIONSTORE d b", "TYPE d", "SDIFFSTORE str a", "TYPE str"),
    ("SADD a 1 2 3", "SADD b 2 3 4", "SINTERCARD 2 a b", "SINTERCARD 2 a b LIMIT 1", "SINTERCARD 2 a b LIMIT 0",
     "SINTERCARD 1 a", "SINTERCARD 2 a nokey", "SINTERCARD 0 a", "SINTERCARD x a", "SINTERCARD -1 a",
     "SINTERCARD 3 a b", "SINTERCARD 2 a b LIMIT -1", "SINTERCARD 2 a b LIMIT x", "SINTERCARD 2 a b LIMIT",
     "SINTERCARD 2 a b FOO", "SET str v", "SINTERCARD 2 a str", "SINTERCARD 2 nokey str"),
    ("SADD s a b ab", "~scan SSCAN s 0", "~scan SSCAN s 0 MATCH a*", "~scan SSCAN s 0 COUNT 1",
     "SSCAN s 0 COUNT 0", "SSCAN s 0 COUNT x", "SSCAN s 0 MATCH", "SSCAN s 0 TYPE set", "SSCAN s x",
     "SSCAN nokey 0", "SSCAN nokey 0 FOO", "SSCAN s 0 FOO bar"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS, sort=SORTED), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
