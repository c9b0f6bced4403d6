"""server.commands.lists: pops (with count, order, emptiness), LRANGE from either end on a long list,
AOF forms, replay exactness, WATCH."""

from __future__ import annotations

from server.context import Ctx
from server.keyspace import WatchState
from server.resp import NULL_ARRAY
from tests.server.commands.conftest import Run, dataset, replay


def test_pops_with_count_come_in_pop_order(run: Run, ctx: Ctx) -> None:
    run("RPUSH", "l", "a", "b", "c", "d", "e")
    assert run("LPOP", "l", "2").reply == [b"a", b"b"]
    assert run("RPOP", "l", "2").reply == [b"e", b"d"]
    assert run("RPOP", "l", "5").reply == [b"c"]
    assert ctx.db.size() == 0
    assert run("LPOP", "l", "1").reply is NULL_ARRAY
    assert run("LPOP", "l").reply is None


def test_lpush_reverses_its_arguments(run: Run) -> None:
    run("LPUSH", "l", "a", "b", "c")
    assert run("LRANGE", "l", "0", "-1").reply == [b"c", b"b", b"a"]


def test_lrange_matches_slicing_on_a_long_list(run: Run) -> None:
    items = [str(i).encode() for i in range(1000)]
    run("RPUSH", "l", *items)
    for start, stop in [(0, 9), (990, 2000), (-10, -1), (500, 499), (-1000, 3), (700, 800), (-300, -200)]:
        n = len(items)
        lo = max(0, start + n if start < 0 else start)
        hi = min(n - 1, stop + n if stop < 0 else stop)
        assert run("LRANGE", "l", start, stop).reply == items[lo : hi + 1], (start, stop)


def test_no_op_pops_log_nothing_and_real_ones_dirty_watchers(run: Run, ctx: Ctx) -> None:
    assert run("LPOP", "nokey").log == []
    run("RPUSH", "l", "a")
    w = WatchState()
    ctx.db.watch(b"l", w)
    assert run("LPOP", "l", "0").log == []
    assert not w.dirty
    run("RPUSH", "l", "b")
    assert w.dirty


def test_replaying_the_log_rebuilds_the_same_lists(run: Run, ctx: Ctx) -> None:
    script = [
        ("RPUSH", "l", "a", "b", "c"),
        ("LPUSH", "l", "z"),
        ("LPOP", "l"),
        ("RPOP", "l", "2"),
        ("RPUSH", "m", "x"),
        ("RPOP", "m"),
        ("LPUSH", "n", "1", "2"),
        ("EXPIRE", "n", "500"),
    ]
    logs = [argv for step in script for argv in run(*step).log]
    assert dataset(replay(logs)) == dataset(ctx.keyspace)
