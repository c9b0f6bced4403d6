"""server.commands.dumps: what RESTORE hands to the AOF (absolute TTLs, DEL for an already expired
replacement) and that replaying it rebuilds the same dataset."""

from __future__ import annotations

from server import rdb
from server.context import Ctx
from server.keyspace import now_ms
from server.resp import OK
from tests.server.commands.conftest import Run, dataset, replay


def test_relative_ttl_is_logged_absolute_with_absttl(run: Run, ctx: Ctx) -> None:
    payload = rdb.dump(b"hello")
    (logged,) = run("RESTORE", "k", "50000", payload, "REPLACE").log
    assert logged[:2] == [b"RESTORE", b"k"] and logged[3:] == [payload, b"REPLACE", b"ABSTTL"]
    assert abs(int(logged[2]) - now_ms() - 50000) < 2000
    (plain,) = run("RESTORE", "k2", "0", payload).log
    assert plain == [b"RESTORE", b"k2", b"0", payload]
    assert dataset(replay([logged, plain])) == dataset(ctx.keyspace)


def test_expired_restore_creates_nothing_and_logs_the_deletion(run: Run) -> None:
    payload = rdb.dump(b"hello")
    assert run("RESTORE", "k", "1", payload, "ABSTTL").log == []
    run("SET", "k", "v")
    outcome = run("RESTORE", "k", "1", payload, "ABSTTL", "REPLACE")
    assert outcome.log == [[b"DEL", b"k"]]
    assert run("EXISTS", "k").reply == 0


def test_dump_of_every_type_restores_into_the_same_value(run: Run) -> None:
    run("RPUSH", "l", "a", "1", "x" * 300)
    run("SADD", "s", "1", "20")
    run("HSET", "h", "f", "v")
    run("ZADD", "z", "1.5", "m")
    run("SET", "str", "v" * 100)
    for key in ("l", "s", "h", "z", "str"):
        payload = run("DUMP", key).reply
        assert run("RESTORE", key + "2", "0", payload).reply == OK
        assert run("DUMP", key + "2").reply == payload
