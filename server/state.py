"""Server-wide and per-connection state shared by dispatch, net and the command families.

No I/O here: the network layer gives each ClientState a `close` callback; commands that end a connection
(QUIT, CLIENT KILL) call it or set `close_after_reply`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from server.acllog import AclLog
from server.context import Ctx
from server.pubsub import PubSub
from server.slowlog import CommandHistograms, LatencyMonitor, SlowLog

if TYPE_CHECKING:
    from server.acl import User, Users
    from server.aof import Aof
    from server.blocking import Blocking, Waiter
    from server.commands.registry import CommandSpec
    from server.config import Config
    from server.dispatch import Dispatcher
    from server.keyspace import Keyspace, WatchState
    from server.log import RedisLog
    from server.rdb_save import Snapshots


@dataclass
class Stats:
    """INFO stats counters; CONFIG RESETSTAT zeroes them (Redis resets the same set)."""

    total_connections_received: int = 0
    total_commands_processed: int = 0
    rejected_connections: int = 0
    total_net_input_bytes: int = 0
    total_net_output_bytes: int = 0
    total_error_replies: int = 0
    # Ours, not Redis's: what the TLS listener saw (a resumed handshake skips the certificate exchange).
    tls_handshakes_full: int = 0
    tls_handshakes_resumed: int = 0
    tls_handshakes_failed: int = 0
    tls_records_rejected: int = 0  # mid-session records that failed to decrypt (forged, corrupted, plaintext)

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, 0)


class ClientState:
    """One connection as commands see it (CLIENT LIST fields, auth, MULTI queue, WATCH, RESP version)."""

    __slots__ = (
        "_db_index",
        "abort",
        "addr",
        "authenticated",
        "blocked",
        "close",
        "close_after_reply",
        "created",
        "ctx",
        "deny_blocking",
        "fd",
        "held",
        "id",
        "laddr",
        "last_cmd",
        "last_interaction",
        "monitor",
        "multi",
        "multi_error",
        "name",
        "no_evict",
        "proto",
        "resume",
        "send",
        "subscribed",
        "tls",
        "user",
        "watch",
    )

    def __init__(
        self, server: ServerState, client_id: int, addr: str, laddr: str, fd: int, tls: bool
    ) -> None:
        self.id = client_id
        self.addr = addr
        self.laddr = laddr
        self.fd = fd
        self.tls = tls
        self.name: bytes | None = None
        self._db_index = 0
        self.proto = 2
        self.user: User = server.users.default
        self.authenticated = not server.users.auth_required()
        self.multi: list[list[bytes]] | None = None  # queued commands while in MULTI
        self.multi_error = False  # a command failed to queue: EXEC answers EXECABORT
        self.watch: WatchState | None = None
        self.monitor = False
        self.subscribed = False  # has channel or pattern subscriptions (RESP2: subscribed mode)
        self.close_after_reply = False  # QUIT, protocol errors: write what is pending, then close
        self.abort = False  # POST / Host: (cross-protocol attack): close without writing pending replies
        self.close: Callable[[], None] = _not_connected  # set by net: close the connection now
        self.send: Callable[[bytes], None] = _discard  # set by net: write bytes outside a reply (MONITOR)
        self.blocked: Waiter | None = None  # waiting in a blocking command (server.blocking)
        self.held: list[list[bytes]] = []  # commands pipelined after the blocking one, run once it is served
        self.resume: Callable[[], None] = _no_op  # set by net: run the held commands and pending input
        self.deny_blocking = False  # inside EXEC: blocking commands answer at once
        self.no_evict = False  # CLIENT NO-EVICT: shown as flag 'e' (no client eviction happens here anyway)
        self.created = time.monotonic()
        self.last_interaction = self.created
        self.last_cmd = "NULL"
        self.ctx = Ctx(server, self)  # reused for every command of this client (dispatch resets .log)

    @property
    def db_index(self) -> int:
        return self._db_index

    @db_index.setter
    def db_index(self, index: int) -> None:
        """SELECT / RESET: the context's database follows, so handlers never look it up per command."""
        self._db_index = index
        ctx = self.ctx
        ctx.db = ctx.server.keyspace.db(index)


def _not_connected() -> None:
    """Until the network layer attaches the connection there is nothing to close."""


def _discard(data: bytes) -> None:
    """Until the network layer attaches the connection there is nowhere to send."""


def _no_op() -> None:
    """Until the network layer attaches the connection there is no pending input."""


@dataclass
class ServerState:
    config: Config
    keyspace: Keyspace
    users: Users
    log: RedisLog
    table: dict[bytes, CommandSpec] = field(default_factory=dict)
    aof: Aof | None = None
    dispatcher: Dispatcher | None = None  # set by Dispatcher(); EXEC runs its queue through it
    stats: Stats = field(default_factory=Stats)
    clients: dict[int, ClientState] = field(default_factory=dict)
    monitors: list[ClientState] = field(default_factory=list)
    pubsub: PubSub = field(default_factory=PubSub)
    acl_log: AclLog = field(default_factory=AclLog)
    slowlog: SlowLog = field(default_factory=SlowLog)
    latency: LatencyMonitor = field(default_factory=LatencyMonitor)
    histograms: CommandHistograms = field(default_factory=CommandHistograms)
    run_id: str = field(default_factory=lambda: os.urandom(20).hex())
    started: float = field(default_factory=time.time)
    started_monotonic: float = field(default_factory=time.monotonic)
    tcp_port: int = 0  # the ports really bound (config may say 0 for "none")
    tls_port: int = 0
    # Set by the application: SHUTDOWN asks it to stop (save: bool | None, force: bool); BGREWRITEAOF runs
    # through aof.
    request_shutdown: Callable[[bool | None, bool], str | None] = field(default=lambda save, force: None)
    _next_client_id: int = 0
    blocking: Blocking = field(init=False)
    rdb: Snapshots = field(init=False)  # SAVE / BGSAVE / save points; counts the changes since the last

    def __post_init__(self) -> None:
        # Imported here: server.blocking needs the command package, which needs this module.
        from server.blocking import Blocking
        from server.rdb_save import Snapshots

        self.blocking = Blocking(self, self.keyspace)
        self.rdb = Snapshots(self.config, self.log, self.keyspace)

    def new_client(self, addr: str, laddr: str, fd: int, tls: bool) -> ClientState:
        self._next_client_id += 1
        client = ClientState(self, self._next_client_id, addr, laddr, fd, tls)
        self.clients[client.id] = client
        return client

    def forget_client(self, client: ClientState) -> None:
        self.clients.pop(client.id, None)
        if client.blocked is not None:
            self.blocking.forget(client)
        if client.subscribed:
            self.pubsub.forget(client)
        if client.monitor:
            client.monitor = False
            self.monitors.remove(client)
        if client.watch is not None:
            self.keyspace.unwatch_all(client.watch)
            client.watch = None

    def uptime(self) -> int:
        return int(time.monotonic() - self.started_monotonic)
