"""Differential cases: HSCAN / SSCAN / ZSCAN over collections past the compact encodings (case syntax:
harness.py). Compact ones (listpack, intset) come back whole, in their stored order, compared exactly;
hash-table and skiplist ones are walked to the end (~scan) with several COUNTs and MATCH, and the union
must be Redis's. The family modules hold the argument and error cases."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, assert_same, case_id, resp3

COMMANDS: Commands = {}


def members(prefix: str, n: int, step: int = 1) -> str:
    return " ".join(f"{prefix}{i * step}" for i in range(n))


def pairs(n: int) -> str:
    return " ".join(f"{i % 17}.5 m{i}" for i in range(n))


def fields(n: int) -> str:
    return " ".join(f"f{i} v{i}" for i in range(n))


# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    # Compact encodings: one reply, the stored order (intset ascending, listpack zset by score).
    ("SADD k 9 -3 70000 5 1", "SSCAN k 0", "SSCAN k 17", "SSCAN k 0 MATCH 7*"),
    ("ZADD k 3 a 1 b 2 c 2 bb", "ZSCAN k 0", "ZSCAN k 5 COUNT 1", "ZSCAN k 0 MATCH b*"),
    ("HSET k z 1 a 2 m 3", "HSCAN k 0", "HSCAN k 99"),
    (f"SADD k {members('', 500, 3)}", "SSCAN k 0 COUNT 1", "OBJECT ENCODING k"),
    # Hash tables and skiplists: walked by cursor.
    (f"SADD k {members('m', 300)}", "~scan SSCAN k 0", "~scan SSCAN k 0 COUNT 7", "~scan SSCAN k 0 COUNT 1000",
     "~scan SSCAN k 0 MATCH m1*", "~scan SSCAN k 0 MATCH nothing*"),
    (f"SADD k {members('', 600)}", "~scan SSCAN k 0 COUNT 50", "OBJECT ENCODING k"),
    (f"HSET k {fields(200)}", "~scan HSCAN k 0", "~scan HSCAN k 0 COUNT 3", "~scan HSCAN k 0 MATCH f1?"),
    ("CONFIG SET hash-max-listpack-value 4", "HSET k f vvvvvvvvvv g w", "~scan HSCAN k 0 COUNT 1",
     "CONFIG SET hash-max-listpack-value 64"),
    (f"ZADD k {pairs(200)}", "~scan ZSCAN k 0", "~scan ZSCAN k 0 COUNT 9", "~scan ZSCAN k 0 MATCH m19*"),
    ("CONFIG SET zset-max-listpack-entries 1", "ZADD k 1 a 2 b 3 c", "~scan ZSCAN k 0 COUNT 1",
     "CONFIG SET zset-max-listpack-entries 128"),
]
# fmt: on

CASES = [*SEQUENCES, *resp3(SEQUENCES[4:5] + SEQUENCES[8:9])]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
