"""server.net on the wire: bad input answered byte for byte like redis-server 7.0, pipelining, limits, TLS.

Each bad-input case is sent to the bundled server and to a real redis-server (both with requirepass, so the
pre-auth limits apply); the bytes that come back and whether the connection was closed must be identical,
and a new connection must still get PONG afterwards.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetKind, TargetSpec, start_target
from tests.conftest import recv_at_least, require_tool
from tests.server.conftest import StartBundled, client_tls_context

PASSWORD = "s3cret"
AUTH = b"AUTH " + PASSWORD.encode() + b"\r\n"
HOST = "127.0.0.1"


def exchange(
    port: int, data: bytes, ctx: ssl.SSLContext | None = None, quiet: float = 0.5
) -> tuple[bytes, bool]:
    """Send data; collect replies until the server closes (True) or stays quiet for `quiet` s (False)."""
    with socket.create_connection((HOST, port), timeout=5) as raw:
        sock = ctx.wrap_socket(raw, server_hostname="localhost") if ctx is not None else raw
        sock.sendall(data)
        sock.settimeout(quiet)
        out = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return out, True
                out += chunk
        except TimeoutError:
            return out, False
        except (ConnectionResetError, ssl.SSLError):
            return out, True


def ping(port: int, ctx: ssl.SSLContext | None = None) -> bytes:
    return exchange(port, b"PING\r\n", ctx, quiet=0.2)[0]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningTarget, RunningTarget]]:
    require_tool("redis-server")
    ours = TargetSpec(kind="bundled", requirepass=PASSWORD)
    theirs = TargetSpec(kind="redis-server", requirepass=PASSWORD)
    with (
        start_target(ours, tmp_path_factory.mktemp("ours")) as a,
        start_target(theirs, tmp_path_factory.mktemp("theirs")) as b,
    ):
        yield a, b


BIG = 64 * 1024 + 100
BAD_INPUT = {
    "invalid multibulk length": AUTH + b"*3000000000\r\n",
    "multibulk not a number": AUTH + b"*abc\r\n",
    "expected $": AUTH + b"*1\r\nfoo\r\n",
    "expected $ got CR": AUTH + b"*1\r\n\r\n\r\n",
    "negative bulk length": AUTH + b"*1\r\n$-10\r\n",
    "bulk length not a number": AUTH + b"*1\r\n$blabla\r\n",
    "bulk over proto-max-bulk-len": AUTH + b"*1\r\n$600000000\r\n",
    "unbalanced quotes": AUTH + b'SET k "abc\r\n',
    "quote not followed by space": AUTH + b"SET k 'a'b\r\n",
    "too big inline request": AUTH + b"x" * BIG,
    "too big mbulk count string": AUTH + b"*" + b"1" * BIG,
    "too big bulk count string": AUTH + b"*1\r\n$" + b"1" * BIG,
    "unauthenticated multibulk length": b"*11\r\n",
    "unauthenticated bulk length": b"*2\r\n$4\r\nAUTH\r\n$16385\r\n",
    "unauthenticated 1 MB query buffer": b"y" * (1024 * 1024 + 100),
    "POST closes without a reply": b"PING\r\nPOST / HTTP/1.1\r\nPING\r\n",
    "Host: closes without a reply": AUTH + b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "CR LF in an unknown command": AUTH + b'"a\\r\\nb" "c\\nd"\r\n',
    "commands before the error still run": AUTH + b"PING\r\nECHO hi\r\n*1\r\n$x\r\n",
    "NOAUTH before auth, unknown command first": b"GET k\r\nFOO bar\r\nAUTH nope\r\nQUIT\r\n",
    "empty lines and empty multibulk": AUTH + b"\r\n\r\n*0\r\n*-1\r\nPING\r\n",
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_like_redis(pair: tuple[RunningTarget, RunningTarget], case: str) -> None:
    ours, theirs = pair
    data = BAD_INPUT[case]
    got = exchange(ours.port or 0, data)
    want = exchange(theirs.port or 0, data)
    assert got == want
    assert b"\r\n" not in got[0].replace(b"\r\n", b"") and b"\n" not in got[0].replace(b"\r\n", b"")
    assert ping(ours.port or 0) == b"-NOAUTH Authentication required.\r\n"


def test_protocol_error_reply_text(pair: tuple[RunningTarget, RunningTarget]) -> None:
    ours, _ = pair
    reply, closed = exchange(ours.port or 0, BAD_INPUT["expected $"])
    assert reply == b"+OK\r\n-ERR Protocol error: expected '$', got 'f'\r\n" and closed
    reply, closed = exchange(ours.port or 0, BAD_INPUT["unauthenticated multibulk length"])
    assert reply == b"-ERR Protocol error: unauthenticated multibulk length\r\n" and closed


def test_cross_protocol_attack_is_logged(pair: tuple[RunningTarget, RunningTarget]) -> None:
    ours, _ = pair
    exchange(ours.port or 0, b"POST / HTTP/1.1\r\n")
    assert "Possible SECURITY ATTACK detected" in ours.log_text()


@pytest.mark.parametrize("tls", [False, True])
def test_deep_pipeline_in_one_write(bundled: RunningTarget, lab_pki: LabPKI, tls: bool) -> None:
    ctx = client_tls_context(lab_pki) if tls else None
    port = (bundled.tls_port if tls else bundled.port) or 0
    n = 20000
    data = b"".join(b"*3\r\n$3\r\nSET\r\n$4\r\nk%03d\r\n$1\r\nv\r\n" % (i % 1000) for i in range(n))
    data += b"*2\r\n$4\r\nECHO\r\n$4\r\nlast\r\n"
    with socket.create_connection((HOST, port), timeout=10) as raw:
        sock = ctx.wrap_socket(raw, server_hostname="localhost") if ctx else raw
        sock.sendall(data)
        want = b"+OK\r\n" * n + b"$4\r\nlast\r\n"
        got = recv_at_least(sock, len(want))
    assert got == want


def test_plaintext_client_on_tls_port_is_logged_like_redis(bundled: RunningTarget, lab_pki: LabPKI) -> None:
    port = bundled.tls_port or 0
    ctx = client_tls_context(lab_pki)
    with socket.create_connection((HOST, port), timeout=5) as good_raw:
        good = ctx.wrap_socket(good_raw, server_hostname="localhost")
        with socket.create_connection((HOST, port), timeout=5) as bad:
            host, lport = bad.getsockname()[:2]
            local = f"{host}:{lport}"
            bad.sendall(b"*1\r\n$4\r\nPING\r\n")
            bad.settimeout(5)
            try:
                rest = bad.recv(100)
            except ConnectionResetError:
                rest = b""
            assert b"PONG" not in rest
        good.sendall(b"PING\r\n")
        assert good.recv(100) == b"+PONG\r\n"  # the other client is unaffected
    line = (
        "# Error accepting a client connection: error:0A00010B:SSL routines::wrong version number "
        f"(addr={local} laddr=127.0.0.1:{port})"
    )
    deadline = time.monotonic() + 5
    while line not in bundled.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in bundled.log_text()


def test_tcp_probe_on_tls_port_is_logged_like_redis(start_bundled: StartBundled) -> None:
    target = start_bundled(plaintext=False, tls=True)
    socket.create_connection((HOST, target.tls_port or 0), timeout=5).close()
    want = (
        "# Error accepting a client connection: "
        "error:0A000126:SSL routines::unexpected eof while reading (conn: fd="
    )
    deadline = time.monotonic() + 5
    while want not in target.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert want in target.log_text()


def _corrupt_one_record(port: int, ctx: ssl.SSLContext, trailing: bytes) -> tuple[str, str | None]:
    """Handshake through an SSLObject on a raw socket, PING, then send the next PING's application-data record
    with one ciphertext bit flipped (and `trailing` raw bytes in the same write, as an injected segment adds).
    Returns how the connection ended ("eof" / "reset" / "open") and the alert the server sent, if any."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with socket.create_connection((HOST, port), timeout=5) as sock:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(sock.recv(65536))
        tls.write(b"PING\r\n")
        sock.sendall(outgoing.read())
        plain = b""
        while b"PONG" not in plain:
            incoming.write(sock.recv(65536))
            with contextlib.suppress(ssl.SSLWantReadError):
                plain += tls.read(1024)
        tls.write(b"PING\r\n")
        record = bytearray(outgoing.read())
        record[-3] ^= 1  # inside the AEAD tag: the record cannot authenticate
        sock.sendall(bytes(record) + trailing)
        sock.settimeout(2)
        rest, end = b"", "open"
        try:
            while chunk := sock.recv(65536):
                rest += chunk
            end = "eof"
        except ConnectionResetError:
            end = "reset"
        except TimeoutError:
            pass
    incoming.write(rest)
    try:
        tls.read(1024)
    except ssl.SSLError as e:
        return end, e.reason
    return end, None


@pytest.mark.parametrize("kind", ["bundled", "redis-server"])
def test_corrupted_record_mid_session_drops_the_client_like_redis(
    kind: TargetKind, tmp_path: Path, lab_pki: LabPKI
) -> None:
    """A record that fails to decrypt (forged or flipped bytes): OpenSSL's alert, then the connection closes,
    with RST when bytes followed the bad record (Redis leaves them unread), and Redis's verbose log line."""
    if kind == "redis-server":
        require_tool("redis-server")
    spec = TargetSpec(kind=kind, plaintext=False, tls=True, extra=(("loglevel", "verbose"),))
    with start_target(spec, tmp_path / kind, pki=lab_pki) as target:
        port, ctx = target.tls_port or 0, client_tls_context(lab_pki)
        assert _corrupt_one_record(port, ctx, b"") == ("eof", "SSLV3_ALERT_BAD_RECORD_MAC")
        injected = b"*1\r\n$4\r\nPING\r\n"
        assert _corrupt_one_record(port, ctx, injected) == ("reset", "SSLV3_ALERT_BAD_RECORD_MAC")
        line = "- Reading from client: error:0A000119:SSL routines::decryption failed or bad record mac"
        deadline = time.monotonic() + 5
        while target.log_text().count(line) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert target.log_text().count(line) == 2
        assert ping(port, ctx) == b"+PONG\r\n"  # the server itself is fine
        if kind == "bundled":
            assert _tls_stats(port, ctx)["tls_records_rejected"] == 2


def _tls_stats(port: int, ctx: ssl.SSLContext) -> dict[str, int]:
    with (
        socket.create_connection((HOST, port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as s,
    ):
        s.sendall(b"INFO stats\r\n")
        text = b""
        while b"\r\n" not in text or len(text) < text.index(b"\r\n") + 2 + int(text[1 : text.index(b"\r\n")]):
            text += s.recv(65536)  # the whole bulk reply: $<length>\r\n<length bytes>
    fields = dict(line.split(":", 1) for line in text.decode().splitlines() if line.startswith("tls_"))
    return {k: int(v) for k, v in fields.items()}


def test_handshake_counters_full_resumed_failed(start_bundled: StartBundled, lab_pki: LabPKI) -> None:
    target = start_bundled(plaintext=False, tls=True, tls_auth_clients="optional")
    port = target.tls_port or 0
    ctx = client_tls_context(lab_pki)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # a session is usable as soon as the handshake ends
    before = _tls_stats(port, ctx)
    with socket.create_connection((HOST, port), timeout=5) as raw:
        first = ctx.wrap_socket(raw, server_hostname="localhost")
        first.sendall(b"PING\r\n")
        assert first.recv(100) == b"+PONG\r\n"
        session = first.session
    with socket.create_connection((HOST, port), timeout=5) as raw:
        again = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        again.sendall(b"PING\r\n")
        assert again.recv(100) == b"+PONG\r\n"
        assert again.session_reused
    rogue = ssl.create_default_context()  # does not trust the lab CA: the handshake fails
    with socket.create_connection((HOST, port), timeout=5) as raw, pytest.raises(ssl.SSLError):
        rogue.wrap_socket(raw, server_hostname="localhost")
    after = _tls_stats(port, ctx)
    # the stats connections themselves are full handshakes too (before: +1 counted inside `after`)
    assert after["tls_handshakes_full"] - before["tls_handshakes_full"] == 2
    assert after["tls_handshakes_resumed"] - before["tls_handshakes_resumed"] == 1
    assert after["tls_handshakes_failed"] - before["tls_handshakes_failed"] == 1


def test_maxclients(start_bundled: StartBundled) -> None:
    target = start_bundled(extra=(("maxclients", "2"),))
    port = target.port or 0
    with (
        socket.create_connection((HOST, port), timeout=5) as a,
        socket.create_connection((HOST, port), timeout=5) as b,
    ):
        for s in (a, b):
            s.sendall(b"PING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
        assert exchange(port, b"PING\r\n") == (b"-ERR max number of clients reached\r\n", True)
    deadline = time.monotonic() + 5
    while ping(port) != b"+PONG\r\n" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ping(port) == b"+PONG\r\n"


def test_idle_timeout_closes_the_connection(start_bundled: StartBundled) -> None:
    target = start_bundled(extra=(("timeout", "1"),))
    with socket.create_connection((HOST, target.port or 0), timeout=5) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(100) == b"+PONG\r\n"
        s.settimeout(5)
        assert s.recv(100) == b""  # closed by the server after ~1-2 s of silence


def test_unread_replies_pause_reading_without_losing_any(bundled: RunningTarget) -> None:
    payload = b"v" * 50_000
    with socket.create_connection((HOST, bundled.port or 0), timeout=10) as s:
        s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n%b\r\n" % (len(payload), payload))
        assert s.recv(100) == b"+OK\r\n"
        s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 200)  # ~10 MB of replies queued before we read
        time.sleep(0.3)
        want = (b"$%d\r\n%b\r\n" % (len(payload), payload)) * 200
        got = b""
        while len(got) < len(want):
            chunk = s.recv(1 << 20)
            assert chunk
            got += chunk
        assert got == want
