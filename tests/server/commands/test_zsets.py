"""server.commands.zsets and server.zset: AOF forms and replay, the AOF rewrite of sorted sets, WATCH, and
ranges on large sets checked against a plain sorted list (the differential suite covers small ones)."""

from __future__ import annotations

import random

from server.context import Ctx
from server.keyspace import WatchState
from tests.server.commands.conftest import Run, dataset, replay


def test_writes_replay_to_the_same_dataset(run: Run, ctx: Ctx) -> None:
    logs = []
    for argv in (
        ("ZADD", "z", "1", "a", "2", "b", "inf", "c", "-inf", "d"),
        ("ZINCRBY", "z", "0.5", "a"),
        ("ZADD", "z", "GT", "CH", "0", "b", "9", "a"),
        ("ZREM", "z", "d"),
        ("ZMPOP", "1", "z", "MAX"),
        ("ZUNIONSTORE", "u", "2", "z", "z", "WEIGHTS", "2", "3"),
        ("ZRANGESTORE", "r", "z", "0", "0"),
        ("ZREMRANGEBYSCORE", "u", "(5", "+inf"),
    ):
        logs += run(*argv).log
    assert [b"ZPOPMAX", b"z", b"1"] in logs  # ZMPOP propagates as the pop it did
    assert dataset(replay(logs)) == dataset(ctx.keyspace)


def test_aof_rewrite_rebuilds_sorted_sets_exactly(run: Run, ctx: Ctx) -> None:
    run("ZADD", "z", *[x for i in range(300) for x in (str(i / 7), f"m{i}")])
    run("ZADD", "z", "inf", "top", "-inf", "bottom", "1e-300", "tiny")
    rebuilt = replay(list(ctx.keyspace.dump_commands()))
    assert dataset(rebuilt) == dataset(ctx.keyspace)


def test_no_op_writes_log_nothing_and_watch_sees_changes(run: Run, ctx: Ctx) -> None:
    run("ZADD", "z", "1", "a")
    w = WatchState()
    ctx.db.watch(b"z", w)
    assert run("ZADD", "z", "1", "a").log == []
    assert run("ZADD", "z", "NX", "5", "a").log == []
    assert run("ZREM", "z", "nope").log == []
    assert not w.dirty
    run("ZINCRBY", "z", "1", "a")
    assert w.dirty


def test_ranges_on_a_large_set_match_a_sorted_list(run: Run) -> None:
    rng = random.Random(7)
    members = {f"m{i}".encode(): float(rng.randrange(-50, 50)) for i in range(3000)}
    for member, score in members.items():
        run("ZADD", "z", repr(score), member)
    expected = sorted((score, member) for member, score in members.items())
    assert run("ZRANGE", "z", "100", "110").reply == [m for _, m in expected[100:111]]
    window = [m for s, m in expected if -10 < s <= 10]
    assert run("ZRANGE", "z", "(-10", "10", "BYSCORE").reply == window
    assert run("ZRANGE", "z", "10", "(-10", "BYSCORE", "REV", "LIMIT", "5", "20").reply == window[::-1][5:25]
    assert run("ZCOUNT", "z", "(-10", "10").reply == len(window)
    member = expected[1234][1]
    assert run("ZRANK", "z", member).reply == 1234
    assert run("ZREVRANK", "z", member).reply == len(expected) - 1 - 1234
    assert run("ZREMRANGEBYRANK", "z", "0", "99").reply == 100
    assert run("ZCARD", "z").reply == len(expected) - 100


def test_lex_ranges_on_a_large_set(run: Run) -> None:
    words = sorted({f"w{n:05d}".encode() for n in random.Random(3).sample(range(100000), 2000)})
    run("ZADD", "z", *[x for w in words for x in ("0", w)])
    inside = [w for w in words if b"w20000" <= w < b"w60000"]
    assert run("ZRANGEBYLEX", "z", "[w20000", "(w60000").reply == inside
    assert run("ZLEXCOUNT", "z", "[w20000", "(w60000").reply == len(inside)
    assert run("ZREVRANGEBYLEX", "z", "(w60000", "[w20000", "LIMIT", "0", "3").reply == inside[::-1][:3]
