"""Connections: one asyncio protocol for plaintext and TLS listeners, with Redis's limits and log lines.

The protocol touches nothing but its transport (so it runs on uvloop or stock asyncio alike). TLS is
done here with ssl.MemoryBIO instead of asyncio's TLS transport: that is what lets us log a failed
handshake exactly as Redis does (OpenSSL's error string plus addr/laddr), count full / resumed /
failed handshakes, and keep one decrypt + one encrypt call per read batch on the hot path.

Per read batch: parse every complete command, execute them in order, let the AOF write (and fsync
under appendfsync always) BEFORE any reply leaves, then a single transport.write().
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import struct
from collections.abc import Callable
from time import monotonic as _monotonic
from typing import TYPE_CHECKING, Any

from server import resp, texts
from server.dispatch import Dispatcher
from server.log import VERBOSE

if TYPE_CHECKING:
    from server.state import ClientState, ServerState

EOF_IN_HANDSHAKE = "error:0A000126:SSL routines::unexpected eof while reading"
UNAUTH_QUERY_BUFFER_LIMIT = 1024 * 1024  # CVE-2021-32675: unauthenticated clients may not buffer more
# Redis keeps a client's replies in a 16 KiB buffer, then in a list; an unauthenticated client with more
# than 1024 bytes in that list is closed at once, unanswered. So a pre-AUTH pipeline (NOAUTH floods,
# password guessing) gets no further than 16 KiB of replies: 482 NOAUTH errors, 257 WRONGPASS.
UNAUTH_OUTPUT_LIMIT = 16 * 1024
# One record's plaintext at most (2^14): SSL_read never returns more than one record per call, and the
# loop in data_received reads on while records wait. A larger size only makes CPython allocate that
# much per call (it was 256 KiB: above glibc's mmap threshold until glibc happens to raise it, so some
# runs paid an mmap, a page fault and a munmap per request).
_TLS_READ = 1 << 14
_OPENSSL_LIBS = {"SSL": "SSL routines", "X509": "X509 certificate routines", "PEM": "PEM routines",
                 "EVP": "digital envelope routines", "ASN1": "asn1 encoding routines"}  # fmt: skip


def openssl_error_string(err: ssl.SSLError) -> str:
    """The text OpenSSL's ERR_error_string_n gives, as Redis logs it:
    'error:0A00010B:SSL routines::wrong version number'."""
    import _ssl

    library, reason = getattr(err, "library", None), getattr(err, "reason", None)
    if not library or not reason:
        return str(err.strerror or err)
    codes = _ssl.err_names_to_codes.get(reason)
    lib_code = next((c for c, name in _ssl.lib_codes_to_names.items() if name == library), None)
    if codes is None or lib_code is None or codes[0] != lib_code:
        text = str(err.args[1] if len(err.args) > 1 else err)
        return f"error:{library}:{reason}: {text}"
    packed = (lib_code << 23) | codes[1]
    lib_text = _OPENSSL_LIBS.get(library, f"{library} routines")
    return f"error:{packed:08X}:{lib_text}::{reason.lower().replace('_', ' ')}"


def format_addr(addr: object) -> str:
    if isinstance(addr, tuple) and len(addr) >= 2:
        host, port = addr[0], addr[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return str(addr)


def _server_session(context: ssl.SSLContext, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO) -> Any:
    """A server-side TLS session on the two BIOs: the C object itself where CPython exposes it."""
    wrap = getattr(context, "_wrap_bio", None)
    if wrap is not None:
        return wrap(incoming, outgoing, True, None)
    return context.wrap_bio(incoming, outgoing, server_side=True)._sslobj  # type: ignore[attr-defined]


class Listener:
    """What every connection of one listening socket shares."""

    __slots__ = ("dispatcher", "handshakes", "query_limit", "server", "stats", "tls_context")

    def __init__(
        self, server: ServerState, dispatcher: Dispatcher, tls_context: Callable[[], ssl.SSLContext | None]
    ) -> None:
        self.server = server
        self.stats = server.stats
        self.dispatcher = dispatcher
        self.tls_context = tls_context  # read at accept time: CONFIG SET tls-* affects new connections only
        self.query_limit = 0
        # TLS connections still in their handshake, with their accept time: they hold a file descriptor
        # like any client, so Redis counts them for maxclients and closes them on `timeout` too.
        self.handshakes: dict[TlsRedisProtocol, float] = {}
        self._read_limits()
        server.config.on_change("client-query-buffer-limit", self._read_limits)

    def _read_limits(self) -> None:
        """Config lookups are not free: the per-batch path reads this copy, refreshed on CONFIG SET."""
        self.query_limit = self.server.config["client-query-buffer-limit"]


class RedisProtocol(asyncio.Protocol):
    """A plaintext connection: bytes in are commands, replies go out in one write per read batch."""

    __slots__ = ("_closing", "_fd", "_listener", "_parser", "_transport", "addr", "client", "laddr")

    def __init__(self, listener: Listener) -> None:
        self._listener = listener
        self._transport: asyncio.Transport | None = None
        self._parser = resp.Parser(listener.server.config["proto-max-bulk-len"])
        self._closing = False
        self._fd = -1
        self.client: ClientState | None = None
        self.addr = self.laddr = "?"

    # ------------------------------------------------------------ connection life

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        transport: asyncio.Transport = base  # type: ignore[assignment]  # uvloop's are not subclasses
        self._transport = transport
        server = self._listener.server
        self.addr = format_addr(transport.get_extra_info("peername"))
        self.laddr = format_addr(transport.get_extra_info("sockname"))
        sock = transport.get_extra_info("socket")  # TCP_NODELAY: uvloop and asyncio set it themselves
        if sock is not None:
            self._fd = sock.fileno()
        if len(server.clients) + len(self._listener.handshakes) >= server.config["maxclients"]:
            server.stats.rejected_connections += 1
            self._refuse(b"-ERR max number of clients reached\r\n")
            return
        server.stats.total_connections_received += 1
        self._start()

    def _refuse(self, error: bytes) -> None:
        assert self._transport is not None
        self._transport.write(error)
        self._close()

    def _start(self) -> None:
        self._attach()

    def _attach(self) -> None:
        server = self._listener.server
        client = server.new_client(self.addr, self.laddr, self._fd, isinstance(self, TlsRedisProtocol))
        client.close = self._close
        client.send = self._write
        client.resume = self._schedule_resume
        self.client = client
        if server.log.level <= VERBOSE:  # under -k 0 a new connection is the hot path: no idle f-string
            server.log.verbose(f"Accepted {self.addr}")

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        self._parser.reset()  # a half-received request's memory goes with its client
        client = self.client
        if client is not None:
            self._listener.server.forget_client(client)
            self._listener.server.log.verbose("Client closed connection")
            self.client = None

    def eof_received(self) -> bool | None:
        return False  # close our side too, as Redis does on read() == 0

    def pause_writing(self) -> None:
        # The client does not read its replies: stop reading its commands until it catches up.
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None and not self._closing:
            self._transport.resume_reading()

    def _close(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    def _write(self, data: bytes) -> None:
        transport = self._transport
        if transport is not None and not self._closing:
            self._listener.stats.total_net_output_bytes += len(data)
            transport.write(data)

    # ------------------------------------------------------------ bytes in

    def data_received(self, data: bytes) -> None:
        """Plaintext: the bytes are the commands (TlsRedisProtocol decrypts first, then calls this)."""
        client = self.client
        if client is None or self._closing:  # rejected (maxclients) or closed in this very batch
            return
        listener = self._listener
        listener.stats.total_net_input_bytes += len(data)
        client.last_interaction = _monotonic()
        parser = self._parser
        parser.feed(data)
        buffered = parser.buffered
        unauth_limit = buffered > UNAUTH_QUERY_BUFFER_LIMIT and not client.authenticated
        if buffered > listener.query_limit or unauth_limit:
            self._query_buffer_overflow(client)
            return
        if client.blocked is None:  # a blocked client's commands wait in the parser, as in Redis
            self._execute(client, [])

    def _schedule_resume(self) -> None:
        """The client was served (or timed out) while blocked: run what it sent meanwhile, but from the
        event loop, after the command that woke it (Redis: processUnblockedClients in beforeSleep)."""
        asyncio.get_running_loop().call_soon(self._resume)

    def _resume(self) -> None:
        client = self.client
        if client is None or self._closing or client.blocked is not None:
            return
        held, client.held = client.held, []
        self._execute(client, held)

    def _execute(self, client: ClientState, held: list[list[bytes]]) -> None:
        """Run `held` (commands left over from a batch that blocked), then every complete command in the
        parser, and write the replies once."""
        listener = self._listener
        parser = self._parser
        out: list[bytes] = []
        execute_batch = listener.dispatcher.execute_batch
        pending = -1  # unsent reply bytes of an unauthenticated client (-1: not counted yet)
        if held:
            execute_batch(client, held, out)
        while client.blocked is None and not (client.close_after_reply or client.abort):
            # Before AUTH the parser returns one command at a time: AUTH may lift its limits.
            unauthenticated = not client.authenticated
            commands = parser.parse(unauthenticated)
            if not commands:
                break
            before = len(out)
            execute_batch(client, commands, out)
            if client.close_after_reply or client.abort or client.blocked is not None or not unauthenticated:
                break
            if not client.authenticated:
                if pending < 0:
                    pending = self._unsent() + sum(len(reply) for reply in out[:before])
                pending += sum(len(reply) for reply in out[before:])
                if pending > UNAUTH_OUTPUT_LIMIT:
                    self._output_limit_reached(client)
                    return
        server = listener.server
        stopped = client.close_after_reply or client.abort or client.blocked is not None
        if parser.error is not None and not stopped:
            out.append(resp.error_bytes(texts.protocol_error(parser.error)))
            server.stats.total_error_replies += 1
            client.close_after_reply = True
            server.log.verbose(f"Protocol error ({parser.error}) from client: addr={client.addr}")
        aof = server.aof
        if aof is not None:
            aof.before_reply()  # appendfsync always: on disk before any reply of this batch leaves
        if client.abort:
            self._close()
            return
        if out:
            self._write(b"".join(out) if len(out) > 1 else out[0])
        if client.close_after_reply:
            self._close()

    def _unsent(self) -> int:
        """Reply bytes the transport still holds (the client is not reading)."""
        transport = self._transport
        return transport.get_write_buffer_size() if transport is not None else 0

    def _output_limit_reached(self, client: ClientState) -> None:
        """Redis's asynchronous close: the client is dropped with its pending replies unsent."""
        from server.commands.connection import client_line

        server = self._listener.server
        server.log.warning(
            f"Client {client_line(server, client)} scheduled to be closed ASAP "
            "for overcoming of output buffer limits."
        )
        self._closing = True
        if self._transport is not None:
            self._transport.abort()

    def _query_buffer_overflow(self, client: ClientState) -> None:
        head = resp.repr_bytes(self._parser.peek(64))
        self._listener.server.log.warning(
            f"Closing client that reached max query buffer length: id={client.id} addr={client.addr} "
            f"laddr={client.laddr} (qbuf initial bytes: {head})"
        )
        self._close()


class TlsRedisProtocol(RedisProtocol):
    """The same protocol behind a TLS server session kept in memory BIOs."""

    __slots__ = ("_incoming", "_outgoing", "_ssl")

    def __init__(self, listener: Listener) -> None:
        super().__init__(listener)
        # The C session object (_ssl._SSLSocket) that ssl.SSLObject wraps: every SSLObject method only
        # forwards to it, a Python frame each, several times per connection and twice per request.
        self._ssl: Any = None
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()

    def _refuse(self, error: bytes) -> None:
        self._close()  # nothing can be said before a handshake

    def _start(self) -> None:
        context = self._listener.tls_context()
        if context is None:  # TLS was switched off since the listener started
            self._close()
            return
        self._ssl = _server_session(context, self._incoming, self._outgoing)
        self._listener.handshakes[self] = _monotonic()

    def _attach(self) -> None:
        self._listener.handshakes.pop(self, None)
        super()._attach()

    def expire(self) -> None:
        """`timeout` ran out during the handshake: close without logging a failed handshake."""
        self._ssl = None
        self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._listener.handshakes.pop(self, None)
        if self.client is None and self._ssl is not None:  # the handshake never completed
            self._handshake_failed_eof()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        sslobj, incoming = self._ssl, self._incoming
        if self._closing or sslobj is None:
            return
        incoming.write(data)
        if self.client is None:
            if not self._handshake():
                return
            if not incoming.pending:  # the client's Finished came alone: no record to read (and no
                return  # SSLWantReadError raised for nothing, once per connection)
        read = sslobj.read
        plain = b""
        ended = False
        try:
            plain = read(_TLS_READ)
            ended = not plain  # b"" (no exception) means the client sent close_notify
            while incoming.pending and not ended:  # more records arrived in this read
                more = read(_TLS_READ)
                ended = not more
                plain += more
        except ssl.SSLWantReadError:
            pass  # the rest of a record is still on its way
        except ssl.SSLError as e:  # bad record MAC, injected plaintext...: Redis drops the connection
            if plain:  # records before the bad one were valid: Redis ran them before reading further
                RedisProtocol.data_received(self, plain)
            if not self._closing:  # (unless one of them was QUIT or overflowed the query buffer)
                self._read_failed(e)
            return
        if self._outgoing.pending:  # OpenSSL answered by itself (no_renegotiation alert): send it now
            self._flush_tls()
        if plain:
            RedisProtocol.data_received(self, plain)
        if ended and not self._closing:
            self._close()  # answers with our close_notify: asyncio clients wait for it

    def _close(self) -> None:
        """Redis's connTLSClose: SSL_shutdown (our close_notify) for a connection still connected, then
        close. OpenSSL drops from the server's session cache the session of a connection freed without
        a close_notify sent, so closing after QUIT or `timeout` without it made the next offer of that
        session id a full handshake."""
        sslobj = self._ssl
        if sslobj is not None and self.client is not None and not self._closing:
            with contextlib.suppress(ssl.SSLError):
                sslobj.shutdown()
            self._flush_tls()
        super()._close()

    def _write(self, data: bytes) -> None:
        transport = self._transport
        if transport is not None and self._ssl is not None and not self._closing:
            self._listener.stats.total_net_output_bytes += len(data)
            self._ssl.write(data)
            transport.write(self._outgoing.read())

    def _read_failed(self, err: ssl.SSLError) -> None:
        """A record failed to decrypt mid-session: log Redis's line, send OpenSSL's alert, close.

        OpenSSL stops at the bad record, so Redis never reads the bytes after it and its close() of a socket
        with unread bytes makes the kernel send RST instead of FIN. An injection victim needs that RST: our
        FIN would acknowledge the forged bytes it never sent, so its kernel would drop the FIN and it would
        hang instead of seeing the connection go."""
        server = self._listener.server
        server.stats.tls_records_rejected += 1
        server.log.verbose(f"Reading from client: {openssl_error_string(err)}")
        self._flush_tls()
        transport = self._transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if self._incoming.pending and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._ssl = None  # a connection in error: Redis sends no close_notify (and the session goes)
        self._close()

    def _flush_tls(self) -> None:
        if self._outgoing.pending and self._transport is not None:
            self._transport.write(self._outgoing.read())

    # ------------------------------------------------------------ TLS handshake

    def _handshake(self) -> bool:
        """Advance the handshake; True once it is complete and the client is attached."""
        sslobj = self._ssl
        assert sslobj is not None
        server = self._listener.server
        try:
            sslobj.do_handshake()
        except ssl.SSLWantReadError:
            self._flush_tls()
            return False
        except ssl.SSLError as e:
            self._flush_tls()  # the alert tells the client why
            self._handshake_failed(openssl_error_string(e), f"addr={self.addr} laddr={self.laddr}")
            self._close()
            return False
        self._flush_tls()  # server Finished, TLS 1.3 session tickets
        if sslobj.session_reused:
            server.stats.tls_handshakes_resumed += 1
        else:
            server.stats.tls_handshakes_full += 1
        self._attach()
        return True

    def _handshake_failed(self, reason: str, where: str) -> None:
        server = self._listener.server
        server.stats.tls_handshakes_failed += 1
        server.log.warning(f"Error accepting a client connection: {reason} ({where})")
        self._ssl = None  # counted and logged once

    def _handshake_failed_eof(self) -> None:
        """The peer went away before the handshake completed (port scanners, plain TCP probes).
        Redis 7.0 logs OpenSSL 3's EOF error with the fd only: the client object does not exist yet."""
        self._handshake_failed(EOF_IN_HANDSHAKE, f"conn: fd={self._fd}")


class Listeners:
    """The listening sockets of one server: plaintext `port` and TLS `tls-port` on every `bind` address."""

    def __init__(self, server: ServerState, dispatcher: Dispatcher,
                 tls_context: Callable[[], ssl.SSLContext | None]) -> None:  # fmt: skip
        self.server = server
        self.listener = Listener(server, dispatcher, tls_context)
        self.servers: list[asyncio.AbstractServer] = []

    async def start(self, port: int, tls_port: int) -> None:
        """Bind both listeners; raises OSError with Redis's wording (the caller logs it and exits 1)."""
        cfg = self.server.config
        hosts = [h.lstrip("-") for h in cfg["bind"]] or ["127.0.0.1"]
        loop = asyncio.get_running_loop()
        for number, tls in ((port, False), (tls_port, True)):
            if not number:
                continue
            try:
                srv = await loop.create_server(
                    lambda tls=tls: (TlsRedisProtocol if tls else RedisProtocol)(self.listener),  # type: ignore[misc]
                    host=hosts, port=number, reuse_address=True, backlog=511,
                )  # fmt: skip
            except OSError as e:
                kind = "TLS" if tls else "TCP"
                raise OSError(
                    f"Warning: Could not create server TCP listening socket {hosts[0]}:{number}: "
                    f"bind: {os.strerror(e.errno) if e.errno else e}\n"
                    f"Failed listening on port {number} ({kind}), aborting."
                ) from None
            self.servers.append(srv)
            if tls:
                self.server.tls_port = number
            else:
                self.server.tcp_port = number

    def close_idle_handshakes(self, now: float, timeout: float) -> None:
        """`timeout` for connections that never finished their TLS handshake (silent or half-open)."""
        for protocol, since in list(self.listener.handshakes.items()):
            if now - since > timeout:
                self.server.log.verbose("Closing idle client")
                protocol.expire()

    def close(self) -> None:
        for srv in self.servers:
            srv.close()
        self.servers.clear()
