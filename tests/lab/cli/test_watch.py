"""`tlslab watch` live on loopback: it must raise the plaintext-AUTH and the interception alerts while the
traffic happens, log the commands as JSON lines, and leave no dumpcap behind after Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import procs
from lab.pki import CA, LabPKI
from lab.targets import TargetSpec, start_target
from tests.conftest import require_tool
from tests.lab.traffic import free_port, session

BOUND_S = 20.0  # an alert must appear within this long after its traffic


class Running:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = BOUND_S) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.seen:
                if text in line:
                    return line
            with contextlib.suppress(queue.Empty):
                self.seen.append(self.lines.get(timeout=0.2))
        raise AssertionError(f"{text!r} not printed within {timeout} s; got {self.seen}")


def _children(pid: int) -> list[int]:
    done = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


@pytest.fixture
def watch_cmd(tmp_path: Path) -> Iterator[list[str]]:
    require_tool("dumpcap")
    require_tool("tshark")
    yield [sys.executable, "-c", "import sys; from lab.cli import main; sys.exit(main())", "watch"]


def _rejecting_clients(port: int, n: int) -> None:
    """n TLS 1.2 clients that trust another CA: each rejects the server's cert with an unknown_ca alert."""
    for _ in range(n):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_verify_locations(cadata=CA("Another CA").cert_pem.decode())
        with socket.create_connection(("127.0.0.1", port), 5) as raw, pytest.raises(ssl.SSLError):
            ctx.wrap_socket(raw, server_hostname="localhost")


def _tls_server(port_holder: list[int], stop: threading.Event) -> None:
    ca = CA()
    files = ca.issue("localhost").write(Path(os.environ.get("TMPDIR", "/tmp")), f"watch-{os.getpid()}")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files.cert, files.key)
    files.key.unlink()
    files.cert.unlink()
    with socket.create_server(("127.0.0.1", port_holder[0])) as listener:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, pytest.raises((ssl.SSLError, OSError)):
                ctx.wrap_socket(conn, server_side=True).recv(1)


def test_watch_raises_alerts_live_and_cleans_up_on_ctrl_c(tmp_path: Path, watch_cmd: list[str]) -> None:
    pki = LabPKI.create(tmp_path / "pki")
    spec = TargetSpec(kind="bundled", tls=False, requirepass="pw-live-9")
    tls_port = free_port()
    stop = threading.Event()
    server = threading.Thread(target=_tls_server, args=([tls_port], stop), daemon=True)
    server.start()
    log = tmp_path / "watch.jsonl"
    with start_target(spec, tmp_path / "target", pki) as srv:
        assert srv.port is not None
        cmd = [
            *watch_cmd,
            "--port",
            str(srv.port),
            "--port",
            str(tls_port),
            "--interval",
            "1",
            "--json-lines",
            str(log),
        ]
        proc = procs.spawn(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=Path.cwd()
        )
        watch = Running(proc)
        try:
            watch.wait_for("watching")
            time.sleep(0.5)
            session(srv.port, [("AUTH", "pw-live-9"), ("SET", "k", "v"), ("GET", "k")])
            watch.wait_for("Redis AUTH password in clear")
            _rejecting_clients(tls_port, 4)
            watch.wait_for("possible TLS interception")
            dumpcaps = _children(proc.pid)
            assert dumpcaps, "dumpcap should be running under watch"
            proc.send_signal(signal.SIGINT)
            assert proc.wait(15) == 0
            watch.wait_for("summary:")
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for pid in dumpcaps:
        assert not Path(f"/proc/{pid}").exists(), f"dumpcap {pid} left running"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    commands = [r["command"] for r in records if r["type"] == "redis"]
    assert commands[:3] == ["AUTH pw-live-9", "SET k v", "GET k"]
    assert any(r["type"] == "redis" and r["reply"] == "OK" and r["success"] for r in records)
    assert {r["kind"] for r in records if r["type"] == "event"} >= {"finding", "interception"}
