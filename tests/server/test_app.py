"""server.app / server.__main__: start-up, refusal with Redis's words, signals, AOF across restarts, cron."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from lab.pki import LabPKI
from lab.targets import TargetSpec, start_target
from tests.server.conftest import StartBundled


def run_server(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A start that must fail: `python -m server ...` run to its end (bounded by a timeout)."""
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)  # fmt: skip


def test_tls_port_without_certificate_refuses_to_start(tmp_path: Path) -> None:
    done = run_server("--port", "0", "--tls-port", "7", "--save", "", cwd=tmp_path)
    assert done.returncode == 1
    assert "# No tls-cert-file configured!" in done.stdout
    assert "# Failed to configure TLS. Check logs for more info." in done.stdout


def test_client_auth_without_ca_refuses_to_start(tmp_path: Path, lab_pki: LabPKI) -> None:
    done = run_server("--port", "0", "--tls-port", "7", "--tls-cert-file", str(lab_pki.server.cert),
                      "--tls-key-file", str(lab_pki.server.key), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert ("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!") in done.stdout  # fmt: skip


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_server("--port", str(port), cwd=tmp_path)
    assert done.returncode == 1
    want = f"Could not create server TCP listening socket 127.0.0.1:{port}: bind: Address already in use"
    assert want in done.stdout
    assert f"Failed listening on port {port} (TCP), aborting." in done.stdout


def test_no_listener_at_all(tmp_path: Path) -> None:
    done = run_server("--port", "0", cwd=tmp_path)
    assert done.returncode == 1
    assert "Configured to not listen anywhere, exiting." in done.stdout


def test_bad_config_file(tmp_path: Path) -> None:
    conf = tmp_path / "redis.conf"
    conf.write_text("port 7000\nmaxclients lots\n")
    done = run_server(str(conf), cwd=tmp_path)
    assert done.returncode == 1
    assert "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" in done.stderr
    assert ">>> 'maxclients lots'" in done.stderr


def test_version_and_help(tmp_path: Path) -> None:
    assert run_server("--version", cwd=tmp_path).stdout.startswith("Redis server v=7.0.15")
    assert "Usage: python -m server" in run_server("--help", cwd=tmp_path).stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(start_bundled: StartBundled, sig: signal.Signals) -> None:
    target = start_bundled(tls=True)
    log = target.log_text()
    assert "Ready to accept connections tcp" in log and "Ready to accept connections tls" in log
    assert target.kill(sig) == 0
    log = target.log_text()
    assert f"Received {sig.name} scheduling shutdown..." in log
    assert log.rstrip().endswith("Redis is now ready to exit, bye bye...")


def test_shutdown_command(start_bundled: StartBundled) -> None:
    target = start_bundled()
    client = redis.Redis(port=target.port or 0, socket_timeout=5)
    client.shutdown(nosave=True)  # redis-py expects the connection to drop instead of a reply
    assert target.process.wait(timeout=10) == 0
    assert "User requested shutdown..." in target.log_text()


def test_aof_survives_a_restart(tmp_path: Path) -> None:
    spec = TargetSpec(kind="bundled", appendonly=True, appendfsync="always")
    with start_target(spec, tmp_path) as first:
        r = redis.Redis(port=first.port or 0, socket_timeout=5)
        r.set("kept", "yes")
        r.hset("h", mapping={"a": "1"})
        r.set("gone", "soon", px=1)
        r.select(2)
        r.rpush("l", "x", "y")
    with start_target(spec, tmp_path) as second:
        r = redis.Redis(port=second.port or 0, socket_timeout=5)
        assert r.get("kept") == b"yes" and r.hgetall("h") == {b"a": b"1"} and r.get("gone") is None
        assert redis.Redis(port=second.port or 0, db=2, socket_timeout=5).lrange("l", 0, -1) == [b"x", b"y"]
        assert "DB loaded from append only file" in second.log_text()


def test_active_expiry_reclaims_keys_nobody_reads(start_bundled: StartBundled) -> None:
    target = start_bundled()
    r = redis.Redis(port=target.port or 0, socket_timeout=5)
    for i in range(50):
        r.set(f"t{i}", "v", px=50)
    deadline = time.monotonic() + 5
    while r.dbsize() and time.monotonic() < deadline:  # DBSIZE does not touch keys: only the cron can
        time.sleep(0.05)
    assert r.dbsize() == 0
    assert int(r.info("stats")["expired_keys"]) == 50


def test_config_set_loglevel_applies_at_once(start_bundled: StartBundled) -> None:
    target = start_bundled()
    r = redis.Redis(port=target.port or 0, socket_timeout=5)
    r.ping()
    assert "- Accepted" not in target.log_text()  # notice: verbose lines are not written
    r.config_set("loglevel", "verbose")
    redis.Redis(port=target.port or 0, socket_timeout=5).ping()  # a new connection logs "Accepted" at verbose
    deadline = time.monotonic() + 5
    while "- Accepted" not in target.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "- Accepted" in target.log_text()
