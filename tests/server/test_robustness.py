"""The bundled server probed as a hostile client would: no single request may freeze it or keep memory.

No timed assertions: each test checks that another client is served while the hostile request is in
flight (with generous socket timeouts), or what the server holds afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from lab import procs
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.conftest import require_tool
from tests.server.conftest import StartBundled, client_tls_context

HOST = "127.0.0.1"
PATIENCE_S = 60.0  # socket timeouts: only a frozen server exceeds them


def _connect(port: int) -> socket.socket:
    return socket.create_connection((HOST, port), timeout=PATIENCE_S)


def _reply(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    return sock.recv(1 << 16)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_abusive_keys_pattern_answers_and_others_are_served(bundled: RunningTarget) -> None:
    port = bundled.port or 0
    with _connect(port) as a, _connect(port) as b:
        key = b"a" * 60
        assert _reply(a, b"*3\r\n$3\r\nSET\r\n$60\r\n%b\r\n$1\r\nv\r\n" % key) == b"+OK\r\n"
        pattern = b"a*a*a*a*a*a*a*a*a*a*b"
        for cmd in (b"KEYS", b"SCAN 0 MATCH"):
            a.sendall(cmd + b" " + pattern + b"\r\n")
            assert _reply(b, b"PING\r\n") == b"+PONG\r\n"
            got = a.recv(1 << 16)
            assert got in (b"*0\r\n", b"*2\r\n$1\r\n0\r\n*0\r\n"), got
        assert _reply(a, b"DEL " + key + b"\r\n") == b":1\r\n"


def test_huge_command_in_flight_does_not_starve_others(bundled: RunningTarget) -> None:
    """DEL with 1,000,000 one-byte arguments (7 MB): while half of it is in, another client gets PONG,
    and the whole command is answered once the rest arrives."""
    port = bundled.port or 0
    n = 1_000_000
    data = b"*%d\r\n$3\r\nDEL\r\n" % (n + 1) + b"$1\r\nx\r\n" * n
    half = len(data) // 2
    with _connect(port) as big, _connect(port) as other:
        big.sendall(data[:half])
        for _ in range(3):
            assert _reply(other, b"PING\r\n") == b"+PONG\r\n"
        big.sendall(data[half:])
        assert big.recv(100) == b":0\r\n"
        assert _reply(other, b"PING\r\n") == b"+PONG\r\n"


def test_half_received_requests_are_freed_on_disconnect(start_bundled: StartBundled) -> None:
    """Four clients declare 500 MB bulks, send 48 MiB each and leave: the server gives the memory back."""
    target = start_bundled()
    port = target.port or 0
    with _connect(port) as probe:
        assert _reply(probe, b"PING\r\n") == b"+PONG\r\n"
        start = _rss_kib(target.pid)
        chunk = b"x" * (1 << 20)
        clients = [_connect(port) for _ in range(4)]
        for sock in clients:
            sock.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n")
        for _ in range(48):
            for sock in clients:
                sock.sendall(chunk)
        assert _reply(probe, b"PING\r\n") == b"+PONG\r\n"  # every byte sent above has been read
        assert _rss_kib(target.pid) > start + 150 * 1024
        for sock in clients:
            sock.close()
        deadline = time.monotonic() + PATIENCE_S
        while _rss_kib(target.pid) > start + 32 * 1024 and time.monotonic() < deadline:
            assert _reply(probe, b"PING\r\n") == b"+PONG\r\n"
            time.sleep(0.1)
        assert _rss_kib(target.pid) <= start + 32 * 1024


def test_tls_handshakes_count_toward_maxclients(start_bundled: StartBundled) -> None:
    """Silent connections to the TLS port hold a descriptor each: with maxclients 4 and four of them
    open, a plaintext client is refused as Redis refuses it (before: they were not counted at all)."""
    target = start_bundled(tls=True, extra=(("maxclients", "4"),))
    silent = [_connect(target.tls_port or 0) for _ in range(4)]
    time.sleep(1.0)  # let the server accept them: a client connecting first would be counted instead
    try:
        with _connect(target.port or 0) as late:
            assert _reply(late, b"PING\r\n") == b"-ERR max number of clients reached\r\n"
    finally:
        for sock in silent:
            sock.close()
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        with _connect(target.port or 0) as again:
            if _reply(again, b"PING\r\n") == b"+PONG\r\n":
                return
        time.sleep(0.1)
    raise AssertionError("never served again after the silent connections left")


def test_timeout_closes_connections_stuck_in_the_tls_handshake(start_bundled: StartBundled) -> None:
    target = start_bundled(tls=True, extra=(("timeout", "1"),))
    silent = [_connect(target.tls_port or 0) for _ in range(5)]
    half_open = [_connect(target.tls_port or 0) for _ in range(5)]
    for sock in half_open:  # the first bytes of a ClientHello, never the rest
        sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    for sock in silent + half_open:
        assert sock.recv(100) == b""  # closed by the server (the socket timeout is PATIENCE_S)
        sock.close()
    log = target.log_path.read_text()
    assert "unexpected eof" not in log.split("Ready to accept")[-1]  # expired, not a failed handshake


def test_maxclients_fits_a_low_open_files_limit(tmp_path: Path) -> None:
    """With `ulimit -n 256` Redis lowers maxclients to 224 and logs why; the bundled server does too."""
    import os
    import subprocess
    import sys

    from tests.conftest import require_tool

    require_tool("prlimit")
    drop = ["setpriv", "--bounding-set=-sys_resource", "--"] if os.geteuid() == 0 else []  # root may raise it
    if drop:
        require_tool("setpriv")
    wrap = ["prlimit", "--nofile=256:256", *drop]
    lines = []
    for server in ([sys.executable, "-m", "server"], ["redis-server"]):
        if server[0] == "redis-server":
            require_tool("redis-server")
        proc = procs.spawn([*wrap, *server, "--port", "0", "--tls-port", "0"],
                                cwd=Path(__file__).parents[2], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)  # fmt: skip
        out, _ = proc.communicate(timeout=PATIENCE_S)
        lines.append([line.split(" # ", 1)[1] for line in out.decode().splitlines() if "maxclients" in line])
    assert lines[0] == lines[1]
    assert "maxclients has been reduced to 224 to compensate for low ulimit" in lines[0][-1]


def test_tls12_client_renegotiation_gets_no_renegotiation_at_once(start_bundled: StartBundled) -> None:
    """openssl s_client's `R` asks for a renegotiation: Redis answers the no_renegotiation alert at once
    (before, the alert stayed in the server's buffer and the client waited for its own timeout)."""
    import subprocess

    from tests.conftest import require_tool

    require_tool("openssl")
    target = start_bundled(tls=True, plaintext=False)
    script = "(echo PING; sleep 0.5; echo R; sleep 30)"
    cmd = f"{script} | openssl s_client -tls1_2 -connect {HOST}:{target.tls_port} -msg"
    proc = procs.spawn(["sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    # Without the alert s_client waits forever: the watchdog ends it, and the assertions below fail.
    watchdog = threading.Timer(PATIENCE_S, os.killpg, (proc.pid, signal.SIGKILL))
    watchdog.start()
    seen = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen += line
            if "no_renegotiation" in line:
                break
    finally:
        watchdog.cancel()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert "+PONG" in seen and "RENEGOTIATING" in seen
    assert "warning no_renegotiation" in seen


def _unanswered_pipeline(port: int, pipeline: bytes, tls: ssl.SSLContext | None = None) -> bytes:
    """Send the whole pipeline before reading; return what came back until the server closed."""
    got = b""
    with _connect(port) as raw:
        sock = tls.wrap_socket(raw, server_hostname="localhost") if tls else raw
        with contextlib.suppress(ConnectionResetError, BrokenPipeError, ssl.SSLError):  # RST: input unread
            sock.sendall(pipeline)
            while chunk := sock.recv(1 << 16):
                got += chunk
    return got


OUTPUT_LIMIT_LINE = "scheduled to be closed ASAP for overcoming of output buffer limits."


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
@pytest.mark.parametrize("kind", ["bundled", "redis-server"])
def test_unauthenticated_pipeline_is_closed_on_the_output_limit(
    start_bundled: StartBundled, lab_pki: LabPKI, kind: str, tls: bool
) -> None:
    """60,000 GETs before AUTH: Redis closes the client once its replies pass 16 KiB, sends none of
    them and logs why (before: the bundled server answered all 60,000 and others waited ~1 s)."""
    if kind == "redis-server":
        require_tool("redis-server")
    target = start_bundled(kind=kind, requirepass="secret", tls=tls)
    context = client_tls_context(lab_pki, client_cert=False) if tls else None
    port = (target.tls_port if tls else target.port) or 0
    with _connect(target.port or 0) as other:
        assert _unanswered_pipeline(port, b"*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n" * 60_000, context) == b""
        assert _reply(other, b"PING\r\n") == b"-NOAUTH Authentication required.\r\n"
    assert OUTPUT_LIMIT_LINE in target.log_text()


@pytest.mark.parametrize("kind", ["bundled", "redis-server"])
def test_pipelined_password_guesses_stop_at_the_output_limit_and_are_logged(
    start_bundled: StartBundled, kind: str
) -> None:
    """10,000 wrong AUTHs in one pipeline: 256 WRONGPASS replies fill the 16 KiB buffer, the 257th
    closes the client; ACL LOG has one `auth` entry counting the 257 (before: 10,000 answered)."""
    if kind == "redis-server":
        require_tool("redis-server")
    target = start_bundled(kind=kind, requirepass="secret")
    port = target.port or 0
    assert _unanswered_pipeline(port, b"*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n" * 10_000) == b""
    with _connect(port) as admin:
        assert _reply(admin, b"AUTH secret\r\n") == b"+OK\r\n"
        log = _reply(admin, b"ACL LOG 1\r\n")
        assert b"$6\r\nreason\r\n$4\r\nauth\r\n" in log and b"$6\r\nobject\r\n$4\r\nAUTH\r\n" in log
        assert b"$5\r\ncount\r\n:257\r\n" in log, log
    with _connect(port) as patient:  # reads each answer: nothing stays unsent, every guess is answered
        for _ in range(300):
            assert _reply(patient, b"AUTH nope\r\n").startswith(b"-WRONGPASS")
    assert OUTPUT_LIMIT_LINE in target.log_text()
