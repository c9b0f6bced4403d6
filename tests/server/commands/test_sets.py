"""server.commands.sets: AOF forms, replay exactness, WATCH, empty sets vanish, replies are snapshots,
and the algebra on larger sets (the differential suite covers the texts on small ones)."""

from __future__ import annotations

from server.context import Ctx
from server.keyspace import WatchState
from tests.server.commands.conftest import Run, dataset, replay


def test_no_op_writes_log_nothing_and_touch_nobody(run: Run, ctx: Ctx) -> None:
    run("SADD", "s", "a")
    w = WatchState()
    ctx.db.watch(b"s", w)
    assert run("SADD", "s", "a").log == []
    assert run("SREM", "s", "z").log == []
    assert run("SREM", "nokey", "z").log == []
    assert not w.dirty
    assert run("SADD", "s", "b").log == [[b"SADD", b"s", b"b"]]
    assert w.dirty


def test_last_member_removed_removes_the_key(run: Run, ctx: Ctx) -> None:
    run("SADD", "s", "a", "b")
    assert run("SREM", "s", "a", "b", "c").reply == 2
    assert ctx.db.size() == 0


def test_algebra_on_larger_sets(run: Run) -> None:
    run("SADD", "even", *range(0, 1000, 2))
    run("SADD", "three", *range(0, 1000, 3))
    inter = run("SINTER", "even", "three").reply
    assert inter == {str(i).encode() for i in range(0, 1000, 6)}
    assert len(run("SUNION", "even", "three").reply) == 500 + 334 - 167
    assert run("SDIFF", "even", "three", "nokey").reply == {
        str(i).encode() for i in range(0, 1000, 2) if i % 3
    }
    assert run("SMISMEMBER", "even", "2", "3").reply == [1, 0]


def test_replies_are_snapshots(run: Run) -> None:
    run("SADD", "s", "a")
    members = run("SMEMBERS", "s").reply
    run("SADD", "s", "b")
    assert members == {b"a"}


def test_replaying_the_log_rebuilds_the_same_sets(run: Run, ctx: Ctx) -> None:
    script = [
        ("SADD", "s", "a", "b", "c"),
        ("SREM", "s", "b"),
        ("SADD", "s", "a", "d"),
        ("SADD", "t", "x"),
        ("SREM", "t", "x"),
        ("SADD", "u", "1"),
        ("PEXPIRE", "u", "99999"),
    ]
    logs = [argv for step in script for argv in run(*step).log]
    assert dataset(replay(logs)) == dataset(ctx.keyspace)
