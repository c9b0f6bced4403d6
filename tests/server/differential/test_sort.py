"""Differential cases: SORT and SORT_RO (case syntax: harness.py)."""

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
    "SORT": (-2, "list", "k"),
    "SORT_RO": (-2, "list", "k"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("RPUSH l 3 1 2 10", "SORT l", "SORT l DESC", "SORT l ALPHA", "SORT l ALPHA DESC", "SORT l LIMIT 1 2",
     "SORT l LIMIT 0 0", "SORT l LIMIT -1 2", "SORT l LIMIT 2 -1", "SORT l LIMIT 10 2", "SORT l LIMIT 1",
     "SORT l LIMIT x 1", "SORT l FOO", "SORT_RO l DESC", "SORT_RO l STORE d", "SORT nokey", "SORT nokey STORE d",
     "EXISTS d"),
    ("RPUSH l b a c", "SORT l", "SORT l ALPHA", "SORT_RO l ALPHA LIMIT 0 2", "SORT l BY nosort",
     "SORT l BY nosort DESC", "SORT l BY nosort LIMIT 1 1", "SORT l BY nosort DESC LIMIT 1 5"),
    ("RPUSH l 1 2 3", "SET w_1 30", "SET w_2 10", "SET w_3 20", "SORT l BY w_*", "SORT l BY w_* DESC",
     "SET o_1 one", "SET o_2 two", "SORT l BY w_* GET o_*", "SORT l BY w_* GET o_* GET #",
     "SORT l GET # GET nope_*", "SORT l GET o_* ALPHA", "SORT l BY w_* GET o_* STORE d", "LRANGE d 0 -1",
     "SORT l BY w_* GET nope_* STORE d", "LRANGE d 0 -1", "SORT l GET nostar"),
    ("RPUSH l 1 2 3", "HSET h_1 f 3", "HSET h_2 f 1", "HSET h_3 f 2", "SORT l BY h_*->f", "SORT l GET h_*->f",
     "SORT l BY h_*->nof", "SORT l GET h_*->", "SET h_1 str", "SORT l BY h_*->f", "SORT l BY x->*"),
    ("RPUSH l 1.5 -2 1e2 \" 3\" inf", "SORT l", "RPUSH l abc", "SORT l", "SORT l STORE d", "EXISTS d",
     "SORT l ALPHA", 'RPUSH m "" 0 -1', "SORT m", "RPUSH n 1e400", "SORT n", "RPUSH o nan", "SORT o"),
    ("SADD s 3 1 2", "SORT s", "SORT s DESC LIMIT 0 2", "SORT s ALPHA", "SORT s BY nosort STORE d",
     "LRANGE d 0 -1", "~sort SORT s BY nosort"),
    ("ZADD z 3 a 1 b 2 c", "SORT z ALPHA", "SORT z BY nosort", "SORT z BY nosort DESC", "SORT z BY nosort LIMIT 1 1",
     "SORT z BY nosort DESC LIMIT 0 2", "SORT z"),
    ("RPUSH l 2 1", "SET d v", "SORT l STORE d", "TYPE d", "LRANGE d 0 -1", "SORT nokey STORE d", "EXISTS d",
     "SORT l STORE", "SORT l BY", "SORT l GET", "SORT l LIMIT 0 1 ASC ALPHA DESC"),
    ("SET str v", "SORT str", "SORT str FOO", "HSET h f v", "SORT h", "SORT_RO h", "SORT str LIMIT x 1"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *wrongtype_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES)]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
