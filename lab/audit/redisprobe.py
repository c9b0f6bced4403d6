"""Redis-aware probes of a live server, over its TLS port and beside it (plaintext ports).

Speaks just enough RESP to ask PING, INFO server and CONFIG GET; every outcome, a refusal included, is a
fact. The probe never writes to the server.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from lab.audit.endpoint import Endpoint
from lab.resp_reader import RespError, RespReader, RespValue, text

TIMEOUT_S = 3.0
CONFIG_KEYS = (
    "protected-mode",
    "port",
    "tls-port",
    "tls-auth-clients",
    "tls-protocols",
    "tls-ciphers",
    "tls-replication",
    "tls-cluster",
    "bind",
)  # never requirepass: the report would hold it


@dataclass(frozen=True)
class Conversation:
    """One connection's outcome: connected (and how), and each command with the reply as text."""

    connected: bool
    error: str  # why it did not connect, or how it broke off (in the library's or server's words)
    tls_version: str | None
    exchanges: tuple[tuple[str, str], ...]  # (command, reply text)
    config: tuple[tuple[str, str], ...] = ()  # CONFIG GET name/value pairs the server answered

    def reply(self, command: str) -> str | None:
        return next((r for c, r in self.exchanges if c == command), None)

    @property
    def is_redis(self) -> bool:
        ping = self.reply("PING")
        return ping is not None and (
            ping == "PONG" or ping.startswith("(error) NOAUTH") or ping.startswith("(error) DENIED")
        )

    @property
    def open_without_auth(self) -> bool:
        return self.reply("PING") == "PONG"


@dataclass(frozen=True)
class RedisFacts:
    port: int  # the audited port
    tls: Conversation | None  # over the audited TLS port (None: the endpoint is plaintext-only)
    plaintext: tuple[tuple[int, Conversation], ...]  # (port, outcome) for each plaintext port tried
    authenticated: Conversation | None  # with the given password: INFO and CONFIG as the operator sees them
    same_ca: Conversation | None  # TLS with a certificate of the same CA for another name

    @property
    def config(self) -> dict[str, str]:
        """CONFIG GET values read (unauthenticated when the server allowed it, else with the password)."""
        values: dict[str, str] = {}
        for conv in (self.tls, self.authenticated, *(c for _, c in self.plaintext)):
            for key, value in conv.config if conv is not None else ():
                values.setdefault(key, value)
        return values

    def info(self, field: str) -> str | None:
        """A field of INFO (server, replication, cluster) from the first connection that could read it."""
        for conv in (self.tls, self.authenticated, *(c for _, c in self.plaintext)):
            for cmd, reply in conv.exchanges if conv is not None else ():
                if cmd.startswith("INFO ") and not reply.startswith("(error)"):
                    for line in reply.splitlines():
                        if line.startswith(field + ":"):
                            return line.split(":", 1)[1].strip()
        return None

    @property
    def version(self) -> str | None:
        return self.info("redis_version")

    @property
    def conversations(self) -> tuple[tuple[str, Conversation], ...]:
        """Every unauthenticated connection with a label for evidence ("TLS port 6380", "plaintext 6379")."""
        out = [(f"TLS port {self.port}", self.tls)] if self.tls is not None else []
        out += [(f"plaintext port {port}", conv) for port, conv in self.plaintext]
        return tuple((label, conv) for label, conv in out if conv is not None)


def _encode(*args: str) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        raw = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(out)


def _ask(sock: socket.socket, reader: RespReader, *args: str) -> RespValue:
    sock.sendall(_encode(*args))
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        frames = reader.feed(chunk)
        if frames:
            return frames[0].value
        if reader.broken is not None:
            raise ConnectionError(f"the reply is not RESP: {reader.broken.reason}")


def converse(
    endpoint: Endpoint,
    tls: ssl.SSLContext | None,
    server_name: str | None,
    commands: tuple[tuple[str, ...], ...],
    stop_on_error: bool = True,
) -> Conversation:
    """Connect (TLS when a context is given), send each command, keep each reply; stop at the first error
    reply when asked (an unauthenticated client learns nothing more after NOAUTH)."""
    exchanges: list[tuple[str, str]] = []
    config: list[tuple[str, str]] = []
    version = None
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=TIMEOUT_S) as raw:
            sock: socket.socket = raw
            if tls is not None:
                sock = tls.wrap_socket(raw, server_hostname=server_name or endpoint.host)
                version = sock.version()
            reader = RespReader("strict")
            for args in commands:
                value = _ask(sock, reader, *args)
                exchanges.append((" ".join(args), text(value)))
                if args[0] == "CONFIG" and isinstance(value, list):
                    pairs = [text(v) for v in value]
                    config += list(zip(pairs[0::2], pairs[1::2], strict=False))
                if stop_on_error and isinstance(value, RespError) and args[0] != "AUTH":
                    break
    except (OSError, ssl.SSLError) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Conversation(
            bool(exchanges) or version is not None, error, version, tuple(exchanges), tuple(config)
        )
    return Conversation(True, "", version, tuple(exchanges), tuple(config))


def probe_context(ca_file: Path | None, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    """The Redis probes see what any client sees: the chain is judged by the TLS scan, not here."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        ctx.load_cert_chain(cert, key or cert)
    return ctx


INFO = (("INFO", "server"), ("INFO", "replication"), ("INFO", "cluster"))
UNAUTHENTICATED: tuple[tuple[str, ...], ...] = (
    ("PING",),
    *INFO,
    *(("CONFIG", "GET", k) for k in CONFIG_KEYS),
)


def _masked(conv: Conversation) -> Conversation:
    """The password never goes into a report: AUTH's arguments are masked in the transcript."""
    exchanges = tuple(("AUTH •••" if c.startswith("AUTH ") else c, r) for c, r in conv.exchanges)
    return Conversation(conv.connected, conv.error, conv.tls_version, exchanges, conv.config)


def probe(
    endpoint: Endpoint,
    *,
    tls: bool,
    server_name: str | None,
    ca_file: Path | None,
    cert: Path | None,
    key: Path | None,
    plaintext_ports: tuple[int, ...],
    password: str | None = None,
    user: str | None = None,
    same_ca: tuple[Path, Path] | None = None,
) -> RedisFacts:
    ctx = probe_context(ca_file, cert, key) if tls else None
    main = converse(endpoint, ctx, server_name, UNAUTHENTICATED)
    plain = []
    for port in plaintext_ports:
        if tls or port != endpoint.port:
            plain.append((port, converse(Endpoint(endpoint.host, port), None, None, UNAUTHENTICATED)))
    authed = None
    if password is not None:
        auth = ("AUTH", user, password) if user else ("AUTH", password)
        authed = _masked(
            converse(
                endpoint,
                ctx,
                server_name,
                (auth, *INFO, *(("CONFIG", "GET", k) for k in CONFIG_KEYS)),
                stop_on_error=False,
            )
        )
    other = None
    if same_ca is not None and tls:
        other = converse(endpoint, probe_context(ca_file, *same_ca), server_name, (("PING",),))
    return RedisFacts(
        endpoint.port,
        main if tls else None,
        tuple(plain) if tls else ((endpoint.port, main), *plain),
        authed,
        other,
    )
