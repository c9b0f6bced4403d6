"""server.commands.strings: what reaches the AOF (absolute times, results instead of float arithmetic),
that replaying it rebuilds the same data, and WATCH. Reply texts are covered by the differential suite."""

from __future__ import annotations

from server.context import Ctx
from server.keyspace import WatchState, now_ms
from server.resp import OK
from tests.server.commands.conftest import Run, dataset, replay


def _when(log_arg: bytes, seconds_from_now: float) -> bool:
    """An absolute ms time in the log is now + the relative time (within the test's own runtime)."""
    return abs(int(log_arg) - (now_ms() + seconds_from_now * 1000)) < 2000


def test_plain_set_is_logged_as_sent(run: Run) -> None:
    out = run("SET", "k", "v")
    assert out.reply is OK
    assert out.log == [[b"SET", b"k", b"v"]]


def test_relative_expiries_are_logged_as_pxat(run: Run) -> None:
    for argv, seconds in [
        (("SET", "k", "v", "EX", "100"), 100),
        (("SET", "k", "v", "PX", "5000"), 5),
        (("SETEX", "k", "30", "v"), 30),
        (("PSETEX", "k", "7000", "v"), 7),
        (("SET", "k", "v", "EXAT", str(now_ms() // 1000 + 50)), 50),
    ]:
        out = run(*argv)
        (logged,) = out.log
        assert logged[:4] == [b"SET", b"k", b"v", b"PXAT"], argv
        assert _when(logged[4], seconds), argv


def test_set_options_that_do_not_change_replay_are_dropped(run: Run) -> None:
    assert run("SET", "k", "v", "GET").log == [[b"SET", b"k", b"v"]]
    assert run("SET", "k", "w", "XX", "KEEPTTL").log == [[b"SET", b"k", b"w", b"KEEPTTL"]]
    assert run("SET", "k", "x", "NX").log == []  # not set: nothing to log
    assert run("SETNX", "k", "x").log == []


def test_incrbyfloat_is_logged_as_its_result(run: Run) -> None:
    run("SET", "f", "10.5")
    out = run("INCRBYFLOAT", "f", "0.1")
    assert out.reply == b"10.6"
    assert out.log == [[b"SET", b"f", b"10.6", b"KEEPTTL"]]


def test_getex_and_getdel_are_logged_as_their_effect(run: Run) -> None:
    run("SET", "k", "v")
    assert run("GETEX", "k").log == []
    (logged,) = run("GETEX", "k", "EX", "60").log
    assert logged[:2] == [b"PEXPIREAT", b"k"] and _when(logged[2], 60)
    assert run("GETEX", "k", "PERSIST").log == [[b"PERSIST", b"k"]]
    assert run("GETEX", "k", "PERSIST").log == []  # no TTL left to remove
    assert run("GETEX", "k", "EXAT", "1").log == [[b"DEL", b"k"]]
    run("SET", "k", "v")
    assert run("GETDEL", "k").log == [[b"DEL", b"k"]]
    assert run("GETDEL", "k").log == []


def test_replaying_the_log_rebuilds_the_same_strings(run: Run, ctx: Ctx) -> None:
    script = [
        ("SET", "a", "1"), ("INCRBY", "a", "41"), ("SET", "b", "x", "EX", "1000"), ("APPEND", "b", "yz"),
        ("INCRBYFLOAT", "c", "0.1"), ("INCRBYFLOAT", "c", "0.2"), ("MSET", "d", "1", "e", "2"),
        ("SETEX", "f", "500", "v"), ("GETEX", "f", "PX", "123456"), ("SET", "g", "v", "GET"),
        ("SET", "g", "w", "KEEPTTL"), ("GETDEL", "e"), ("SETNX", "h", "1"), ("DECR", "h"),
        ("SET", "i", "v", "PXAT", str(now_ms() + 99999)), ("SET", "a", "2", "XX", "GET"),
    ]  # fmt: skip
    logs = [argv for step in script for argv in run(*step).log]
    assert dataset(replay(logs)) == dataset(ctx.keyspace)


def test_string_writes_dirty_watchers(run: Run, ctx: Ctx) -> None:
    for argv in [
        ("SET", "k", "v"),
        ("APPEND", "k", "x"),
        ("INCR", "n"),
        ("INCRBYFLOAT", "n", "1"),
        ("GETDEL", "k"),
        ("MSET", "k", "1"),
        ("GETEX", "k", "EX", "10"),
        ("GETEX", "k", "PERSIST"),
    ]:
        w = WatchState()
        ctx.db.watch(argv[1].encode(), w)
        run(*argv)
        assert w.dirty, argv
        ctx.keyspace.unwatch_all(w)


def test_reads_and_refused_writes_leave_watchers_clean(run: Run, ctx: Ctx) -> None:
    run("SET", "k", "v")
    w = WatchState()
    ctx.db.watch(b"k", w)
    for argv in [
        ("GET", "k"),
        ("STRLEN", "k"),
        ("MGET", "k"),
        ("SET", "k", "w", "NX"),
        ("GETEX", "k"),
        ("SETNX", "k", "x"),
        ("INCR", "k"),
    ]:
        run(*argv)
    assert not w.dirty
