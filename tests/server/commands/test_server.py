"""Server family with real clients: INFO, CONFIG, COMMAND (as redis-py and redis-cli use it), TIME,
MONITOR, BGREWRITEAOF, and redis-benchmark (plain and --tls) running cleanly against the bundled server."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.conftest import require_tool
from tests.server.conftest import StartBundled
from tests.server.rawresp import RawClient


def client(target: RunningTarget, protocol: int = 2) -> redis.Redis:
    port = target.port or 0
    return redis.Redis(port=port, protocol=protocol, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def test_info_sections(bundled: RunningTarget) -> None:
    r = client(bundled)
    r.set("info:k", "v", ex=100)
    everything = r.info("everything")
    assert everything["redis_version"] == "7.0.15" and everything["tcp_port"] == bundled.port
    assert everything["tls_port"] == bundled.tls_port and everything["implementation"] == "redis-tls-lab"
    assert everything["connected_clients"] >= 1 and everything["aof_enabled"] == 0
    assert {"tls_handshakes_full", "tls_handshakes_resumed", "tls_handshakes_failed"} <= set(everything)
    assert everything["db0"]["keys"] >= 1 and everything["db0"]["expires"] >= 1
    assert set(r.info("keyspace")) == {"db0"}
    assert r.info("nosuchsection") == {}
    with socket.create_connection(("127.0.0.1", bundled.port or 0), timeout=5) as s:
        s.sendall(b"INFO server clients\r\n")
        time.sleep(0.2)
        text = s.recv(65536)
    assert text.startswith(b"$") and b"\r\n# Server\r\n" in text and b"\r\n\r\n# Clients\r\n" in text


def test_info_is_verbatim_in_resp3(bundled: RunningTarget) -> None:
    with socket.create_connection(("127.0.0.1", bundled.port or 0), timeout=5) as s:
        s.sendall(b"HELLO 3\r\nINFO cluster\r\n")
        time.sleep(0.2)
        assert s.recv(65536).endswith(b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n")


def test_config_get_set_resetstat(start_bundled: StartBundled) -> None:
    target = start_bundled()
    r = client(target)
    assert r.config_get("port") == {"port": str(target.port)}
    assert r.config_get("tls-session-cache-*") == {"tls-session-cache-size": "20480",
                                                   "tls-session-cache-timeout": "300"}  # fmt: skip
    assert r.config_set("maxclients", "123") is True
    assert r.config_get("maxclients") == {"maxclients": "123"}
    with pytest.raises(redis.ResponseError, match="Unknown option or number of arguments for CONFIG SET"):
        r.config_set("nope", "1")
    r.ping()
    assert int(r.info("stats")["total_commands_processed"]) > 0
    assert r.config_resetstat() is True
    assert int(r.info("stats")["total_commands_processed"]) <= 1
    r3 = client(target, protocol=3)
    assert r3.execute_command("CONFIG", "GET", "bind") == {b"bind": b"127.0.0.1"}


def test_config_set_requirepass_applies_to_new_connections(start_bundled: StartBundled) -> None:
    target = start_bundled()
    r = client(target)
    r.config_set("requirepass", "later")
    assert r.ping() is True  # this connection stays authenticated, as in Redis
    with pytest.raises(redis.AuthenticationError):
        client(target).ping()
    assert redis.Redis(port=target.port or 0, password="later", socket_timeout=5).ping() is True


def test_command_for_clients(bundled: RunningTarget) -> None:
    r = client(bundled)
    count = r.command_count()
    table = r.command()  # redis-py parses every entry (name, arity, flags, keys, ...)
    assert len(table) == count and count > 80
    assert table["get"]["arity"] == 2 and "readonly" in table["get"]["flags"]
    assert table["get"]["first_key_pos"] == 1
    with RawClient("127.0.0.1", bundled.port or 0) as raw:
        _, (get, missing) = raw.call("COMMAND", "INFO", "get", "nosuchcmd")
        assert get == ("*", (("$", b"get"), (":", 2), ("*", (("+", b"fast"), ("+", b"readonly"))),
                             (":", 1), (":", 1), (":", 1), *get[1][6:]))  # fmt: skip
        assert missing == ("$", None)
        entry = raw.call("COMMAND", "INFO", "client")[1][0][1]
        assert ("$", b"client|setname") in [sub[1][0] for sub in entry[9][1]]
        docs = raw.call("COMMAND", "DOCS", "set")[1]
        assert docs[0] == ("$", b"set") and ("$", b"summary") in docs[1][1]


def test_redis_cli_command_docs_and_info(bundled: RunningTarget) -> None:
    cli = require_tool("redis-cli")
    run = subprocess.run([cli, "-p", str(bundled.port), "COMMAND", "DOCS", "get"], capture_output=True,
                         text=True, timeout=10)  # fmt: skip
    assert "summary" in run.stdout and "group" in run.stdout
    run = subprocess.run([cli, "-p", str(bundled.port), "--no-raw", "INFO", "keyspace"], capture_output=True,
                         text=True, timeout=10)  # fmt: skip
    assert run.returncode == 0 and "# Keyspace" in run.stdout


def test_time(bundled: RunningTarget) -> None:
    seconds, micros = client(bundled).time()
    assert abs(seconds - time.time()) < 5 and 0 <= micros < 1_000_000


def test_monitor_sees_other_clients(bundled: RunningTarget) -> None:
    with socket.create_connection(("127.0.0.1", bundled.port or 0), timeout=5) as watcher:
        watcher.sendall(b"MONITOR\r\n")
        assert watcher.recv(100) == b"+OK\r\n"
        r = client(bundled)
        r.set("mon:key", "va lue")
        r.execute_command("AUTH", "default", "topsecret")
        time.sleep(0.2)
        seen = watcher.recv(65536)
    assert b'"set" "mon:key" "va lue"' in seen.lower()
    assert b"topsecret" not in seen and b'"(redacted)"' in seen


def test_bgrewriteaof(start_bundled: StartBundled) -> None:
    target = start_bundled(appendonly=True)
    r = client(target)
    for i in range(100):
        r.incr("counter")
        r.set(f"k{i}", i)
    assert r.bgrewriteaof() is True
    deadline = time.monotonic() + 10
    while int(r.info("persistence")["aof_rewrite_in_progress"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert r.info("persistence")["aof_last_bgrewrite_status"] == "ok"
    check = require_tool("redis-check-aof")
    folder = target.dir / "appendonlydir"
    time.sleep(1.2)  # appendfsync everysec: the tail reaches the file within a second
    done = subprocess.run([check, str(folder / "appendonly.aof.manifest")], capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    assert "All AOF files and manifest are valid" in done.stdout, done.stdout + done.stderr
    assert [p.name for p in folder.glob("*.base.*")] == ["appendonly.aof.2.base.rdb"]  # the rewrite's
    assert b"INCR" not in (folder / "appendonly.aof.2.incr.aof").read_bytes()


def test_bgrewriteaof_needs_appendonly(bundled: RunningTarget) -> None:
    with pytest.raises(redis.ResponseError, match="appendonly yes"):
        client(bundled).bgrewriteaof()


def test_shutdown_syntax(bundled: RunningTarget) -> None:
    r = client(bundled)
    for bad in (("SHUTDOWN", "SAVE", "NOSAVE"), ("SHUTDOWN", "foo"), ("SHUTDOWN", "ABORT", "NOW")):
        with pytest.raises(redis.ResponseError, match="syntax error"):
            r.execute_command(*bad)
    with pytest.raises(redis.ResponseError, match="No shutdown in progress"):
        r.execute_command("SHUTDOWN", "ABORT")
    assert r.ping() is True


@pytest.mark.parametrize("tls", [False, True])
def test_redis_benchmark(bundled: RunningTarget, lab_pki: LabPKI, tls: bool) -> None:
    bench = require_tool("redis-benchmark")
    args = [bench, "-h", "127.0.0.1", "-c", "10", "-n", "2000", "-d", "16", "-t", "set,get,incr,lpush,hset",
            "--csv"]  # fmt: skip
    if tls:
        args += ["-p", str(bundled.tls_port), "--tls", "--cacert", str(lab_pki.ca_cert),
                 "--cert", str(lab_pki.client.cert), "--key", str(lab_pki.client.key)]  # fmt: skip
    else:
        args += ["-p", str(bundled.port), "-P", "16"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [line.split(",")[0].strip('"') for line in done.stdout.splitlines()[1:]]
    assert {"SET", "GET", "INCR", "LPUSH", "HSET"} <= set(rows), done.stdout
