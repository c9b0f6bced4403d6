"""A rogue Redis on loopback: it presents one (defective) certificate and answers enough RESP for a client to
believe it connected, and records what the client did: the handshake's outcome and every command it sent.

The transport (socket, TLS) is this module; the replies come from `reply`, which touches no socket.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lab.resp_reader import RespReader, command, show

ACCEPT_TIMEOUT_S = 0.2
CLIENT_IDLE_S = 5.0


def reply(args: tuple[bytes, ...]) -> bytes:
    """What a Redis 7.0 server would answer, enough to keep redis-cli and redis-py going."""
    name = args[0].upper()
    if name == b"HELLO":
        proto = args[1] if len(args) > 1 else b"2"
        fields = (b"server", b"redis", b"version", b"7.0.15", b"proto", proto, b"id", b"1", b"mode",
                  b"standalone", b"role", b"master")  # fmt: skip
        body = b"".join(b"$%d\r\n%s\r\n" % (len(f), f) for f in fields)
        return (b"%%6\r\n" if proto == b"3" else b"*12\r\n") + body
    if name == b"PING":
        return b"+PONG\r\n"
    if name in (b"GET", b"HGET"):
        return b"$-1\r\n"
    return b"+OK\r\n"


@dataclass
class Visit:
    """One client connection: did the TLS handshake complete, and what did the client send after it."""

    handshake: bool = False
    error: str = ""
    tls_version: str | None = None
    commands: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class RogueServer:
    context: ssl.SSLContext
    host: str = "127.0.0.1"
    port: int = 0
    visits: list[Visit] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _serve_one(self, raw: socket.socket) -> None:
        visit = Visit()
        self.visits.append(visit)
        raw.settimeout(CLIENT_IDLE_S)
        try:
            with self.context.wrap_socket(raw, server_side=True) as conn:
                visit.handshake, visit.tls_version = True, conn.version()
                reader = RespReader("commands")
                while not self._stop.is_set():
                    data = conn.recv(65536)
                    if not data:
                        break
                    for frame in reader.feed(data):
                        args = command(frame.wire)
                        if args:
                            visit.commands.append(tuple(show(a) for a in args))
                            conn.sendall(reply(args))
        except (OSError, ssl.SSLError) as exc:
            visit.error = visit.error or f"{type(exc).__name__}: {exc}"
        finally:
            raw.close()

    def _loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=self._serve_one, args=(raw,), daemon=True).start()


@contextlib.contextmanager
def rogue_server(
    cert: Path, key: Path, max_version: ssl.TLSVersion | None = None, host: str = "127.0.0.1"
) -> Iterator[RogueServer]:
    """Serve on a free loopback port until the block ends; the listener is closed however it ends."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if max_version is not None:
        with warnings.catch_warnings():  # serving TLS 1.0 on purpose is the point of this case
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            ctx.maximum_version = max_version
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server((host, 0))
    listener.settimeout(ACCEPT_TIMEOUT_S)
    server = RogueServer(ctx, host, listener.getsockname()[1])
    thread = threading.Thread(target=server._loop, args=(listener,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._stop.set()
        listener.close()
        thread.join(timeout=2)
