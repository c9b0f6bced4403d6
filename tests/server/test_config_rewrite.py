"""CONFIG REWRITE: the file keeps its comments, gets the running values, and loads again, here and in
redis-server 7.0 (a config line must start real Redis as written)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from lab import procs
from lab.targets import TargetSpec, start_target
from server.config import Config
from server.config_rewrite import GENERATED, rewrite_text
from tests.server.rawresp import RawClient


def test_rewrite_replaces_first_line_drops_repeats_and_appends_changes(tmp_path: Path) -> None:
    conf = tmp_path / "redis.conf"
    conf.write_text("# my comment\nport 7000\nhz 20\nhz 30\n\nmaxmemory 10mb\n")
    cfg = Config.load(str(conf))
    cfg.set("hz", "15")
    cfg.set("maxmemory-policy", "allkeys-lru")
    cfg.set("hash-max-ziplist-entries", "64")  # an alias: written under its canonical name
    text = rewrite_text(cfg, conf.read_text(), ["user alice on nopass ~* &* +@all"])
    lines = text.splitlines()
    assert lines[:3] == ["# my comment", "port 7000", "hz 15"]
    assert "hz 30" not in lines and "maxmemory 10485760" in lines
    tail = lines[lines.index(GENERATED) + 1 :]
    assert {
        "maxmemory-policy allkeys-lru",
        "hash-max-listpack-entries 64",
        "user alice on nopass ~* &* +@all",
    } <= set(tail)
    conf.write_text(text)
    again = Config.load(str(conf))
    assert (again["hz"], again["maxmemory-policy"], again["hash-max-listpack-entries"]) == (
        15,
        "allkeys-lru",
        64,
    )
    assert rewrite_text(again, text, ["user alice on nopass ~* &* +@all"]) == text  # a fixed point


def test_config_rewrite_live_and_redis_server_starts_from_the_result(tmp_path: Path) -> None:
    with start_target(TargetSpec(kind="bundled", plaintext=True, tls=False), tmp_path / "b") as target:
        assert target.port is not None
        with RawClient(target.host, target.port) as c:
            assert c.call("CONFIG", "SET", "maxmemory", "2mb") == ("+", b"OK")
            assert c.call("ACL", "SETUSER", "bob", "on", ">pw", "~app:*", "+get") == ("+", b"OK")
            assert c.call("CONFIG", "REWRITE") == ("+", b"OK")
        conf = target.conf_path
        text = conf.read_text()
        assert "maxmemory 2097152" in text and "user bob on #" in text
        assert Config.load(str(conf))["maxmemory"] == 2097152
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    # The rewritten file must start redis-server 7.0 as written: it runs until killed, or names a bad line.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    argv = [binary, str(conf), "--port", port, "--save", ""]
    proc = procs.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return
    pytest.fail(f"redis-server refused the rewritten file: {out}")


def test_config_rewrite_without_a_file(tmp_path: Path) -> None:
    from server.commands.diagnostics import config_rewrite  # noqa: F401  (declared, reachable)

    cfg = Config.load(None)
    assert cfg.path is None
