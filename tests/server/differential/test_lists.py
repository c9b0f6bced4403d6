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
    "LPUSHX": (-3, "list", "k e"),
    "RPUSHX": (-3, "list", "k e"),
    "LINDEX": (3, "list", "k 0"),
    "LSET": (4, "list", "k 0 e"),
    "LINSERT": (5, "list", "k BEFORE p e"),
    "LREM": (4, "list", "k 0 e"),
    "LTRIM": (4, "list", "k 0 -1"),
    "LPOS": (-3, "list", "k e"),
    "LMOVE": (5, "list", "k k2 LEFT RIGHT"),
    "RPOPLPUSH": (3, "list", "k k2"),
    "LMPOP": (-4, "list", "1 k LEFT"),
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
    # LPUSHX RPUSHX LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP
    ("LPUSHX l a", "RPUSHX l a", "EXISTS l", "RPUSH l x", "LPUSHX l a b", "RPUSHX l c", "LRANGE l 0 -1"),
    ("RPUSH l a b c", "LINDEX l 0", "LINDEX l -1", "LINDEX l 3", "LINDEX l -4", "LINDEX l x", "LINDEX nokey x",
     "LINDEX nokey 0", "LINDEX l 9223372036854775807"),
    ("RPUSH l a b c", "LSET l 0 A", "LSET l -1 C", "LSET l 3 x", "LSET l -4 x", "LSET l x y", "LSET nokey 0 x",
     "LSET nokey x y", "LRANGE l 0 -1"),
    ("RPUSH l a b c", "LINSERT l BEFORE b x", "LINSERT l after b y", "LINSERT l BEFORE nop z",
     "LINSERT l MIDDLE b z", "LINSERT nokey BEFORE a b", "LINSERT nokey MIDDLE a b", "LRANGE l 0 -1",
     "LINSERT l AFTER c end", "LINSERT l BEFORE a start", "LRANGE l 0 -1"),
    ("RPUSH l a b a c a d a", "LREM l 2 a", "LRANGE l 0 -1", "LREM l -1 a", "LRANGE l 0 -1", "LREM l 0 a",
     "LRANGE l 0 -1", "LREM l 0 zz", "LREM l x a", "LREM nokey 0 a", "LREM nokey x a", "LREM l 0 b",
     "LREM l 0 c", "LREM l 0 d", "EXISTS l"),
    ("RPUSH l a b c d e", "LTRIM l 1 -2", "LRANGE l 0 -1", "LTRIM l 0 100", "LRANGE l 0 -1", "LTRIM l -2 -1",
     "LRANGE l 0 -1", "LTRIM l x 1", "LTRIM nokey 0 1", "LTRIM nokey x 1", "LTRIM l 1 0", "EXISTS l",
     "RPUSH l a b c", "LTRIM l -100 -3", "LRANGE l 0 -1", "LTRIM l 5 10", "EXISTS l"),
    ("RPUSH l a b c 1 2 3 c c", "LPOS l c", "LPOS l c RANK 2", "LPOS l c RANK -1", "LPOS l c RANK -3",
     "LPOS l c COUNT 2", "LPOS l c COUNT 0", "LPOS l c RANK -1 COUNT 2", "LPOS l c COUNT 0 MAXLEN 5",
     "LPOS l c MAXLEN 1", "LPOS l c RANK -1 MAXLEN 1", "LPOS l zz", "LPOS l zz COUNT 3", "LPOS nokey a",
     "LPOS nokey a COUNT 1", "LPOS l c RANK 0", "LPOS l c RANK x", "LPOS l c COUNT -1", "LPOS l c MAXLEN -1",
     "LPOS l c COUNT x", "LPOS l c FOO", "LPOS l c RANK", "LPOS l c RANK 10", "LPOS l c RANK 10 COUNT 1",
     "LPOS nokey a RANK 0", "LPOS l c RANK -9223372036854775807"),
    ("RPUSH a 1 2 3", "LMOVE a b LEFT RIGHT", "LMOVE a b RIGHT LEFT", "LRANGE a 0 -1", "LRANGE b 0 -1",
     "LMOVE a a LEFT RIGHT", "LRANGE a 0 -1", "LMOVE a b UP LEFT", "LMOVE a b LEFT DOWN", "LMOVE nokey b LEFT LEFT",
     "LMOVE a b left left", "EXISTS a", "SET str v", "LMOVE b str LEFT LEFT", "LMOVE str b LEFT LEFT",
     "LMOVE nokey str LEFT LEFT", "LRANGE b 0 -1", "RPOPLPUSH b c", "RPOPLPUSH b b", "LRANGE b 0 -1",
     "RPOPLPUSH nokey c", "RPOPLPUSH b str"),
    ("RPUSH a 1 2 3", "RPUSH b 4 5", "LMPOP 2 a b LEFT", "LMPOP 2 a b RIGHT COUNT 10", "LMPOP 2 a b LEFT COUNT 1",
     "LMPOP 2 nokey b RIGHT", "LMPOP 1 nokey LEFT", "LMPOP 0 a LEFT", "LMPOP x a LEFT", "LMPOP 3 a b LEFT",
     "LMPOP 1 a MIDDLE", "LMPOP 1 a LEFT COUNT 0", "LMPOP 1 a LEFT COUNT x", "LMPOP 1 a LEFT COUNT 1 COUNT 1",
     "LMPOP 1 a LEFT FOO", "LMPOP 1 a LEFT COUNT", "SET str v", "LMPOP 2 str a LEFT", "LMPOP 2 a str LEFT",
     "RPUSH a 9", "LMPOP 2 a str LEFT", "LMPOP -1 a LEFT"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
