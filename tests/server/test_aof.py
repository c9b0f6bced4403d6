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
from typing import Any

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


COMMANDS_BASE = ("--aof-use-rdb-preamble", "no")  # a base of commands, which _replay() sees


def _layout(tmp_path: Path, base: bytes | None, *incrs: bytes) -> Path:
    """A multi-part AOF as Redis 7.0 names it: appendonlydir/ with a manifest, base and incr files."""
    folder = tmp_path / "appendonlydir"
    folder.mkdir()
    lines = []
    if base is not None:
        (folder / "appendonly.aof.1.base.aof").write_bytes(base)
        lines.append("file appendonly.aof.1.base.aof seq 1 type b\n")
    for seq, data in enumerate(incrs, 1):
        (folder / f"appendonly.aof.{seq}.incr.aof").write_bytes(data)
        lines.append(f"file appendonly.aof.{seq}.incr.aof seq {seq} type i\n")
    (folder / "appendonly.aof.manifest").write_text("".join(lines))
    return folder


def _commands(*argvs: list[bytes]) -> bytes:
    return b"".join(encode_command(argv) for argv in argvs)


def test_writer_selects_db_and_encodes_resp(tmp_path: Path) -> None:
    aof, log = _aof(tmp_path, "--appendfsync", "always")
    assert _replay(aof) == []  # a fresh directory: an empty base and an incr file are created
    folder = tmp_path / "appendonlydir"
    assert (folder / "appendonly.aof.manifest").read_text() == (
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    assert (folder / "appendonly.aof.1.base.rdb").read_bytes().startswith(b"REDIS0010")
    incr = folder / "appendonly.aof.1.incr.aof"
    aof.feed(0, [[b"SET", b"k", b"v"]])
    aof.feed(0, [[b"SET", b"k\r\n2", b""]])
    aof.feed(3, [[b"HSET", b"h", b"f", b"v"], [b"PEXPIREAT", b"h", b"99999999999999"]])
    assert incr.read_bytes() == b""  # nothing before the batch ends
    aof.before_reply()
    aof.close()
    assert incr.read_bytes() == _commands(
        [b"SELECT", b"0"], [b"SET", b"k", b"v"], [b"SET", b"k\r\n2", b""],
        [b"SELECT", b"3"], [b"HSET", b"h", b"f", b"v"], [b"PEXPIREAT", b"h", b"99999999999999"],
    )  # fmt: skip
    text = log.read_text()
    assert "Creating AOF base file appendonly.aof.1.base.rdb on server start" in text
    assert "Creating AOF incr file appendonly.aof.1.incr.aof on server start" in text
    again, log = _aof(tmp_path)
    assert _replay(again)[-1] == [b"PEXPIREAT", b"h", b"99999999999999"]
    again.close()
    assert "Opening AOF incr file appendonly.aof.1.incr.aof on server start" in log.read_text()


def test_redis_check_aof_accepts_our_directory(tmp_path: Path) -> None:
    check = require_tool("redis-check-aof")
    ks = Keyspace(16)
    for preamble in ("yes", "no"):
        folder = tmp_path / preamble
        folder.mkdir()
        aof, _ = _aof(folder, "--aof-use-rdb-preamble", preamble, keyspace=ks)
        aof.load(lambda argv: None)
        for i in range(50):
            ks.db(i % 3).set(b"key:%d" % i, os.urandom(20))
            aof.feed(i % 3, [[b"SET", b"key:%d" % i, os.urandom(20)]])
            aof.before_reply()
        aof.feed(0, [[b"MULTI"], [b"INCR", b"n"], [b"EXEC"]])
        assert aof.start_rewrite() is None
        _finish_rewrite(aof)
        aof.close()
        manifest = folder / "appendonlydir" / "appendonly.aof.manifest"
        out = subprocess.run([check, str(manifest)], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "All AOF files and manifest are valid" in out.stdout


def _truncated(tmp_path: Path) -> tuple[Path, int]:
    whole = _commands([b"SET", b"a", b"1"], [b"SET", b"b", b"2"])
    folder = _layout(
        tmp_path, _commands([b"SET", b"base", b"1"]), whole + encode_command([b"SET", b"c", b"3"])[:-5]
    )
    return folder / "appendonly.aof.1.incr.aof", len(whole)


def test_truncated_tail_loads_with_warning(tmp_path: Path) -> None:
    path, whole = _truncated(tmp_path)
    aof, log = _aof(tmp_path, "--aof-load-truncated", "yes")
    seen: list[list[bytes]] = []
    result = aof.load(seen.append)
    aof.close()
    assert seen == [[b"SET", b"base", b"1"], [b"SET", b"a", b"1"], [b"SET", b"b", b"2"]]
    assert (result.files, result.commands) == (2, 3)
    assert result.truncated_bytes > 0
    assert path.stat().st_size == whole  # the damaged tail is cut, as Redis does
    text = log.read_text()
    assert "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!" in text
    assert f"!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {whole} !!!" in text
    assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled" in text
    assert "DB loaded from base file appendonly.aof.1.base.aof" in text
    assert "DB loaded from incr file appendonly.aof.1.incr.aof" in text


def test_truncated_tail_refused_when_not_allowed(tmp_path: Path) -> None:
    path, _ = _truncated(tmp_path)
    size = path.stat().st_size
    aof, _ = _aof(tmp_path, "--aof-load-truncated", "no")
    with pytest.raises(AofLoadError) as err:
        aof.load(lambda argv: None)
    assert str(err.value).startswith(
        "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: "
        "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>."
    )
    assert path.stat().st_size == size  # untouched


def test_truncated_file_that_is_not_the_last_is_refused(tmp_path: Path) -> None:
    cut = encode_command([b"SET", b"x", b"1"])[:-3]
    folder = _layout(tmp_path, cut, encode_command([b"SET", b"z", b"v"]))
    aof, _ = _aof(tmp_path, "--aof-load-truncated", "yes")
    with pytest.raises(AofLoadError, match="Fatal error: the truncated file is not the last file"):
        aof.load(lambda argv: None)
    assert (folder / "appendonly.aof.1.base.aof").read_bytes() == cut  # left as it was


def test_incomplete_multi_is_reverted(tmp_path: Path) -> None:
    head = encode_command([b"SET", b"a", b"1"])
    folder = _layout(tmp_path, None, head + _commands([b"MULTI"], [b"INCR", b"n"]))
    aof, log = _aof(tmp_path)
    result = aof.load(lambda argv: None)
    aof.close()
    assert result.commands == 3 and (folder / "appendonly.aof.1.incr.aof").read_bytes() == head
    text = log.read_text()  # as redis-server 7.0.15 logs the same file:
    assert "# Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof" in text
    assert "# !!! Truncating the AOF appendonly.aof.1.incr.aof at offset 27 !!!" in text


def test_bad_format_is_refused_even_if_truncation_allowed(tmp_path: Path) -> None:
    _layout(tmp_path, encode_command([b"SET", b"a", b"1"]) + b"garbage\r\n")
    aof, _ = _aof(tmp_path, "--aof-load-truncated", "yes")
    with pytest.raises(AofLoadError) as err:
        aof.load(lambda argv: None)
    assert str(err.value) == (
        "Bad file format reading the append only file appendonly.aof.1.base.aof: make a backup of your AOF "
        "file, then use ./redis-check-aof --fix <filename.manifest>"
    )


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("garbage\n", "Invalid AOF manifest file format"),
        ("file a seq 1 type x\n", "Unknown AOF file type"),
        ("file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"),
        ("file a seq 2 type i\nfile b seq 1 type i\n", "Found a non-monotonic sequence number"),
        ("", "Found an empty AOF manifest"),
    ],
)
def test_broken_manifest_is_refused_with_redis_words(tmp_path: Path, manifest: str, message: str) -> None:
    """The messages redis-server 7.0.15 logs for the same manifests (after the line: >>> '...')."""
    folder = tmp_path / "appendonlydir"
    folder.mkdir()
    (folder / "appendonly.aof.manifest").write_text(manifest)
    aof, _ = _aof(tmp_path)
    with pytest.raises(AofLoadError) as err:
        aof.load(lambda argv: None)
    assert str(err.value).splitlines()[-1] == message
    assert str(err.value).startswith(">>> '")


def test_missing_file_named_in_the_manifest_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "appendonlydir"
    folder.mkdir()
    (folder / "appendonly.aof.manifest").write_text("file appendonly.aof.1.base.rdb seq 1 type b\n")
    aof, _ = _aof(tmp_path)
    with pytest.raises(AofLoadError) as err:
        aof.load(lambda argv: None)
    assert (
        str(err.value)
        == "Unable to obtain the AOF file appendonly.aof.1.base.rdb length. stat: No such file or directory"
    )


def test_old_single_file_is_migrated_into_the_directory(tmp_path: Path) -> None:
    """Redis 7's upgrade path: dir/appendonly.aof becomes the base of appendonlydir/, then an incr file."""
    (tmp_path / "appendonly.aof").write_bytes(encode_command([b"SET", b"old", b"1"]))
    aof, log = _aof(tmp_path)
    assert _replay(aof) == [[b"SET", b"old", b"1"]]
    aof.close()
    assert not (tmp_path / "appendonly.aof").exists()
    assert (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text() == (
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    assert (
        "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir)."
        in (log.read_text())
    )


def _finish_rewrite(aof: Aof) -> None:
    for _ in range(500):
        aof.cron()
        if not aof.info()["aof_rewrite_in_progress"]:
            return
        time.sleep(0.01)
    raise AssertionError("rewrite child did not finish")


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_bgrewriteaof_compacts_and_keeps_writes_made_meanwhile(tmp_path: Path, preamble: str) -> None:
    ks = Keyspace(16)
    aof, log = _aof(tmp_path, "--aof-use-rdb-preamble", preamble, keyspace=ks)
    aof.load(lambda argv: None)
    for i in range(200):  # many overwrites of one key: the rewrite keeps only the last value
        ks.db(0).set(b"counter", b"%d" % i)
        aof.feed(0, [[b"SET", b"counter", b"%d" % i]])
    ks.db(2).set(b"other", b"x")
    aof.feed(2, [[b"SET", b"other", b"x"]])
    aof.before_reply()
    assert aof.start_rewrite() is None
    assert aof.start_rewrite() == "ERR Background append only file rewriting already in progress"
    aof.feed(5, [[b"SET", b"during", b"rewrite"]])  # lands in the incr file opened for the rewrite
    aof.before_reply()
    _finish_rewrite(aof)
    aof.feed(5, [[b"SET", b"after", b"rewrite"]])
    aof.before_reply()
    aof.close()
    suffix = "rdb" if preamble == "yes" else "aof"
    folder = tmp_path / "appendonlydir"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"appendonly.aof.2.base.{suffix}",
        "appendonly.aof.2.incr.aof",
        "appendonly.aof.manifest",
    ]  # the history files are gone
    assert (folder / "appendonly.aof.2.incr.aof").read_bytes() == _commands(
        [b"SELECT", b"5"], [b"SET", b"during", b"rewrite"], [b"SET", b"after", b"rewrite"]
    )
    fresh = Keyspace(16)
    again, _ = _aof(tmp_path, keyspace=fresh)
    commands = _replay(again)
    again.close()
    if preamble == "no":
        assert [b"SET", b"counter", b"199"] in commands and [b"SET", b"counter", b"0"] not in commands
    else:
        assert fresh.db(0).lookup(b"counter") == b"199" and fresh.db(2).lookup(b"other") == b"x"
    assert commands[-3:] == [
        [b"SELECT", b"5"],
        [b"SET", b"during", b"rewrite"],
        [b"SET", b"after", b"rewrite"],
    ]
    assert not list(tmp_path.glob("temp-rewriteaof-*"))
    text = log.read_text()
    assert "Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite" in text
    assert "Removing the history file appendonly.aof.1.incr.aof in the background" in text
    assert "Background AOF rewrite finished successfully" in text


def test_appendonly_switched_on_at_run_time_writes_dataset_first(tmp_path: Path) -> None:
    ks = Keyspace(16)
    ks.db(1).set(b"existing", b"value")
    cfg = Config.load(None, ["--dir", str(tmp_path), *COMMANDS_BASE])
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
    assert (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text() == (
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    commands = _replay(_aof(tmp_path)[0])
    assert commands[:2] == [[b"SELECT", b"1"], [b"SET", b"existing", b"value"]]
    assert commands[-3:] == [[b"SELECT", b"1"], [b"SET", b"new", b"write"], [b"SET", b"later", b"write"]]


# ------------------------------------------------------------------ through the real bundled server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def bundled_server(
    tmp_path: Path, *argv: str, program: tuple[str, ...] = (sys.executable, "-m", "server")
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """The bundled server (or `program`, e.g. redis-server) on a free port with `dir` tmp_path."""
    port = _free_port()
    cmd = [*program, "--port", str(port), "--dir", str(tmp_path), "--save", "", *argv]
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
    _truncated(tmp_path)
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
    manifest = tmp_path / "appendonlydir" / "appendonly.aof.manifest"
    out = subprocess.run([check, str(manifest)], capture_output=True, text=True, timeout=30)
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


def test_server_aof_file_that_is_a_directory_is_one_fatal_line(tmp_path: Path) -> None:
    folder = _layout(tmp_path, None)
    (folder / "appendonly.aof.manifest").write_text("file appendonly.aof.1.incr.aof seq 1 type i\n")
    (folder / "appendonly.aof.1.incr.aof").mkdir()
    text = _start_fails(tmp_path)
    assert (
        "Unrecoverable error reading the append only file appendonly.aof.1.incr.aof: Is a directory" in text
    )


def test_server_aof_directory_that_is_a_file_is_one_fatal_line(tmp_path: Path) -> None:
    (tmp_path / "appendonlydir").write_bytes(b"")
    text = _start_fails(tmp_path)
    assert "Can't open or create append-only dir appendonlydir: Not a directory" in text


def test_server_refuses_an_unknown_command_in_the_aof(tmp_path: Path) -> None:
    """redis-server 7.0.15 on the same directory: `# Unknown command 'FOOBAR' reading the append only
    file appendonly.aof.1.incr.aof`, exit code 1."""
    _layout(tmp_path, _commands([b"SET", b"a", b"1"]), _commands([b"SET", b"b", b"1"], [b"NOSUCHCMD", b"x"]))
    text = _start_fails(tmp_path)
    assert "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof" in text


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
    assert (
        prefix + "'-WRONGTYPE Operation against a key holding the wrong kind of value' after "
        "processing the command 'lpush'" in text
    )


def _content(client: redis.Redis, kind: bytes, key: bytes) -> object:
    if kind == b"string":
        return client.get(key)
    if kind == b"list":
        return client.lrange(key, 0, -1)
    if kind == b"set":
        return sorted(client.smembers(key))
    if kind == b"hash":
        return client.hgetall(key)
    assert kind == b"zset", kind
    return client.zrange(key, 0, -1, withscores=True)


def _dataset(port: int) -> dict[tuple[int, bytes], object]:
    """Every key of every database with its type, content and whether it has a TTL."""
    found: dict[tuple[int, bytes], object] = {}
    for db in range(16):
        client = redis.Redis(port=port, db=db, socket_timeout=5, protocol=2)
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            found[(db, key)] = (kind, _content(client, kind, key), client.pttl(key) > 0)
    return found


def _fill(port: int) -> None:
    """Every type in both encodings, an expiry, two databases, a MULTI."""
    client = redis.Redis(port=port, socket_timeout=5, protocol=2)
    client.set("str", "v")
    client.set("int", 12345)
    client.set("long", "x" * 300)  # LZF in an RDB
    client.set("ttl", "t", px=3_600_000)
    client.rpush("list", *range(5))
    client.rpush("biglist", *(f"item-{i}" for i in range(300)))
    client.sadd("intset", 1, 2, 3)
    client.sadd("set", "a", "b", *(f"m{i}" for i in range(200)))
    client.hset("hash", mapping={"f": "v", "g": "w"})
    client.hset("bighash", mapping={f"f{i}": "v" * 70 for i in range(5)})
    client.zadd("zset", {"m": 1.5, "n": -2})
    client.zadd("bigzset", {f"m{i}": i / 3 for i in range(200)})
    other = redis.Redis(port=port, db=3, socket_timeout=5, protocol=2)
    other.set("in-db-3", "yes")
    with client.pipeline(transaction=True) as pipe:
        pipe.incr("counter").incr("counter").execute()


def _rewrite_and_write_more(port: int) -> None:
    client = redis.Redis(port=port, socket_timeout=5, protocol=2)
    assert client.bgrewriteaof()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info.get("aof_rewrite_scheduled"):
            break
        time.sleep(0.05)
    assert client.info("persistence")["aof_last_bgrewrite_status"] == "ok"
    client.set("after-rewrite", "in the incr file")
    client.delete("str")


@pytest.mark.parametrize(
    ("writer", "preamble", "timestamps"),
    [
        ("redis-server", "yes", "no"),
        ("redis-server", "no", "yes"),
        ("bundled", "yes", "no"),
        ("bundled", "no", "yes"),
    ],
)
def test_multi_part_aof_moves_between_redis_server_and_the_bundled_server(
    tmp_path: Path, writer: str, preamble: str, timestamps: str
) -> None:
    """One server writes a Redis 7 AOF directory (base from a rewrite, then an incr file); the other
    starts from it and holds the same keys, values and TTLs (before: the bundled server started with
    0 keys from a Redis 7 directory, and Redis 7 could not read its single file as a directory)."""
    redis_server = require_tool("redis-server")
    programs = {"redis-server": (redis_server,), "bundled": (sys.executable, "-m", "server")}
    reader = "bundled" if writer == "redis-server" else "redis-server"
    argv = ("--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--aof-timestamp-enabled", timestamps)
    with bundled_server(tmp_path, *argv, program=programs[writer]) as (_, port):
        _fill(port)
        _rewrite_and_write_more(port)
        written = _dataset(port)
        redis.Redis(port=port, socket_timeout=5).shutdown()
    suffix = "rdb" if preamble == "yes" else "aof"
    manifest = (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text()
    assert (
        manifest
        == f"file appendonly.aof.2.base.{suffix} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    )
    assert len(written) == 14 and (0, b"after-rewrite") in written and (0, b"str") not in written
    if timestamps == "yes":  # "#TS:<unix time>" annotations, as Redis writes them; loading skips them
        assert b"#TS:" in (tmp_path / "appendonlydir" / "appendonly.aof.2.base.aof").read_bytes()
    with bundled_server(tmp_path, *argv, program=programs[reader]) as (_, port):
        assert _dataset(port) == written


def test_damaged_rdb_base_is_refused_naming_the_file(tmp_path: Path) -> None:
    from server.rdb import Encodings
    from server.rdb_file import base_aux, write_rdb

    data = bytearray(b"".join(write_rdb([(0, [(b"k", b"value", None)])], Encodings(), base_aux("7.0.15", 0))))
    folder = tmp_path / "appendonlydir"
    folder.mkdir()
    (folder / "appendonly.aof.manifest").write_text("file appendonly.aof.1.base.rdb seq 1 type b\n")
    (folder / "appendonly.aof.1.base.rdb").write_bytes(bytes(data))
    ks = Keyspace(16)
    aof, _ = _aof(tmp_path, keyspace=ks)
    assert aof.load(lambda argv: None).keys == 1 and ks.db(0).lookup(b"k") == b"value"
    aof.close()
    data[-12] ^= 0xFF  # inside the value: the checksum no longer matches
    (folder / "appendonly.aof.1.base.rdb").write_bytes(bytes(data))
    aof, _ = _aof(tmp_path, keyspace=Keyspace(16))
    with pytest.raises(AofLoadError) as err:
        aof.load(lambda argv: None)
    assert (
        str(err.value)
        == "Bad file format reading the RDB base file appendonly.aof.1.base.rdb: wrong RDB checksum"
    )


def test_appenddirname_and_appendfilename_name_the_parts(tmp_path: Path) -> None:
    """As redis-server 7.0.15 names them with `appenddirname d2` `appendfilename my.aof` (preamble no)."""
    aof, _ = _aof(tmp_path, "--appenddirname", "d2", "--appendfilename", "my.aof", *COMMANDS_BASE)
    aof.load(lambda argv: None)
    aof.close()
    folder = tmp_path / "d2"
    assert sorted(p.name for p in folder.iterdir()) == [
        "my.aof.1.base.aof",
        "my.aof.1.incr.aof",
        "my.aof.manifest",
    ]
    assert (folder / "my.aof.manifest").read_text() == (
        "file my.aof.1.base.aof seq 1 type b\nfile my.aof.1.incr.aof seq 1 type i\n"
    )
    assert (folder / "my.aof.1.base.aof").read_bytes() == b""


def test_appendonly_switched_on_at_run_time_is_read_by_redis_server(tmp_path: Path) -> None:
    """CONFIG SET appendonly yes: the dataset becomes the first base, later writes the first incr file;
    redis-server starts from that directory with the same keys."""
    redis_server = require_tool("redis-server")
    with bundled_server(tmp_path, "--appendonly", "no") as (_, port):
        _fill(port)
        client = redis.Redis(port=port, socket_timeout=5, protocol=2)
        assert client.config_set("appendonly", "yes")
        deadline = time.monotonic() + 30
        while client.info("persistence")["aof_rewrites"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        client.set("after-switch", "1")
        written = _dataset(port)
        client.shutdown()
    assert (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text() == (
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    )
    with bundled_server(tmp_path, "--appendonly", "yes", program=(redis_server,)) as (_, port):
        assert _dataset(port) == written


def _wait_rewrites(client: redis.Redis, at_least: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        info = client.info("persistence")
        done = info["aof_rewrites"] >= at_least and not info["aof_rewrite_in_progress"]
        if done or time.monotonic() > deadline:
            return info
        time.sleep(0.05)


@pytest.mark.parametrize("target", ["bundled", "redis-server"])
def test_automatic_rewrite_on_growth_over_min_size(tmp_path: Path, target: str) -> None:
    """auto-aof-rewrite-percentage 0 never rewrites; 100 rewrites once the AOF is above min-size and
    twice its size after the last rewrite; the rewritten AOF holds the same data, and aof_base_size is
    the size right after the rewrite (base + what was written meanwhile), as redis-server reports it."""
    bundled = (sys.executable, "-m", "server")
    program = (require_tool("redis-server"),) if target == "redis-server" else bundled
    argv = ("--appendonly", "yes", "--auto-aof-rewrite-percentage", "0", "--auto-aof-rewrite-min-size", "1kb")
    with bundled_server(tmp_path, *argv, program=program) as (_, port):
        client = redis.Redis(port=port, socket_timeout=5, protocol=2)
        for i in range(300):
            client.set(f"k{i % 20}", f"value-{i}-" + "v" * 20)
        info = _wait_rewrites(client, 1, 2.5)  # two cron seconds: nothing may start
        assert info["aof_rewrites"] == 0 and info["aof_current_size"] > 1024, info
        assert client.config_set("auto-aof-rewrite-percentage", "100")
        info = _wait_rewrites(client, 1, 15)
        assert info["aof_rewrites"] == 1, info
        assert 0 < info["aof_base_size"] == info["aof_current_size"] < 1024, info
        written = _dataset(port)
        assert written[(0, b"k19")] == (b"string", b"value-299-" + b"v" * 20, False)
        for i in range(300):  # grows far past twice the rewritten size: a second rewrite
            client.set(f"k{i % 20}", f"again-{i}")
        info = _wait_rewrites(client, 2, 15)
        assert info["aof_rewrites"] >= 2, info
        written = _dataset(port)
        client.shutdown()
    with bundled_server(tmp_path, "--appendonly", "yes", program=program) as (_, port):
        assert _dataset(port) == written and len(written) == 20


def test_automatic_rewrite_waits_for_a_bgsave_and_backs_off_after_failures(tmp_path: Path) -> None:
    aof, log = _aof(tmp_path, "--auto-aof-rewrite-min-size", "100")
    aof.load(lambda argv: None)
    for i in range(20):
        aof.feed(0, [[b"SET", b"k", b"%d" % i]])
    aof.before_reply()
    assert aof.current_size() > 100 and aof.base_size == 0
    aof.cron(other_child=True)  # a BGSAVE child runs: one child at a time
    assert not aof.rewriting
    aof.consecutive_failures = 3  # three failed rewrites in a row: the next automatic one waits a minute
    aof.cron()
    assert not aof.rewriting and aof.info()["aof_rewrites_consecutive_failures"] == 3
    assert "repeatedly failed and triggered the limit, will retry in 1 minutes" in log.read_text()
    aof.consecutive_failures = 0
    aof.cron()
    assert aof.rewriting
    _finish_rewrite(aof)
    assert aof.rewrites == 1 and aof.base_size == aof.current_size() > 0
    assert "Starting automatic rewriting of AOF on " in log.read_text()
    aof.close()
