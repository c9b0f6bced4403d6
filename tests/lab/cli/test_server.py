"""`tlslab server`: the bundled server behind the lab's own command, same arguments as `python -m server`."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

from lab import procs

TLSLAB = str(Path(sys.executable).with_name("tlslab"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    proc = procs.spawn([TLSLAB, "server", "--port", str(port), "--save", ""], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        client = redis.Redis(port=port, socket_timeout=2, protocol=2)
        deadline = time.monotonic() + 15
        while True:
            try:
                assert client.ping() is True
                break
            except redis.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not come up"
                time.sleep(0.05)
        client.close()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "Ready to accept connections tcp" in out


def test_bad_directive_is_redis_style_and_non_zero(tmp_path: Path) -> None:
    done = subprocess.run([TLSLAB, "server", "--maxclients", "lots"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 1
    assert "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_help_is_the_servers_own() -> None:
    done = subprocess.run([TLSLAB, "server", "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "Usage: python -m server" in done.stdout
