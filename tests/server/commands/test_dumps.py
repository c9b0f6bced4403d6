"""server.commands.dumps: what RESTORE and MIGRATE hand to the AOF (absolute TTLs, DEL for an already
expired replacement, DEL for the keys a target acknowledged), replay exactness, MIGRATE's redaction."""

from __future__ import annotations

import socket
import threading

from server import rdb
from server.context import Ctx
from server.dispatch import redacted
from server.keyspace import now_ms
from server.resp import OK, ErrorReply
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


def _target(replies: bytes) -> tuple[int, threading.Thread]:
    """A one-shot target on loopback: accepts one connection, reads a little, answers `replies`."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5)
                conn.recv(65536)
                conn.sendall(replies)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


def test_migrate_logs_the_acknowledged_keys_as_del(run: Run) -> None:
    run("SET", "a", "1")
    run("SET", "b", "2")
    # SELECT ok, RESTORE a ok, RESTORE b refused: only a leaves (and reaches the AOF as DEL a).
    port, thread = _target(b"+OK\r\n+OK\r\n-BUSYKEY Target key name already exists.\r\n")
    outcome = run("MIGRATE", "127.0.0.1", str(port), "", "0", "2000", "KEYS", "a", "b")
    thread.join(5)
    busy = "BUSYKEY Target key name already exists."
    assert outcome.reply == ErrorReply(f"ERR Target instance replied with error: {busy}")
    assert outcome.log == [[b"DEL", b"a"]]
    assert run("EXISTS", "a", "b").reply == 1


def test_migrate_secrets_are_redacted() -> None:
    argv = [b"MIGRATE", b"h", b"1", b"", b"0", b"5", b"AUTH2", b"user", b"pw", b"KEYS", b"auth", b"k"]
    assert redacted(argv) == [*argv[:7], None, None, *argv[9:]]
