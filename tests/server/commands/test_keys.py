"""server.commands.keys: AOF forms of the EXPIRE family, replay exactness, WATCH on renames and flushes,
and through the real bundled server: active expiry and SCAN over a large database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.targets import RunningTarget, TargetSpec, start_target
from server.context import Ctx
from server.keyspace import WatchState, now_ms
from server.resp import Parser
from tests.server.commands.conftest import Run, dataset, replay
from tests.server.rawresp import RawClient


def test_expire_family_is_logged_as_pexpireat(run: Run) -> None:
    run("SET", "k", "v")
    for argv, seconds in [
        (("EXPIRE", "k", "100"), 100),
        (("PEXPIRE", "k", "5000"), 5),
        (("EXPIREAT", "k", str(now_ms() // 1000 + 70)), 70),
    ]:
        (logged,) = run(*argv).log
        assert logged[:2] == [b"PEXPIREAT", b"k"], argv
        assert abs(int(logged[2]) - now_ms() - seconds * 1000) < 2000, argv
    when = str(now_ms() + 12345).encode()
    assert run("PEXPIREAT", "k", when).log == [[b"PEXPIREAT", b"k", when]]


def test_expiry_in_the_past_deletes_and_logs_del(run: Run, ctx: Ctx) -> None:
    run("SET", "k", "v")
    out = run("EXPIRE", "k", "-1")
    assert out.reply == 1 and out.log == [[b"DEL", b"k"]]
    assert ctx.db.size() == 0


def test_no_op_writes_log_nothing(run: Run) -> None:
    run("SET", "k", "v")
    for argv in [
        ("DEL", "nokey"),
        ("EXPIRE", "nokey", "10"),
        ("EXPIRE", "k", "10", "XX"),
        ("PERSIST", "k"),
        ("RENAME", "k", "k"),
    ]:
        assert run(*argv).log == [], argv


def test_while_loading_a_past_expiry_is_kept_not_deleted(run: Run, ctx: Ctx) -> None:
    run("SET", "k", "v")
    ctx.keyspace.loading = True
    assert run("PEXPIREAT", "k", "1").reply == 1
    assert ctx.db.get_expire_ms(b"k") == 1
    ctx.keyspace.loading = False
    assert run("EXISTS", "k").reply == 0


def test_replaying_the_log_rebuilds_the_same_keyspace(run: Run, ctx: Ctx) -> None:
    script = [
        ("SET", "a", "1"), ("EXPIRE", "a", "1000"), ("SET", "b", "2"), ("PEXPIRE", "b", "50000"),
        ("RENAME", "a", "c"), ("SET", "d", "v"), ("EXPIRE", "d", "100", "GT"), ("EXPIRE", "d", "100", "NX"),
        ("PERSIST", "b"), ("SET", "e", "v"), ("EXPIRE", "e", "-5"), ("DEL", "x", "e"), ("SELECT", "2"),
        ("SET", "z", "v"), ("EXPIREAT", "z", str(now_ms() // 1000 + 99)),
    ]  # fmt: skip
    logs = []
    for step in script:
        out = run(*step)
        logs += out.log
    assert dataset(replay(logs)) == dataset(ctx.keyspace)


def test_rename_and_flush_dirty_watchers(run: Run, ctx: Ctx) -> None:
    run("SET", "a", "1")
    w = WatchState()
    ctx.db.watch(b"a", w)
    run("RENAME", "a", "b")
    assert w.dirty
    ctx.keyspace.unwatch_all(w)
    ctx.db.watch(b"b", w)
    run("EXPIRE", "b", "100")
    assert w.dirty
    ctx.keyspace.unwatch_all(w)
    ctx.db.watch(b"b", w)
    run("FLUSHALL")
    assert w.dirty


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTarget]:
    with start_target(TargetSpec(kind="bundled"), tmp_path_factory.mktemp("bundled")) as target:
        yield target


def _client(target: RunningTarget) -> RawClient:
    assert target.port is not None
    return RawClient(target.host, target.port)


def test_active_expiry_reclaims_keys_nobody_reads(bundled: RunningTarget) -> None:
    with _client(bundled) as c:
        c.call("FLUSHALL")
        c.pipeline([["SET", f"short{i}", "v", "PX", "30"] for i in range(500)])
        c.call("SET", "stays", "v")
        deadline = time.monotonic() + 10
        while c.call("DBSIZE") != (":", 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.call("DBSIZE") == (":", 1)  # only active expiry can have removed them: nobody read them
        assert c.call("GET", "stays") == ("$", b"v")


def test_scan_walks_a_large_database_completely(bundled: RunningTarget) -> None:
    with _client(bundled) as c:
        c.call("FLUSHALL")
        keys = {b"key:%d" % i for i in range(5000)}
        c.pipeline([["MSET", *chunk] for chunk in _pairs(sorted(keys), 500)])
        seen: set[bytes] = set()
        cursor, calls = b"0", 0
        while True:
            _, (cur, (_, batch)) = c.call("SCAN", cursor, "COUNT", "100")
            seen.update(value for _, value in batch)
            cursor, calls = cur[1], calls + 1
            if cursor == b"0":
                break
        assert seen == keys
        assert calls == 50


def _pairs(keys: list[bytes], size: int) -> Iterator[list[bytes]]:
    for i in range(0, len(keys), size):
        yield [part for key in keys[i : i + size] for part in (key, b"v")]


def test_aof_restart_keeps_absolute_expiries_and_reclaims(tmp_path: Path) -> None:
    """Relative expiries reach the AOF as absolute times, so a restart does not extend them; INCRBYFLOAT
    and HINCRBYFLOAT are replayed as their results; a key reclaimed on access is logged as DEL."""
    spec = TargetSpec(kind="bundled", appendonly=True, appendfsync="always")
    workdir = tmp_path / "aof"
    with start_target(spec, workdir) as first, _client(first) as c:
        c.pipeline(
            [
                ["SET", "ex", "v", "EX", "100"],
                ["SET", "f", "1.5"],
                ["INCRBYFLOAT", "f", "0.1"],
                ["SETEX", "sx", "200", "v"],
                ["SET", "gone", "v", "PX", "20"],
                ["SET", "keep", "v"],
                ["EXPIRE", "keep", "300"],
                ["HINCRBYFLOAT", "h", "f", "2.5"],
            ]
        )
        time.sleep(0.1)
        assert c.call("GET", "gone") == ("$", None)  # reclaimed on access: the AOF gets a DEL
        before = {key: c.call("PTTL", key)[1] for key in ("ex", "sx", "keep")}
        aof = b"".join(p.read_bytes() for p in first.dir.rglob("*.aof") if p.is_file())  # not the RDB base
    parser = Parser()
    parser.feed(aof)
    logged = parser.parse()
    assert {argv[0].upper() for argv in logged} <= {b"SELECT", b"SET", b"HSET", b"PEXPIREAT", b"DEL"}
    assert [b"DEL", b"gone"] in logged
    assert all(argv[3:4] in ([], [b"PXAT"], [b"KEEPTTL"]) for argv in logged if argv[0] == b"SET"), logged
    time.sleep(0.3)
    with start_target(spec, workdir) as second, _client(second) as c:
        after = {key: c.call("PTTL", key)[1] for key in ("ex", "sx", "keep")}
        assert c.call("GET", "f") == ("$", b"1.6")
        assert c.call("HGET", "h", "f") == ("$", b"2.5")
        assert c.call("EXISTS", "gone") == (":", 0)
    for key, ms in after.items():
        assert before[key] - 60_000 < ms < before[key] - 250, key  # the clock kept running across the restart
