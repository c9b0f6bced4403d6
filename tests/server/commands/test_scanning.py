"""server.commands.scanning: a walk of a big collection returns every member present for the whole walk,
however the collection changes between calls, with concurrent walks and evicted snapshots; it ends."""

from __future__ import annotations

import random

import pytest

from server.commands.scanning import SNAPSHOTS_KEPT
from tests.server.commands.conftest import Run

SIZE = 1500


def _fill(run: Run, kind: str, key: str, names: list[str]) -> None:
    if kind == "set":
        run("SADD", key, *names)
    elif kind == "hash":
        run("HSET", key, *[part for n in names for part in (n, "v" + n)])
    else:
        run("ZADD", key, *[part for i, n in enumerate(names) for part in (str(i % 13), n)])


def _remove(run: Run, kind: str, key: str, name: str) -> None:
    run({"set": "SREM", "hash": "HDEL", "zset": "ZREM"}[kind], key, name)


def _members(kind: str, reply: list[bytes]) -> list[bytes]:
    return reply if kind == "set" else reply[::2]


@pytest.mark.parametrize("kind", ["set", "hash", "zset"])
def test_members_present_for_the_whole_walk_are_returned(run: Run, kind: str) -> None:
    rng = random.Random(7)
    stable = [f"s{i}" for i in range(SIZE)]
    churn = [f"c{i}" for i in range(SIZE)]
    _fill(run, kind, "k", stable + churn)
    command = {"set": "SSCAN", "hash": "HSCAN", "zset": "ZSCAN"}[kind]
    seen: set[bytes] = set()
    cursor, calls, added = b"0", 0, 0
    while True:
        reply = run(command, "k", cursor, "COUNT", "11").reply
        cursor, batch = reply[0], reply[1]
        seen.update(_members(kind, batch))
        calls += 1
        # Between calls: churn members go, new ones arrive, and other walks evict the snapshot.
        for _ in range(5):
            _remove(run, kind, "k", churn.pop(rng.randrange(len(churn))))
        _fill(run, kind, "k", [f"n{added}", f"n{added + 1}"])
        added += 2
        if calls % 20 == 0:
            for j in range(SNAPSHOTS_KEPT + 1):
                _fill(run, kind, f"other{j}", [f"x{i}" for i in range(600)])
                run(command, f"other{j}", "0", "COUNT", "5")
        if cursor == b"0":
            break
        assert calls < 10 * SIZE, "the walk does not end"
    assert {s.encode() for s in stable} <= seen
    assert calls > (2 * SIZE) // 11 // 2  # it walked in batches, not in one reply


def test_a_second_walk_from_zero_does_not_disturb_the_first(run: Run) -> None:
    names = [f"m{i}" for i in range(1000)]
    run("SADD", "k", *names)
    first = run("SSCAN", "k", "0", "COUNT", "100").reply
    seen = set(first[1])
    run("SREM", "k", *names[:500:2])  # not all stable: drop half of the first 500 (never checked)
    run("SSCAN", "k", "0", "COUNT", "3")  # a second walk starts: a newer snapshot
    cursor = first[0]
    while cursor != b"0":
        cursor, batch = run("SSCAN", "k", cursor, "COUNT", "100").reply
        seen.update(batch)
    assert {n.encode() for n in names[1:500:2] + names[500:]} <= seen
