"""Differential cases: bitmaps, SETBIT ... BITFIELD_RO (case syntax: harness.py)."""

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
    "SETBIT": (4, "string", "k 7 1"),
    "GETBIT": (3, "string", "k 7"),
    "BITCOUNT": (-2, "string", "k"),
    "BITPOS": (-3, "string", "k 1"),
    "BITOP": (-4, "string", "AND d k"),
    "BITFIELD": (-2, "string", "k GET u8 0"),
    "BITFIELD_RO": (-2, "string", "k GET u8 0"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("SETBIT k 7 1", "GET k", "GETBIT k 7", "GETBIT k 6", "GETBIT k 100", "GETBIT nokey 0", "SETBIT k 7 0",
     "SETBIT k 100 1", "STRLEN k", "SETBIT k -1 1", "SETBIT k x 1", "SETBIT k 1 2", "SETBIT k 1 -1",
     "SETBIT k 1 x", "SETBIT k 4294967296 1", "GETBIT k -1", "GETBIT k x",
     "GETBIT k 4294967296", "GETBIT nokey x", "SETBIT k +1 1", "SETBIT k 01 1", "STRLEN k"),
    ("SET k foobar", "BITCOUNT k", "BITCOUNT k 0 0", "BITCOUNT k 1 1", "BITCOUNT k 1 1 BYTE",
     "BITCOUNT k 5 30 BIT", "BITCOUNT k 0 -1 BIT", "BITCOUNT k -2 -1", "BITCOUNT k -1 -2", "BITCOUNT k 0",
     "BITCOUNT k 0 1 WORD", "BITCOUNT k x 1", "BITCOUNT k 0 x", "BITCOUNT k 0 1 BIT x", "BITCOUNT nokey 0",
     "BITCOUNT nokey", "BITCOUNT k 100 200", "BITCOUNT k -100 -50", "BITCOUNT k 3 1 BIT", "BITCOUNT k -1 -2 FOO",
     "BITCOUNT k 9 9 BIT", "BITCOUNT k 47 47 bit", 'SET e ""', "BITCOUNT e", "BITCOUNT e 0 -1"),
    ("SET k \"\\xff\\xf0\\x00\"", "BITPOS k 0", "BITPOS k 1", "BITPOS k 0 1", "BITPOS k 1 2", "BITPOS k 0 2",
     "BITPOS k 0 0 0", "BITPOS k 1 2 -1", "BITPOS k 0 0 -1", "BITPOS k 0 8 15 BIT", "BITPOS k 0 3 9 BIT",
     "BITPOS k 1 7 15 BIT", "BITPOS k 1 12 BIT", "BITPOS k 0 -3 -1 BYTE", "BITPOS k 2", "BITPOS k x",
     "BITPOS k 0 x", "BITPOS k 0 0 x", "BITPOS k 0 0 1 FOO", "BITPOS k 0 0 1 BIT 9", "BITPOS nokey 0",
     "BITPOS nokey 1", "BITPOS nokey 2", "BITPOS k 1 5 2", "BITPOS k 0 -1 -2"),
    ("SET k \"\\xff\\xff\\xff\"", "BITPOS k 0", "BITPOS k 0 0", "BITPOS k 0 0 -1", "BITPOS k 0 0 23 BIT",
     "BITPOS k 0 3 BIT", "BITPOS k 1 0 -1 BIT", "SET z \"\\x00\\x00\"", "BITPOS z 1", "BITPOS z 0",
     "BITPOS z 1 1 BIT", "BITPOS z 0 5 BIT", 'SET e ""', "BITPOS e 0", "BITPOS e 1", "BITPOS e 0 0"),
    ("SET a \"\\xf0\\x0f\"", "SET b \"\\x3c\"", "BITOP AND d a b", "GET d", "BITOP OR d a b", "GET d",
     "BITOP XOR d a b", "GET d", "BITOP NOT d a", "GET d", "BITOP NOT d a b", "BITOP nand d a b",
     "BITOP AND d a nokey", "GET d", "BITOP OR d nokey nokey2", "EXISTS d", "BITOP and d a", "GET d",
     "RPUSH l x", "BITOP AND d a l", "BITOP OR d nokey l", "SET e \"\"", "BITOP NOT d e", "EXISTS d"),
    ("BITFIELD k SET i8 0 100 GET i8 0 INCRBY i8 0 100", "BITFIELD k OVERFLOW SAT INCRBY i8 0 100",
     "BITFIELD k OVERFLOW FAIL INCRBY i8 0 100", "BITFIELD k OVERFLOW WRAP INCRBY i8 0 100", "GET k",
     "BITFIELD k SET u8 8 255 GET u8 8 INCRBY u8 8 1", "BITFIELD k OVERFLOW SAT INCRBY u8 8 -300",
     "BITFIELD k OVERFLOW FAIL SET u8 8 256", "BITFIELD k OVERFLOW SAT SET u8 8 -1", "BITFIELD k SET u8 8 -1",
     "BITFIELD k GET u4 0 GET i4 4 GET u16 4 GET i64 0 GET u63 1", "BITFIELD k SET u8 #1 7 GET u8 #1",
     "BITFIELD k SET i5 100 -3 GET i5 100 GET u5 100", "STRLEN k", "BITFIELD k", "BITFIELD nokey GET u8 0",
     "EXISTS nokey", "BITFIELD k INCRBY i64 0 9223372036854775807", "BITFIELD k OVERFLOW SAT INCRBY i64 0 1",
     "BITFIELD k OVERFLOW WRAP INCRBY i64 0 1", "BITFIELD k OVERFLOW FAIL INCRBY i64 0 -1 INCRBY i64 0 1"),
    ("BITFIELD k GET u64 0", "BITFIELD k GET i65 0", "BITFIELD k GET x8 0", "BITFIELD k GET u0 0",
     "BITFIELD k GET u8 -1", "BITFIELD k GET u8 x", "BITFIELD k GET u8 #x", "BITFIELD k SET u8 0 x",
     "BITFIELD k GET u8", "BITFIELD k FOO", "BITFIELD k OVERFLOW", "BITFIELD k OVERFLOW NOPE GET u8 0",
     "BITFIELD k SET u8 0", "BITFIELD k INCRBY u8 0", "BITFIELD k GET I8 0", "BITFIELD k get u8 0 FOO",
     "EXISTS k",
     "BITFIELD k OVERFLOW FAIL SET u8 0 300", "EXISTS k", "GET k"),
    ("SET k \"\\x12\\x34\"", "BITFIELD_RO k GET u8 0 GET u4 4 GET i16 0", "BITFIELD_RO k SET u8 0 1",
     "BITFIELD_RO k INCRBY u8 0 1", "BITFIELD_RO k OVERFLOW SAT GET u8 0", "BITFIELD_RO nokey GET u8 0",
     "BITFIELD_RO k", "BITFIELD_RO k GET u64 0", "BITFIELD_RO k SET u64 0 1", "GET k"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
