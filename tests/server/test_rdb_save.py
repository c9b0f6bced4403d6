"""server.rdb_save: SAVE / BGSAVE / save points / shutdown snapshot / load at start, in process and through
the real bundled server, and dump.rdb files moving between the bundled server and redis-server 7.0."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from server.config import Config
from server.keyspace import Keyspace
from server.log import RedisLog
from server.quicklist import QuickList
from server.rdb_file import open_rdb
from server.rdb_save import RdbLoadError, Snapshots
from server.zset import ZSet
from tests.conftest import require_tool
from tests.server.test_aof import ROOT, _free_port, bundled_server

REDIS = ("redis-server",)


def _snapshots(tmp_path: Path, *argv: str, keyspace: Keyspace | None = None) -> tuple[Snapshots, Path]:
    cfg = Config.load(None, ["--dir", str(tmp_path), *argv])
    log = RedisLog("notice", str(tmp_path / "server.log"))
    return Snapshots(cfg, log, keyspace or Keyspace(16)), tmp_path / "server.log"


# ------------------------------------------------------------------ in process


def test_save_then_load_keeps_every_type_expiry_and_database(tmp_path: Path) -> None:
    ks = Keyspace(16)
    db = ks.db(0)
    db.set(b"s", b"v")
    db.set(b"ttl", b"x")
    future = int(time.time() * 1000) + 100_000
    db.set_expire_ms(b"ttl", future)
    db.set(b"h", {b"f": b"1"})
    db.set(b"set", {b"1", b"2"})
    z = ZSet()
    z.add(b"m", 1.5)
    db.set(b"z", z)
    ql = QuickList()
    ql.extend([b"a", b"b"])
    db.set(b"l", ql)
    ks.db(7).set(b"other", b"db7")
    snaps, log = _snapshots(tmp_path, keyspace=ks)
    assert snaps.save()
    assert (tmp_path / "dump.rdb").read_bytes().startswith(b"REDIS0010")
    assert not list(tmp_path.glob("temp-*.rdb"))  # written aside, then renamed
    assert snaps.saves == 1 and snaps.changes == 0 and "DB saved on disk" in log.read_text()
    fresh = Keyspace(16)
    loaded, _ = _snapshots(tmp_path, keyspace=fresh)
    assert loaded.load()
    assert fresh.db(0).lookup(b"s") == b"v"
    assert fresh.db(0).expires[b"ttl"] == future
    assert fresh.db(0).lookup(b"h") == {b"f": b"1"}
    assert fresh.db(0).lookup(b"set") == {b"1", b"2"}
    assert list(fresh.db(0).lookup(b"l")) == [b"a", b"b"]
    assert fresh.db(7).lookup(b"other") == b"db7"
    assert loaded.loaded_keys == 7 and loaded.expired_on_load == 0


def test_keys_past_their_expiry_are_not_saved_and_not_loaded(tmp_path: Path) -> None:
    ks = Keyspace(16)
    ks.loading = True  # keeps the already-expired key in the dict, as a save racing its expiry would
    ks.db(0).set(b"gone", b"x")
    ks.db(0).set_expire_ms(b"gone", int(time.time() * 1000) - 1)
    ks.db(0).set(b"kept", b"y")
    snaps, _ = _snapshots(tmp_path, keyspace=ks)
    assert snaps.save()
    assert b"gone" not in (tmp_path / "dump.rdb").read_bytes()


def test_no_dump_file_is_an_empty_start_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    snaps, _ = _snapshots(tmp_path)
    assert snaps.load() is False
    (tmp_path / "dump.rdb").write_bytes(b"REDIS0010\xfe\x00garbage")
    with pytest.raises(RdbLoadError, match=r"Fatal error loading the DB dump\.rdb"):
        snaps.load()


def test_save_points_fire_on_changes_and_seconds(tmp_path: Path) -> None:
    snaps, log = _snapshots(tmp_path, "--save", "1 2")
    snaps.last_save = int(time.time()) - 5
    snaps.changes = 1
    snaps.cron(other_child=False)
    assert not snaps.in_progress  # one change of the two the point needs
    snaps.changes = 2
    snaps.cron(other_child=True)
    assert not snaps.in_progress  # an AOF rewrite child runs: the snapshot waits
    snaps.cron(other_child=False)
    assert snaps.in_progress
    snaps.changes += 3  # writes while the child runs stay counted after it
    snaps.reap(block=True)
    assert snaps.changes == 3 and snaps.saves == 1 and snaps.last_ok
    text = log.read_text()
    assert "2 changes in 1 seconds. Saving..." in text
    assert "Background saving terminated with success" in text
    assert (tmp_path / "dump.rdb").exists()


# ------------------------------------------------------------------ both servers, side by side

FILL = [
    ("SET", "int", "12345"),
    ("SET", "short", "hello"),
    ("SET", "compressible", "a" * 5000),
    ("SET", "random", os.urandom(3000).hex()),
    ("SET", "ttl", "v", "PX", "500000"),
    ("HSET", "hsmall", "f1", "v1", "f2", "2"),
    ("HSET", "hbig", *[x for i in range(300) for x in (f"field{i}", f"value{i}")]),
    ("HSET", "hlong", "f", "x" * 100),
    ("SADD", "sint", "1", "2", "-3", "99999999999"),
    ("SADD", "sintbig", *[str(i) for i in range(700)]),
    ("SADD", "sstr", "a", "b", "c"),
    ("ZADD", "zsmall", "1", "a", "2.5", "b", "-inf", "c"),
    ("ZADD", "zbig", *[x for i in range(300) for x in (str(i / 3), f"m{i}")]),
    ("RPUSH", "lsmall", "a", "1", "b"),
    ("RPUSH", "lbig", *[f"element-{i}" for i in range(20000)]),
    ("RPUSH", "llong", "y" * 10000, "z"),
    ("SELECT", "3"),
    ("SET", "in-db3", "x"),
    ("HSET", "hash-db3", "f", "v"),
    ("EXPIRE", "hash-db3", "3000"),
    ("SELECT", "0"),
]


def _fill(client: redis.Redis) -> None:
    for argv in FILL:
        client.execute_command(*argv)


def _contents(port: int) -> dict[tuple[int, bytes], tuple[Any, ...]]:
    """Every key of every database: its type, value (sets sorted) and absolute expiry in ms."""
    out: dict[tuple[int, bytes], tuple[Any, ...]] = {}
    for index in range(16):
        c = redis.Redis(port=port, db=index, socket_timeout=10, protocol=2)
        for key in c.keys("*"):
            kind = c.type(key)
            value: Any
            if kind == b"string":
                value = c.get(key)
            elif kind == b"hash":
                value = sorted(c.hgetall(key).items())
            elif kind == b"set":
                value = sorted(c.smembers(key))
            elif kind == b"zset":
                value = c.zrange(key, 0, -1, withscores=True)
            else:
                value = c.lrange(key, 0, -1)
            out[(index, key)] = (kind, value, c.pexpiretime(key))
        c.close()
    return out


def _wait_bgsave(client: redis.Redis) -> dict[str, Any]:
    for _ in range(400):
        info = client.info("persistence")
        if not info["rdb_bgsave_in_progress"]:
            return info
        time.sleep(0.05)
    raise AssertionError("BGSAVE never ended")


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out.decode("utf-8", "replace") if out else ""


@pytest.mark.parametrize(("writer", "reader"), [("bundled", "redis"), ("redis", "bundled")])
def test_dump_rdb_moves_between_the_servers(tmp_path: Path, writer: str, reader: str) -> None:
    """Every type in its small and big encodings, TTLs and a second database: what one server's BGSAVE
    wrote, the other loads at start with the same keys, values and expiry times."""
    require_tool("redis-server")
    programs = {"bundled": (sys.executable, "-m", "server"), "redis": REDIS}
    with bundled_server(tmp_path, program=programs[writer]) as (proc, port):
        client = redis.Redis(port=port, socket_timeout=10)
        _fill(client)
        before = _contents(port)
        assert client.bgsave()
        info = _wait_bgsave(client)
        assert info["rdb_last_bgsave_status"] == "ok" and info["rdb_changes_since_last_save"] == 0
        _stop(proc)
    assert (tmp_path / "dump.rdb").is_file()
    with bundled_server(tmp_path, program=programs[reader]) as (proc, port):
        after = _contents(port)
        loaded = redis.Redis(port=port).info("persistence")["rdb_last_load_keys_loaded"]
    assert after == before
    assert loaded == len(before) == 18


SCRIPT = [
    ("SET", "a", "1"),
    ("SAVE",),
    ("INFO", "persistence"),
    ("BGSAVE",),
    ("BGSAVE",),
    ("BGSAVE", "SCHEDULE"),
    ("SAVE",),
]


def _run(port: int, script: list[tuple[str, ...]]) -> list[Any]:
    """The replies as sent (no redis-py parsing); of INFO only the fields both servers fill alike."""
    client = redis.Redis(port=port, socket_timeout=10, protocol=2)
    client.response_callbacks.clear()
    out: list[Any] = []
    for argv in script:
        try:
            reply = client.execute_command(*argv)
        except redis.ResponseError as e:
            reply = f"error: {e}"
        if argv[0] == "INFO":
            fields = dict(line.split(":", 1) for line in reply.decode().splitlines() if ":" in line)
            reply = {k: fields[k] for k in ("rdb_changes_since_last_save", "rdb_bgsave_in_progress",
                                            "rdb_last_bgsave_status", "rdb_saves")}  # fmt: skip
        out.append(reply)
    return out


def _both(tmp_path: Path, script: list[tuple[str, ...]], *argv: str,
          prepare: Any = None) -> dict[str, list[Any]]:  # fmt: skip
    require_tool("redis-server")
    results = {}
    for name, program in (("redis", REDIS), ("bundled", (sys.executable, "-m", "server"))):
        folder = tmp_path / name
        folder.mkdir()
        with bundled_server(folder, *argv, program=program) as (proc, port):
            if prepare is not None:
                prepare(folder)
            results[name] = _run(port, script)
            _wait_bgsave(redis.Redis(port=port))
            proc.kill()
    return results


def test_save_bgsave_replies_match_redis(tmp_path: Path) -> None:
    results = _both(tmp_path, SCRIPT)
    assert results["bundled"] == results["redis"]
    assert results["redis"][3] == b"Background saving started"
    assert results["redis"][4] == "error: Background save already in progress"


def test_failed_snapshot_refuses_writes_and_shutdown_like_redis(tmp_path: Path) -> None:
    """dump.rdb is a directory: SAVE answers ERR, BGSAVE's child fails, then writes and PING get MISCONF
    (stop-writes-on-bgsave-error), reads still work, SHUTDOWN refuses to exit without its snapshot."""
    script = [
        ("SET", "a", "1"),
        ("SAVE",),
        ("INFO", "persistence"),
        ("BGSAVE",),
        ("SLEEP",),
        ("INFO", "persistence"),
        ("SET", "a", "2"),
        ("PING",),
        ("GET", "a"),
        ("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"),
        ("SLEEP",),
        ("SET", "a", "3"),
        ("SHUTDOWN",),
    ]

    def run(port: int, s: list[tuple[str, ...]]) -> list[Any]:
        out: list[Any] = []
        for argv in s:
            if argv == ("SLEEP",):
                _wait_bgsave(redis.Redis(port=port))
                time.sleep(1.2)  # the bundled server judges stop-writes once a second
                continue
            out += _run(port, [argv])
        return out

    require_tool("redis-server")
    results = {}
    for name, program in (("redis", REDIS), ("bundled", (sys.executable, "-m", "server"))):
        folder = tmp_path / name
        folder.mkdir()
        with bundled_server(folder, "--save", "3600 1", program=program) as (proc, port):
            (folder / "dump.rdb").mkdir()
            results[name] = run(port, script)
            proc.kill()
    assert results["bundled"] == results["redis"]
    assert results["redis"][1] == "error: "  # "-ERR" on the wire (redis-py drops the ERR prefix)
    assert "Redis is configured to save RDB snapshots" in results["redis"][5]
    assert results["redis"][-1] == "error: Errors trying to SHUTDOWN. Check logs."


def test_shutdown_saves_with_save_points_and_the_restart_loads_it(tmp_path: Path) -> None:
    with bundled_server(tmp_path, "--save", "3600 1") as (proc, port):
        redis.Redis(port=port).set("kept", "yes")
        out = _stop(proc)
    assert "Saving the final RDB snapshot before exiting." in out and "DB saved on disk" in out
    with bundled_server(tmp_path) as (proc, port):
        client = redis.Redis(port=port)
        assert client.get("kept") == b"yes"
        client.set("lost", "x")
        client.shutdown(nosave=True)  # save "" here: nothing written either way
        proc.wait(timeout=20)
    with bundled_server(tmp_path, "--save", "3600 1") as (proc, port):
        client = redis.Redis(port=port)
        assert client.get("kept") == b"yes" and client.get("lost") is None
        client.set("lost", "x")
        client.shutdown(nosave=True)
        proc.wait(timeout=20)
    with bundled_server(tmp_path) as (proc, port):
        client = redis.Redis(port=port)
        assert client.get("lost") is None
        client.set("forced", "1")
        client.shutdown(save=True)  # SAVE without save points
        proc.wait(timeout=20)
    with bundled_server(tmp_path) as (proc, port):
        assert redis.Redis(port=port).get("forced") == b"1"


def test_appendonly_wins_over_dump_rdb_at_start(tmp_path: Path) -> None:
    with bundled_server(tmp_path) as (_proc, port):
        client = redis.Redis(port=port)
        client.set("from-rdb", "1")
        client.save()
    with bundled_server(tmp_path, "--appendonly", "yes") as (_, port):
        assert redis.Redis(port=port).get("from-rdb") is None


def test_a_save_point_fires_in_the_running_server(tmp_path: Path) -> None:
    with bundled_server(tmp_path, "--save", "1 2") as (proc, port):
        client = redis.Redis(port=port)
        client.set("a", "1")
        client.set("b", "2")
        for _ in range(100):
            info = client.info("persistence")
            if info["rdb_saves"] and not info["rdb_bgsave_in_progress"]:
                break
            time.sleep(0.05)
        assert info["rdb_saves"] == 1 and info["rdb_changes_since_last_save"] == 0
        assert client.lastsave().timestamp() >= time.time() - 10
        out = _stop(proc)
    assert "2 changes in 1 seconds. Saving..." in out


def test_a_damaged_dump_rdb_stops_the_start_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "dump.rdb").write_bytes(b"REDIS0010\xfa\x03ver")
    out = subprocess.run(
        [sys.executable, "-m", "server", "--port", str(_free_port()), "--dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert out.returncode == 1
    assert "Fatal error loading the DB dump.rdb" in out.stdout and "Traceback" not in out.stdout + out.stderr


def _running_children(pid: int) -> list[int]:
    """The live (not zombie) children of `pid`, from /proc."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    alive = []
    for child in map(int, text):
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if state != "Z":
            alive.append(child)
    return alive


def test_bgsave_child_holds_no_client_socket_and_the_server_keeps_answering(tmp_path: Path) -> None:
    """While the child writes 300k keys: PING is answered, and a client the server closes (QUIT) sees the
    end of its connection at once — the child closed its copies of every socket."""
    with bundled_server(tmp_path) as (proc, port):
        client = redis.Redis(port=port, socket_timeout=30)
        pipe = client.pipeline(transaction=False)
        for i in range(0, 300_000, 1000):
            pipe.execute_command("MSET", *[x for j in range(i, i + 1000) for x in (f"key:{j}", f"v{j}")])
        pipe.execute()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as other:
            assert client.bgsave()
            assert client.ping() and client.info("persistence")["rdb_bgsave_in_progress"] == 1
            other.sendall(b"QUIT\r\n")
            received = b""
            while chunk := other.recv(100):
                received += chunk
            assert received == b"+OK\r\n"
            children = _running_children(proc.pid)
        assert children, "the BGSAVE child had already ended: the check proves nothing"
        info = _wait_bgsave(client)
        assert info["rdb_last_bgsave_status"] == "ok" and info["rdb_changes_since_last_save"] == 0


def test_a_server_killed_during_bgsave_leaves_no_listener_behind(tmp_path: Path) -> None:
    """kill -9 while the child writes: the port is free at once (the child closed its copy of the
    listening socket), so a restart can bind it while the orphaned child finishes its file."""
    with bundled_server(tmp_path) as (proc, port):
        client = redis.Redis(port=port, socket_timeout=30)
        pipe = client.pipeline(transaction=False)
        for i in range(0, 300_000, 1000):
            pipe.execute_command("MSET", *[x for j in range(i, i + 1000) for x in (f"key:{j}", f"v{j}")])
        pipe.execute()
        assert client.bgsave()
        (child,) = _running_children(proc.pid)
        proc.kill()
        proc.wait(timeout=10)
        try:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
            assert Path(f"/proc/{child}").exists(), "the child had already ended: the check proves nothing"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def test_flushall_with_save_points_saves_the_empty_dataset(tmp_path: Path) -> None:
    """redis-server 7.0.15: FLUSHALL with save points writes dump.rdb at once; the change count is 0
    after it, rdb_saves unchanged. Without save points it is one more change and no file."""
    results: dict[str, list[Any]] = {}
    for name, program in (("redis", REDIS), ("bundled", (sys.executable, "-m", "server"))):
        require_tool("redis-server")
        folder = tmp_path / name
        folder.mkdir()
        with bundled_server(folder, "--save", "3600 1", program=program) as (_, port):
            client = redis.Redis(port=port)
            client.set("a", "1")
            client.flushall()
            info = client.info("persistence")
            row: list[Any] = [info["rdb_changes_since_last_save"], info["rdb_saves"]]
            row.append(len(list(open_rdb((folder / "dump.rdb").read_bytes()).entries())))
            client.config_set("save", "")
            client.set("b", "1")
            (folder / "dump.rdb").unlink()
            client.flushall()
            row += [client.info("persistence")["rdb_changes_since_last_save"], (folder / "dump.rdb").exists()]
        results[name] = row
    assert results["bundled"] == results["redis"] == [0, 0, 0, 2, False]


def _until(client: redis.Redis, field: str, value: int) -> None:
    for _ in range(3000):
        if client.info("persistence")[field] == value:
            return
        time.sleep(0.01)
    raise AssertionError(f"{field} never became {value}")


def test_one_child_at_a_time_like_redis(tmp_path: Path) -> None:
    """BGREWRITEAOF during a BGSAVE is scheduled and starts once it ends; BGSAVE during the rewrite is
    refused (or scheduled with SCHEDULE), on both servers with the same replies."""
    require_tool("redis-server")
    results: dict[str, list[Any]] = {}
    for name, program in (("redis", REDIS), ("bundled", (sys.executable, "-m", "server"))):
        folder = tmp_path / name
        folder.mkdir()
        with bundled_server(folder, "--appendonly", "yes", program=program) as (_, port):
            client = redis.Redis(port=port, socket_timeout=30)
            _until(client, "aof_rewrite_in_progress", 0)
            pipe = client.pipeline(transaction=False)
            for i in range(0, 300_000, 1000):
                pipe.execute_command("MSET", *[x for j in range(i, i + 1000) for x in (f"key:{j}", f"v{j}")])
            pipe.execute()
            row = _run(port, [("BGSAVE",), ("BGREWRITEAOF",)])
            row.append(client.info("persistence")["aof_rewrite_scheduled"])
            _until(client, "aof_rewrite_in_progress", 1)
            row += _run(port, [("BGSAVE",), ("BGSAVE", "SCHEDULE")])
            _until(client, "aof_rewrite_in_progress", 0)
            _wait_bgsave(client)
            info = client.info("persistence")
            row += [info["aof_rewrite_scheduled"], info["aof_last_bgrewrite_status"],
                    info["rdb_last_bgsave_status"]]  # fmt: skip
        results[name] = row
    assert results["bundled"] == results["redis"]
    assert results["redis"][:3] == [b"Background saving started",
                                    b"Background append only file rewriting scheduled", 1]  # fmt: skip
    assert results["redis"][3].startswith("error: Another child process is active (AOF?)")
    assert results["redis"][4:] == [b"Background saving scheduled", 0, "ok", "ok"]


def test_bgsave_works_when_the_log_stream_has_no_descriptor(tmp_path: Path) -> None:
    """An in-process server logging to a captured stdout (no fileno): the child still writes the file."""
    import io

    cfg = Config.load(None, ["--dir", str(tmp_path)])
    log = RedisLog("notice")
    log._out = io.StringIO()  # what pytest's capture looks like to the child
    ks = Keyspace(16)
    ks.db(0).set(b"k", b"v")
    snaps = Snapshots(cfg, log, ks)
    assert snaps.start_bgsave()
    snaps.reap(block=True)
    assert snaps.last_ok and (tmp_path / "dump.rdb").is_file()


def test_sigterm_whose_final_snapshot_fails_keeps_the_server_running(tmp_path: Path) -> None:
    """redis-server 7.0.15 with save points and an unwritable dump.rdb: SIGTERM logs why it cannot exit
    and keeps serving; SHUTDOWN NOSAVE then stops it."""
    with bundled_server(tmp_path, "--save", "3600 1") as (proc, port):
        (tmp_path / "dump.rdb").mkdir()
        client = redis.Redis(port=port, socket_timeout=10)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert client.ping() and proc.poll() is None
        client.shutdown(nosave=True)
        out, _ = proc.communicate(timeout=20)
    text = out.decode()
    assert "Error trying to save the DB, can't exit." in text
    assert "Errors trying to shut down the server. Check the logs for more information." in text
    assert proc.returncode == 0


def test_rdbchecksum_no_writes_a_zero_checksum_that_both_servers_load(tmp_path: Path) -> None:
    """redis-server 7.0.15 with rdbchecksum no ends dump.rdb with 8 zero bytes; so does the bundled
    server, and redis-server loads that file."""
    ks = Keyspace(16)
    ks.db(0).set(b"k", b"v")
    snaps, _ = _snapshots(tmp_path, "--rdbchecksum", "no", keyspace=ks)
    assert snaps.save()
    assert (tmp_path / "dump.rdb").read_bytes()[-8:] == bytes(8)
    require_tool("redis-server")
    with bundled_server(tmp_path, "--rdbchecksum", "no", program=REDIS) as (_, port):
        assert redis.Redis(port=port).get("k") == b"v"
