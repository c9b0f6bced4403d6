"""server.commands.hashes: AOF forms, replay exactness, WATCH on in-place changes, empty hashes vanish,
replies are snapshots (an EXEC's later commands must not change an earlier reply)."""

from __future__ import annotations

from server.context import Ctx
from server.keyspace import WatchState
from tests.server.commands.conftest import Run, dataset, replay


def test_hincrbyfloat_is_logged_as_hset_of_the_result(run: Run) -> None:
    out = run("HINCRBYFLOAT", "h", "f", "0.1")
    assert out.reply == b"0.1"
    assert out.log == [[b"HSET", b"h", b"f", b"0.1"]]
    assert run("HINCRBYFLOAT", "h", "f", "0.2").log == [[b"HSET", b"h", b"f", b"0.3"]]


def test_no_op_writes_log_nothing(run: Run) -> None:
    run("HSET", "h", "f", "v")
    assert run("HDEL", "h", "nofield").log == []
    assert run("HSETNX", "h", "f", "other").log == []
    assert run("HDEL", "nokey", "f").log == []


def test_last_field_deleted_removes_the_key(run: Run, ctx: Ctx) -> None:
    run("HSET", "h", "a", "1", "b", "2")
    run("HDEL", "h", "a", "b")
    assert ctx.db.size() == 0


def test_in_place_changes_dirty_watchers(run: Run, ctx: Ctx) -> None:
    run("HSET", "h", "a", "1")
    for argv in [
        ("HSET", "h", "a", "2"),
        ("HSETNX", "h", "b", "1"),
        ("HINCRBY", "h", "n", "1"),
        ("HINCRBYFLOAT", "h", "n", "1.5"),
        ("HDEL", "h", "b"),
    ]:
        w = WatchState()
        ctx.db.watch(b"h", w)
        run(*argv)
        assert w.dirty, argv
        ctx.keyspace.unwatch_all(w)
    w = WatchState()
    ctx.db.watch(b"h", w)
    for argv in [("HGET", "h", "a"), ("HGETALL", "h"), ("HDEL", "h", "zz"), ("HSETNX", "h", "a", "x")]:
        run(*argv)
    assert not w.dirty


def test_replies_are_snapshots(run: Run) -> None:
    run("HSET", "h", "a", "1")
    everything = run("HGETALL", "h").reply
    keys = run("HKEYS", "h").reply
    run("HSET", "h", "b", "2")
    assert everything == {b"a": b"1"} and keys == [b"a"]


def test_replaying_the_log_rebuilds_the_same_hashes(run: Run, ctx: Ctx) -> None:
    script = [
        ("HSET", "h", "a", "1", "b", "2"), ("HINCRBY", "h", "a", "10"), ("HINCRBYFLOAT", "h", "c", "2.5"),
        ("HINCRBYFLOAT", "h", "c", "0.1"), ("HSETNX", "h", "b", "x"), ("HDEL", "h", "b"),
        ("HSET", "g", "x", "y"), ("EXPIRE", "g", "1000"), ("HSET", "g", "z", "w"),
    ]  # fmt: skip
    logs = [argv for step in script for argv in run(*step).log]
    assert dataset(replay(logs)) == dataset(ctx.keyspace)
