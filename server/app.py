"""The bundled server assembled: config → users, keyspace, TLS, AOF → listeners, timers, signals, shutdown.

Start-up failures end with Redis's words and exit code 1 (bad TLS files, ports in use, no listener);
SIGTERM / SIGINT / SHUTDOWN flush the AOF, take the final RDB snapshot when save points are set (or
SHUTDOWN SAVE), close every connection and exit 0. A snapshot that fails keeps the server running (Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from server.acl import AclLoadError, Users
from server.aof import Aof, AofLoadError, switch_appendonly
from server.commands import FAMILIES
from server.commands.connection import REDIS_VERSION
from server.commands.registry import build_table
from server.dispatch import Dispatcher
from server.fdlimit import FdLimitError, adjust_open_files_limit
from server.keyspace import Keyspace
from server.log import RedisLog
from server.net import Listeners
from server.rdb_save import RdbLoadError
from server.state import ClientState, ServerState
from server.texts import SHUTDOWN_FAILED
from server.tls import FAILED_TO_CONFIGURE, ServerTls, TlsConfigError

if TYPE_CHECKING:
    from server.config import Config

EXPIRE_BUDGET_SHARE = 0.25  # Redis's slow expire cycle may use 25% of each cron period


class StartupError(Exception):
    """The server cannot start; str(err) is what Redis would log before exiting 1."""


class App:
    def __init__(self, cfg: Config, log: RedisLog) -> None:
        self.cfg = cfg
        self.log = log
        cfg.on_change("loglevel", lambda: log.set_level(cfg["loglevel"]))
        table = build_table(FAMILIES)
        try:
            users = Users.from_config(cfg, [name.decode() for name in table])
        except AclLoadError as e:
            raise StartupError(str(e)) from None
        self.state = ServerState(config=cfg, keyspace=Keyspace(cfg["databases"]), users=users, log=self.log,
                                 table=table)  # fmt: skip
        self.dispatcher = Dispatcher(self.state)
        self.state.request_shutdown = self.request_shutdown
        try:
            self.tls = ServerTls(cfg)
        except TlsConfigError as e:
            raise StartupError(f"{e}\n{FAILED_TO_CONFIGURE}") from None
        self.listeners = Listeners(self.state, self.dispatcher, lambda: self.tls.context)
        self._stop: asyncio.Event | None = None
        self._timers: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------ life cycle

    async def serve(self) -> None:
        cfg, log = self.cfg, self.log
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        log.notice("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
        log.notice(
            f"Redis version={REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid={os.getpid()}, "
            f"just started (redis-tls-lab bundled server, Python {sys.version.split()[0]}, "
            f"{type(loop).__module__.split('.')[0]} event loop)"
        )
        log.notice("Configuration loaded" if cfg.path else
                   "Warning: no config file specified, using the default config.")  # fmt: skip
        try:
            adjust_open_files_limit(cfg, log)
        except FdLimitError as e:
            raise StartupError(str(e)) from None
        if not cfg["port"] and not cfg["tls-port"]:
            raise StartupError("Configured to not listen anywhere, exiting.")
        self._load_aof()
        self._load_rdb()
        try:
            await self.listeners.start(cfg["port"], cfg["tls-port"])
        except OSError as e:
            raise StartupError(str(e)) from None
        log.notice(f"Running mode=standalone, port={cfg['port']}.")
        log.notice("Server initialized")
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        self._timers.append(asyncio.create_task(self._cron()))
        if cfg["port"]:
            log.notice("Ready to accept connections tcp")
        if cfg["tls-port"]:
            log.notice("Ready to accept connections tls")
        try:
            await self._stop.wait()
        finally:
            await self._shutdown()

    def _on_signal(self, sig: signal.Signals) -> None:
        self.log.warning(f"Received {sig.name} scheduling shutdown...")
        self.request_shutdown(None, False)  # a failed final snapshot keeps it running, as Redis (logged)

    def request_shutdown(self, save: bool | None, force: bool) -> str | None:
        """SHUTDOWN / signals: stop after the current batch. A running BGSAVE is killed; the final
        snapshot is taken when `save` is True, or None with save points set. When it fails the server
        keeps running (an error text is returned) unless `force`."""
        self.log.warning("User requested shutdown...")
        rdb = self.state.rdb
        if rdb.in_progress:
            self.log.warning("There is a child saving an .rdb. Killing it!")
            rdb.kill_child()
        if save or (save is None and self.cfg["save"]):
            self.log.notice("Saving the final RDB snapshot before exiting.")
            if not rdb.save() and not force:
                self.log.warning("Error trying to save the DB, can't exit.")
                self.log.warning("Errors trying to shut down the server. "
                                 "Check the logs for more information.")
                return SHUTDOWN_FAILED
        if self._stop is not None:
            self._stop.set()
        return None

    async def _shutdown(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        for task in self._timers:
            task.cancel()
        for task in self._timers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.listeners.close()
        for client in list(self.state.clients.values()):
            client.close()
        aof = self.state.aof
        if aof is not None:
            self.log.notice("Calling fsync() on the AOF file.")
            aof.close()
        self.state.rdb.kill_child()  # (request_shutdown killed it already unless the loop itself failed)
        await asyncio.sleep(0)  # let transports flush what the last batch wrote
        self.log.warning("Redis is now ready to exit, bye bye...")

    # ------------------------------------------------------------ periodic work (Redis's serverCron)

    async def _cron(self) -> None:
        state = self.state
        last_second = time.monotonic()
        while True:
            hz = self.cfg["hz"]
            await asyncio.sleep(1 / hz)
            state.keyspace.active_expire_cycle(budget_ms=1000 / hz * EXPIRE_BUDGET_SHARE)
            now = time.monotonic()
            if now - last_second >= 1:
                last_second = now
                self._close_idle_clients(now)
                if state.aof is not None:
                    state.aof.cron(other_child=state.rdb.in_progress)
                state.rdb.cron(other_child=state.aof is not None and state.aof.rewriting)
                aof = state.aof
                if aof is not None and aof.rewrite_scheduled and not (aof.rewriting or state.rdb.in_progress):
                    aof.rewrite_scheduled = False
                    aof.start_rewrite()

    def _close_idle_clients(self, now: float) -> None:
        timeout = self.cfg["timeout"]
        if not timeout:
            return
        for client in list(self.state.clients.values()):
            # As clientsCronHandleTimeout: MONITORs, blocked clients (their command's timeout applies) and
            # subscribers (they wait for messages) are never idle.
            exempt = client.monitor or client.blocked is not None or client.subscribed
            if not exempt and now - client.last_interaction > timeout:
                self.log.verbose("Closing idle client")
                client.close()
        self.listeners.close_idle_handshakes(now, timeout)

    # ------------------------------------------------------------ AOF

    def _load_aof(self) -> None:
        """With appendonly yes: replay the file (if any), then log every write from here on.
        CONFIG SET appendonly yes|no later switches the AOF on (dataset written first) or off."""
        self.cfg.on_change("appendonly", self._switch_appendonly)
        if not self.cfg["appendonly"]:
            return
        state = self.state
        aof = Aof(self.cfg, self.log, state.keyspace)
        loader = ClientState(state, 0, "aof-loader", "", -1, False)
        loader.authenticated = True
        sink: list[bytes] = []
        current = [""]  # the file being replayed: Redis loads each with a fresh client (db 0)

        def execute(argv: list[bytes]) -> None:
            if aof.loading != current[0]:
                current[0], loader.db_index, loader.multi = aof.loading, 0, None
            if argv[0].lower() not in state.table:  # Redis exits: skipping it would load other data
                name = argv[0].decode("utf-8", "surrogateescape")
                raise AofLoadError(f"Unknown command '{name}' reading the append only file {aof.loading}")
            self.dispatcher.execute(loader, argv, sink)
            if sink and sink[0].startswith(b"-"):  # Redis loads on, but says so (SELECT 99, WRONGTYPE...)
                self.log.warning(
                    "== CRITICAL == This server is sending an error to its AOF-loading-client: "
                    f"'{_logged_error(sink[0])}' after processing the command "
                    f"'{argv[0].lower().decode('utf-8', 'surrogateescape')}'"
                )
            sink.clear()

        state.keyspace.loading = True
        try:
            aof.load(execute)
        except AofLoadError as e:
            raise StartupError(str(e)) from None
        finally:
            state.keyspace.loading = False
        self._use_aof(aof)

    def _load_rdb(self) -> None:
        """With appendonly no: the dataset is dbfilename in dir, when there is one (the AOF wins when on)."""
        if self.cfg["appendonly"]:
            return
        keyspace = self.state.keyspace
        keyspace.loading = True
        try:
            self.state.rdb.load()
        except RdbLoadError as e:
            raise StartupError(str(e)) from None
        finally:
            keyspace.loading = False

    def _switch_appendonly(self) -> None:
        self._use_aof(switch_appendonly(self.cfg, self.log, self.state.keyspace, self.state.aof))

    def _use_aof(self, aof: Aof | None) -> None:
        self.state.aof = aof
        # An expired key leaves the dataset: the AOF records a DEL, so a replay does not resurrect it.
        if aof is None:
            self.state.keyspace.on_expired = None
        else:
            self.state.keyspace.on_expired = lambda db, key: aof.feed(db, [[b"DEL", key]])


def _logged_error(reply: bytes) -> str:
    """The error as Redis's afterErrorReply logs it: a plain ERR without its prefix, a coded one whole."""
    text = reply.rstrip(b"\r\n").decode("utf-8", "replace")
    return text[5:] if text.startswith("-ERR ") else text


def run(cfg: Config) -> int:
    """Run until shutdown. Start-up failures are logged with Redis's words and give exit code 1."""
    try:
        import uvloop

        loop_factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    except ImportError:  # stock asyncio works, at about half the throughput
        loop_factory = asyncio.new_event_loop
    log = RedisLog(cfg["loglevel"], cfg["logfile"])
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(App(cfg, log).serve())
    except StartupError as e:
        for line in str(e).splitlines():
            log.warning(line)
        return 1
    finally:
        log.close()
    return 0
