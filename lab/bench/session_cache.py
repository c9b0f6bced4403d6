"""Does a server resume TLS 1.2 session ids, and does it matter who closes the connection?

A probe of a few sequential connections per close order, TLS 1.2 with no ticket extension (so the server
can only resume from its session cache): each offers the session of the connection before it.
  - client closes: the client reads its reply and closes the socket, as redis-py and hiredis do;
  - server closes: the client sends QUIT and waits for the server to close (the server's close_notify
    goes out first).
On redis-server 7.0 only the second resumes: it calls SSL_shutdown only for a connection still in the
connected state, and a connection the client ended (EOF, or the client's close_notify) is no longer in
it, so SSL_free frees it without a close_notify sent, and OpenSSL removes the session of such a
connection from the server's cache. `tls-session-caching yes` (the default, 20480 entries, 300 s) and
the session id context Redis sets are not the cause; tickets resume either way (they need no cache).
"""

from __future__ import annotations

import contextlib
import enum
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from lab.bench.results import TargetKind

PING = b"*1\r\n$4\r\nPING\r\n"
QUIT = b"*1\r\n$4\r\nQUIT\r\n"
PROBES = 6  # connections per close order after the first (which has nothing to offer)
# The server must have seen the previous connection's end before the next ClientHello, or a session it
# is about to drop would still be found.
SETTLE_S = 0.02


class SessionIdVerdict(enum.Enum):
    RESUMES = "resumes"  # whoever closes
    ONLY_WHEN_SERVER_CLOSES = "only-when-server-closes"
    NEVER = "never"  # not even after the server closed
    NOT_MEASURED = "not-measured"  # the probe failed: see error


EXPLANATION: dict[SessionIdVerdict, str] = {
    SessionIdVerdict.RESUMES: "resumes TLS 1.2 session ids whoever closes the connection",
    SessionIdVerdict.ONLY_WHEN_SERVER_CLOSES: (
        "resumes a TLS 1.2 session id only when it closed the previous connection itself (after QUIT): "
        "when the client closes first, as redis-py and hiredis do, the server frees the connection without "
        "sending close_notify and OpenSSL drops that session from the server's cache, so the next offer "
        "makes a full handshake. Session caching is on; tickets are not affected"
    ),
    SessionIdVerdict.NEVER: "resumed no TLS 1.2 session id, not even after closing the connection itself",
    SessionIdVerdict.NOT_MEASURED: "the session-id probe did not complete",
}


@dataclass(frozen=True)
class SessionIdProbe:
    """Sequential TLS 1.2 connections offering the previous session id (no tickets), per close order."""

    target: TargetKind
    offers: int  # per close order
    resumed_client_closes: int
    resumed_server_closes: int
    verdict: SessionIdVerdict
    explanation: str  # EXPLANATION[verdict]
    error: str | None = None


def verdict_of(offers: int, client_closes: int, server_closes: int) -> SessionIdVerdict:
    """Most offers resumed counts as resuming: one miss (a cache race) does not flip the verdict."""

    def most(n: int) -> bool:
        return offers > 0 and n * 2 > offers

    if most(client_closes):
        return SessionIdVerdict.RESUMES
    if most(server_closes):
        return SessionIdVerdict.ONLY_WHEN_SERVER_CLOSES
    return SessionIdVerdict.NEVER


def _read_until(tls: ssl.SSLSocket, want: bytes | None) -> None:
    """Read until `want` arrived (None: until the server closes)."""
    buf = b""
    while want is None or want not in buf:
        try:
            chunk = tls.recv(4096)
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionResetError):
            chunk = b""
        if not chunk:
            if want is None:
                return
            raise ConnectionError(f"the server closed before replying {want!r}")
        buf += chunk


def _connect(
    ctx: ssl.SSLContext, host: str, port: int, session: ssl.SSLSession | None, server_closes: bool
) -> tuple[ssl.SSLSession | None, bool]:
    """One connection: PING, then close (or QUIT and wait for the server's close)."""
    with socket.create_connection((host, port), timeout=5.0) as raw:
        tls = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        with contextlib.closing(tls):
            tls.sendall(PING)
            _read_until(tls, b"+PONG\r\n")
            reused, got = bool(tls.session_reused), tls.session
            if server_closes:
                tls.sendall(QUIT)
                _read_until(tls, None)
    return got, reused


def _resumed(ctx: ssl.SSLContext, host: str, port: int, server_closes: bool, offers: int) -> int:
    session, _ = _connect(ctx, host, port, None, server_closes)
    resumed = 0
    for _ in range(offers):
        time.sleep(SETTLE_S)
        session, reused = _connect(ctx, host, port, session, server_closes)
        resumed += reused
    return resumed


def probe(target: TargetKind, host: str, port: int, ca: Path, offers: int = PROBES) -> SessionIdProbe:
    from lab.bench.loadgen import client_context

    ctx = client_context("tls1.2", ca, tickets=False)
    try:
        by_client = _resumed(ctx, host, port, False, offers)
        by_server = _resumed(ctx, host, port, True, offers)
    except (OSError, ssl.SSLError, ConnectionError) as exc:
        v = SessionIdVerdict.NOT_MEASURED
        return SessionIdProbe(target, offers, 0, 0, v, EXPLANATION[v], f"{type(exc).__name__}: {exc}")
    v = verdict_of(offers, by_client, by_server)
    return SessionIdProbe(target, offers, by_client, by_server, v, EXPLANATION[v])
