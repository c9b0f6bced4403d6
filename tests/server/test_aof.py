"""server.aof: writer, loader (truncated tails), BGREWRITEAOF by fork, redis-check-aof, kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from lab import procs
from server.aof import Aof, AofLoadError, encode_command, switch_appendonly
from server.config import Config
from server.keyspace import Keyspace
from server.log import RedisLog
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]


def _aof(tmp_path: Path, *argv: str, keyspace: Keyspace | None = None) -> tuple[Aof, Path]:
    cfg = Config.load(None, ["--dir", str(tmp_path), "--appendonly", "yes", *argv])
    log = RedisLog("notice", str(tmp_path / "server.log"))
    return Aof(cfg, log, keyspace or Keyspace(16)), tmp_path / "server.log"


def _replay(aof: Aof) -> list[list[bytes]]:
    seen: list[list[bytes]] = []
    aof.load(seen.append)
    return seen


def test_writer_selects_db_and_encodes_resp(tmp_path: Path) -> None:
    aof, _ = _aof(tmp_path, "--appendfsync", "always")
    assert _replay(aof) == []  # a missing file is an empty one
    aof.feed(0, [[b"SET", b"k", b"v"]])
    aof.feed(0, [[b"SET", b"k\r\n2", b""]])
    aof.feed(3, [[b"HSET", b"h", b"f", b"v"], [b"PEXPIREAT", b"h", b"99999999999999"]])
    assert (tmp_path / "appendonly.aof").read_bytes() == b""  # nothing before the batch ends
    aof.before_reply()
    aof.close()
    data = (tmp_path / "appendonly.aof").read_bytes()
    assert data == (
        encode_command([b"SELECT", b"0"])
        + b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
        + encode_command([b"SET", b"k\r\n2", b""])
        + encode_command([b"SELECT", b"3"])
        + encode_command([b"HSET", b"h", b"f", b"v"])
        + encode_command([b"PEXPIREAT", b"h", b"99999999999999"])
    )
    again, _ = _aof(tmp_path)
    assert _replay(again)[-1] == [b"PEXPIREAT", b"h", b"99999999999999"]
    again.close()


def test_redis_check_aof_accepts_our_file(tmp_path: Path) -> None:
    check = require_tool("redis-check-aof")
    aof, _ = _aof(tmp_path)
    aof.load(lambda argv: None)
    for i in range(50):
        aof.feed(i % 3, [[b"SET", b"key:%d" % i, os.urandom(20)]])
        aof.before_reply()
    aof.feed(0, [[b"MULTI"], [b"INCR", b"n"], [b"EXEC"]])
    aof.close()
    out = subprocess.run(
        [check, str(tmp_path / "appendonly.aof")], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "is valid" in out.stdout


def _truncated_file(tmp_path: Path) -> tuple[Path, int]:
    whole = encode_command([b"SET", b"a", b"1"]) + encode_command([b"SET", b"b", b"2"])
    path = tmp_path / "appendonly.aof"
    path.write_bytes(whole + encode_command([b"SET", b"c", b"3"])[:-5])
    return path, len(whole)


def test_truncated_tail_loads_with_warning(tmp_path: Path) -> None:
    path, whole = _truncated_file(tmp_path)
    aof, log = _aof(tmp_path, "--aof-load-truncated", "yes")
    seen: list[list[bytes]] = []
    result = aof.load(seen.append)
    aof.close()
    assert seen == [[b"SET", b"a", b"1"], [b"SET", b"b", b"2"]]
    assert (result.commands, result.size) == (2, whole)
    assert result.truncated_bytes > 0
    assert path.stat().st_size == whole  # the damaged tail is cut, as Redis does
    text = log.read_text()
    assert "!!! Warning: short read while loading the AOF file" in text
    assert f"!!! Truncating the AOF at offset {whole} !!!" in text
    assert "AOF loaded anyway because aof-load-truncated is enabled" in text


def test_truncated_tail_refused_when_not_allowed(tmp_path: Path) -> None:
    path, _ = _truncated_file(tmp_path)
    size = path.stat().st_size
    aof, _ = _aof(tmp_path, "--aof-load-truncated", "no")
    with pytest.raises(AofLoadError, match="Unexpected end of file reading the append only file") as err:
        aof.load(lambda argv: None)
    assert "redis-check-aof --fix" in str(err.value)
    assert path.stat().st_size == size  # untouched


def test_incomplete_multi_is_reverted(tmp_path: Path) -> None:
    path = tmp_path / "appendonly.aof"
    head = encode_command([b"SET", b"a", b"1"])
    path.write_bytes(head + encode_command([b"MULTI"]) + encode_command([b"INCR", b"n"]))
    aof, log = _aof(tmp_path)
    result = aof.load(lambda argv: None)
    aof.close()
    assert result.size == len(head) and path.read_bytes() == head
    assert "Revert incomplete MULTI/EXEC transaction in AOF file" in log.read_text()


def test_bad_format_is_refused_even_if_truncation_allowed(tmp_path: Path) -> None:
    (tmp_path / "appendonly.aof").write_bytes(encode_command([b"SET", b"a", b"1"]) + b"garbage\r\n")
    aof, _ = _aof(tmp_path, "--aof-load-truncated", "yes")
    with pytest.raises(AofLoadError, match="Bad file format reading the append only file"):
        aof.load(lambda argv: None)


def _finish_rewrite(aof: Aof) -> None:
    for _ in range(500):
        aof.cron()
        if not aof.info()["aof_rewrite_in_progress"]:
            return
        time.sleep(0.01)
    raise AssertionError("rewrite child did not finish")


def test_bgrewriteaof_compacts_and_keeps_writes_made_meanwhile(tmp_path: Path) -> None:
    ks = Keyspace(16)
    aof, log = _aof(tmp_path, keyspace=ks)
    aof.load(lambda argv: None)
    for i in range(200):  # many overwrites of one key: the rewrite keeps only the last value
        ks.db(0).set(b"counter", b"%d" % i)
        aof.feed(0, [[b"SET", b"counter", b"%d" % i]])
    ks.db(2).set(b"other", b"x")
    aof.feed(2, [[b"SET", b"other", b"x"]])
    aof.before_reply()
    before = (tmp_path / "appendonly.aof").stat().st_size
    assert aof.start_rewrite() is None
    assert aof.start_rewrite() == "ERR Background append only file rewriting already in progress"
    aof.feed(5, [[b"SET", b"during", b"rewrite"]])  # lands in the old file and the rewrite buffer
    aof.before_reply()
    _finish_rewrite(aof)
    aof.feed(5, [[b"SET", b"after", b"rewrite"]])
    aof.before_reply()
    aof.close()
    assert (tmp_path / "appendonly.aof").stat().st_size < before
    commands = _replay(_aof(tmp_path)[0])
    assert [b"SET", b"counter", b"199"] in commands
    assert [b"SET", b"counter", b"0"] not in commands
    assert commands[-3:] == [
        [b"SELECT", b"5"],
        [b"SET", b"during", b"rewrite"],
        [b"SET", b"after", b"rewrite"],  # the new file already selected db 5: no second SELECT
    ]
    assert not list(tmp_path.glob("temp-rewriteaof-*"))
    assert "Background AOF rewrite finished successfully" in log.read_text()


def test_appendonly_switched_on_at_run_time_writes_dataset_first(tmp_path: Path) -> None:
    ks = Keyspace(16)
    ks.db(1).set(b"existing", b"value")
    cfg = Config.load(None, ["--dir", str(tmp_path)])
    log = RedisLog("notice", str(tmp_path / "server.log"))
    assert switch_appendonly(cfg, log, ks, None) is None  # appendonly still no
    cfg.set("appendonly", "yes")
    aof = switch_appendonly(cfg, log, ks, None)
    assert aof is not None
    ks.db(1).set(b"new", b"write")
    aof.feed(1, [[b"SET", b"new", b"write"]])
    aof.before_reply()
    _finish_rewrite(aof)
    aof.feed(1, [[b"SET", b"later", b"write"]])
    aof.before_reply()
    cfg.set("appendonly", "no")
    assert switch_appendonly(cfg, log, ks, aof) is None  # closes it
    commands = _replay(_aof(tmp_path)[0])
    assert commands[:2] == [[b"SELECT", b"1"], [b"SET", b"existing", b"value"]]
    assert commands[-2:] == [[b"SET", b"new", b"write"], [b"SET", b"later", b"write"]]


# ------------------------------------------------------------------ through the real bundled server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def bundled_server(tmp_path: Path, *argv: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    cmd = [sys.executable, "-m", "server", "--port", str(port), "--dir", str(tmp_path), "--save", "", *argv]
    proc = procs.spawn(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        client = redis.Redis(port=port, socket_timeout=5, protocol=2)
        for _ in range(200):
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_server_refuses_truncated_aof_when_not_allowed(tmp_path: Path) -> None:
    _truncated_file(tmp_path)
    port = _free_port()
    out = subprocess.run(
        [sys.executable, "-m", "server", "--port", str(port), "--dir", str(tmp_path), "--appendonly", "yes",
         "--aof-load-truncated", "no"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert out.returncode == 1
    assert "Unexpected end of file reading the append only file" in out.stdout + out.stderr


def test_server_bgrewriteaof_and_restart(tmp_path: Path) -> None:
    with bundled_server(tmp_path, "--appendonly", "yes") as (proc, port):
        client = redis.Redis(port=port, socket_timeout=5)
        for i in range(100):
            client.set("k", i)
        client.hset("h", mapping={"a": "1", "b": "2"})
        client.set("ttl", "v", px=100_000)
        assert client.bgrewriteaof()
        client.sadd("s", "x")
        for _ in range(100):
            if client.info("persistence")["aof_rewrite_in_progress"] == 0:
                break
            time.sleep(0.05)
        client.rpush("l", "y")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    check = require_tool("redis-check-aof")
    out = subprocess.run(
        [check, str(tmp_path / "appendonly.aof")], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stdout
    with bundled_server(tmp_path, "--appendonly", "yes") as (_, port):
        client = redis.Redis(port=port, socket_timeout=5)
        assert client.get("k") == b"99"
        assert client.hgetall("h") == {b"a": b"1", b"b": b"2"}
        assert 0 < client.pttl("ttl") <= 100_000
        assert client.smembers("s") == {b"x"}
        assert client.lrange("l", 0, -1) == [b"y"]


def _hammer(port: int, worker: int, acked: list[int], stop: threading.Event) -> None:
    client = redis.Redis(port=port, socket_timeout=5, protocol=2)
    n = 0
    while not stop.is_set():
        try:
            client.set(f"w{worker}:{n}", n)
        except (redis.ConnectionError, redis.TimeoutError):
            return
        acked.append(n)
        n += 1


@pytest.mark.slow
def test_kill9_under_load_loses_no_acknowledged_write_with_always(tmp_path: Path) -> None:
    """Five trials: writers run, the server gets SIGKILL, a restart must hold every acknowledged SET."""
    trials, lost_total, acked_total = 5, 0, 0
    for trial in range(trials):
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        with bundled_server(folder, "--appendonly", "yes", "--appendfsync", "always") as (proc, port):
            stop = threading.Event()
            acked: list[list[int]] = [[] for _ in range(4)]
            threads = [
                threading.Thread(target=_hammer, args=(port, w, acked[w], stop), daemon=True)
                for w in range(4)
            ]
            for t in threads:
                t.start()
            while sum(len(a) for a in acked) < 300:
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=10)
        with bundled_server(folder, "--appendonly", "yes") as (_, port):
            client = redis.Redis(port=port, socket_timeout=5)
            for w, numbers in enumerate(acked):
                keys = [f"w{w}:{n}" for n in numbers]
                values = client.mget(keys) if keys else []
                lost_total += sum(v is None for v in values)
                acked_total += len(keys)
    print(f"kill -9 trials={trials} acknowledged={acked_total} lost={lost_total}")
    assert acked_total >= trials * 300
    assert lost_total == 0


def _start_fails(tmp_path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "server", "--port", str(_free_port()), "--dir", str(tmp_path),
         "--appendonly", "yes"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    return out.stdout + out.stderr


def test_server_aof_path_that_is_a_directory_is_one_fatal_line(tmp_path: Path) -> None:
    (tmp_path / "appendonly.aof").mkdir()
    text = _start_fails(tmp_path)
    assert f"Fatal error: can't open the append log file {tmp_path / 'appendonly.aof'} for reading" in text


def test_server_refuses_an_unknown_command_in_the_aof(tmp_path: Path) -> None:
    (tmp_path / "appendonly.aof").write_bytes(
        encode_command([b"SET", b"a", b"1"]) + encode_command([b"NOSUCHCMD", b"x"])
    )
    text = _start_fails(tmp_path)
    assert f"Unknown command 'NOSUCHCMD' reading the append only file {tmp_path / 'appendonly.aof'}" in text


def test_server_loads_on_past_errors_in_the_aof_and_logs_them_critical(tmp_path: Path) -> None:
    """SELECT 99 or a WRONGTYPE inside the AOF: redis-server 7.0 logs one CRITICAL line each and loads on
    in the database it was in (before: silently skipped)."""
    (tmp_path / "appendonly.aof").write_bytes(
        b"".join(encode_command(argv) for argv in (
            [b"SET", b"a", b"1"], [b"LPUSH", b"a", b"x"], [b"SELECT", b"99"], [b"SET", b"b", b"2"]))
    )  # fmt: skip
    logfile = tmp_path / "server.log"
    with bundled_server(tmp_path, "--appendonly", "yes", "--logfile", str(logfile)) as (_, port):
        client = redis.Redis(port=port, socket_timeout=5)
        assert client.mget("a", "b") == [b"1", b"2"]
    text = logfile.read_text()
    prefix = "# == CRITICAL == This server is sending an error to its AOF-loading-client: "
    assert prefix + "'DB index is out of range' after processing the command 'select'" in text
    assert prefix + "'-WRONGTYPE Operation against a key holding the wrong kind of value' after " \
        "processing the command 'lpush'" in text
