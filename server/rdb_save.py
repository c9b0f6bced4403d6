"""RDB snapshots as redis-server 7.0 takes them: SAVE, BGSAVE (a fork()ed child), the `save` points,
the final snapshot at shutdown, and loading `dir`/`dbfilename` at start (when appendonly is off).

- A snapshot is written to `temp-<pid>.rdb` in `dir`, fsynced, then renamed over `dbfilename`: a reader
  (or a crash) sees the old file or the new one, never half of one. The pid is the writer's: the
  server's for SAVE, the child's for BGSAVE, as Redis names them.
- BGSAVE forks: the child sees the dataset as of the fork (copy-on-write), writes the file and leaves
  with os._exit, never returning into the event loop; the parent reaps it from cron() once a second.
  The server runs no thread that could hold a lock across the fork but the AOF's fsync thread, which
  holds none the child needs (the child only encodes and writes).
- `changes` counts the writes since the last successful snapshot (Redis's server.dirty); a save point
  `<seconds> <changes>` fires when both are reached, retried at most every 5 s after a failure.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.rdb_file import RdbFileError, base_aux, open_rdb, too_many_databases, write_rdb

if TYPE_CHECKING:
    from server.config import Config
    from server.keyspace import Keyspace, Value
    from server.log import RedisLog

RETRY_DELAY = 5  # CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long


class RdbLoadError(Exception):
    """dump.rdb exists but cannot be loaded; str(err) is what Redis logs before exiting."""


def dataset_chunks(keyspace: Keyspace, cfg: Config, aux: list[tuple[bytes, bytes]]) -> Iterator[bytes]:
    """The RDB file of the live dataset (keys already past their expiry are left out, as Redis does)."""
    from server.commands.dumps import encodings

    now = int(time.time() * 1000)

    def live(index: int) -> list[tuple[bytes, Value, int | None]]:
        db = keyspace.db(index)
        items: list[tuple[bytes, Value, int | None]] = []
        for key, value in db.data.items():
            when = db.expires.get(key)
            if when is None or when >= now:
                items.append((key, value, when))
        return items

    dbs = ((i, live(i)) for i in range(keyspace.databases) if keyspace.db(i).data)
    yield from write_rdb(dbs, encodings(cfg), aux, checksum=cfg["rdbchecksum"])


def write_file(fd: int, chunks: Iterator[bytes]) -> None:
    """Write the chunks in ~1 MiB writes, then fsync."""
    buf = bytearray()
    for part in chunks:
        buf += part
        if len(buf) > 1 << 20:
            _write_all(fd, buf)
            buf.clear()
    _write_all(fd, buf)
    os.fsync(fd)


def close_inherited_fds(keep: int) -> None:
    """In a fork()ed child: close every descriptor but stdio and `keep` (the log). The child's copies of
    the listeners and client sockets would otherwise keep them open: a client the server closes would see
    no end of connection until the child exits, and a stopped server's port would stay bound."""
    if keep > 3:
        os.closerange(3, keep)
    os.closerange(max(3, keep + 1), (1 << 31) - 1)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass
class _Child:
    pid: int
    started: float
    changes: int  # `changes` when it forked: what a success clears


class Snapshots:
    """Owned by the server state; every method runs on the event-loop thread (the child excepted)."""

    def __init__(self, cfg: Config, log: RedisLog, keyspace: Keyspace) -> None:
        self.cfg, self.log, self.keyspace = cfg, log, keyspace
        self.changes = 0
        self.last_save = int(time.time())
        self.last_try = 0.0
        self.last_ok = True
        self.last_bgsave_seconds = -1
        self.saves = 0
        self.scheduled = False
        self.loaded_keys = 0
        self.expired_on_load = 0
        self._child: _Child | None = None
        self.refuse_writes = False

    @property
    def path(self) -> str:
        return os.path.join(self.cfg["dir"], self.cfg["dbfilename"])

    @property
    def in_progress(self) -> bool:
        return self._child is not None

    def _judge(self) -> None:
        """stop-writes-on-bgsave-error: writes (and PING) get MISCONF while the last snapshot failed and
        save points are set. A plain attribute, read by dispatch on every command."""
        self.refuse_writes = not self.last_ok and bool(self.cfg["save"]) \
            and bool(self.cfg["stop-writes-on-bgsave-error"])  # fmt: skip

    # ---------------------------------------------------------------- writing

    def _write(self) -> None:
        """rdbSave: temp-<pid>.rdb in dir, fsync, rename over dbfilename. OSError on failure."""
        from server.commands.connection import REDIS_VERSION

        temp = os.path.join(self.cfg["dir"], f"temp-{os.getpid()}.rdb")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as e:
            self.log.warning(f"Failed opening the temp RDB file {os.path.basename(temp)} (in server root dir "
                             f"{self.cfg['dir']}) for saving: {e.strerror}")  # fmt: skip
            raise
        aux = base_aux(REDIS_VERSION, 0, aof_base=False)
        try:
            try:
                write_file(fd, dataset_chunks(self.keyspace, self.cfg, aux))
            finally:
                os.close(fd)
        except OSError as e:
            self.log.warning(f"Write error saving DB on disk: {e.strerror}")
            self._remove(temp)
            raise
        try:
            os.rename(temp, self.path)
        except OSError as e:
            self.log.warning(f"Error moving temp DB file {os.path.basename(temp)} on the final destination "
                             f"{self.cfg['dbfilename']} (in server root dir {self.cfg['dir']}): "
                             f"{e.strerror}")  # fmt: skip
            self._remove(temp)
            raise
        self.log.notice("DB saved on disk")

    def save(self) -> bool:
        """SAVE (and the final snapshot): in the foreground. False when it failed (logged)."""
        self.saves += 1  # rdb_saves counts attempts, as Redis's stat_rdb_saves
        try:
            self._write()
        except OSError:
            return False
        self.changes = 0
        self.last_save = int(time.time())
        self.last_ok = True
        self._judge()
        return True

    def flushed(self) -> None:
        """FLUSHALL (Redis's flushAllDataAndResetRDB): a running BGSAVE would write the old data, so it
        is stopped; with save points the empty dataset is saved at once (rdb_saves does not count it)."""
        self.kill_child()
        if not self.cfg["save"]:
            return
        try:
            self._write()
        except OSError:
            return
        self.last_save = int(time.time())
        self.last_ok = True
        self._judge()
        # The dispatcher counts FLUSHALL itself once it returns; the snapshot already holds it, so the
        # count ends at 0, as Redis's does.
        self.changes = -1

    def start_bgsave(self) -> bool:
        """rdbSaveBackground: fork a child that writes the snapshot. False when fork failed (logged)."""
        self.last_try = time.time()
        self.saves += 1
        try:
            pid = os.fork()
        except OSError as e:
            self.last_ok = False
            self.log.warning(f"Can't save in background: fork: {e.strerror}")
            self._judge()
            return False
        if pid == 0:  # the child: write, and never return into the parent's event loop
            code = 1
            try:
                gc.disable()  # a collection would touch (and copy) every object's page
                close_inherited_fds(self.log.fileno())
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                self._write()
                code = 0
            except BaseException:  # any failure is the exit code the parent reads
                code = 1
            finally:
                os._exit(code)
        self._child = _Child(pid, time.monotonic(), self.changes)
        self.scheduled = False
        self.log.notice(f"Background saving started by pid {pid}")
        return True

    def reap(self, block: bool = False) -> None:
        """backgroundSaveDoneHandler: the child ended; success clears the changes it saved."""
        child = self._child
        if child is None:
            return
        pid, status = os.waitpid(child.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return
        self._child = None
        self.last_bgsave_seconds = int(time.monotonic() - child.started)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            self.log.notice("Background saving terminated with success")
            self.changes -= child.changes
            self.last_save = int(time.time())
            self.last_ok = True
        elif os.WIFSIGNALED(status):
            self.log.warning(f"Background saving terminated by signal {os.WTERMSIG(status)}")
            self._remove_temp(child.pid)
            if os.WTERMSIG(status) != signal.SIGUSR1:  # SIGUSR1: killed on purpose, not an error
                self.last_ok = False
        else:
            self.log.warning("Background saving error")
            self.last_ok = False
        self._judge()

    def _remove_temp(self, pid: int) -> None:
        self._remove(os.path.join(self.cfg["dir"], f"temp-{pid}.rdb"))

    @staticmethod
    def _remove(path: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)

    def kill_child(self) -> None:
        """Shutdown, FLUSHALL: stop a running BGSAVE and remove its temp file."""
        child = self._child
        if child is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGUSR1)
        os.waitpid(child.pid, 0)
        self._remove_temp(child.pid)
        self._child = None

    def cron(self, other_child: bool) -> None:
        """Once a second: reap the child; start a scheduled BGSAVE or one a save point asks for."""
        self._judge()  # CONFIG SET save / stop-writes-on-bgsave-error take effect within a second
        if self._child is not None:
            self.reap()
            return
        if other_child:  # an AOF rewrite runs: a snapshot waits for it, as Redis keeps one child
            return
        if self.scheduled:
            self.start_bgsave()
            return
        now = time.time()
        for seconds, changes in self.cfg["save"]:
            if self.changes >= changes and now - self.last_save > seconds and (
                now - self.last_try > RETRY_DELAY or self.last_ok
            ):
                self.log.notice(f"{changes} changes in {seconds} seconds. Saving...")
                self.start_bgsave()
                return

    def info(self) -> list[tuple[str, int | str]]:
        """INFO persistence fields (Redis names, in Redis's order)."""
        child = self._child
        return [
            ("rdb_changes_since_last_save", self.changes),
            ("rdb_bgsave_in_progress", int(child is not None)),
            ("rdb_last_save_time", self.last_save),
            ("rdb_last_bgsave_status", "ok" if self.last_ok else "err"),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_seconds),
            ("rdb_current_bgsave_time_sec", int(time.monotonic() - child.started) if child else -1),
            ("rdb_saves", self.saves),
            ("rdb_last_load_keys_expired", self.expired_on_load),
            ("rdb_last_load_keys_loaded", self.loaded_keys),
        ]

    # ---------------------------------------------------------------- loading

    def load(self) -> bool:
        """Read dbfilename at start (False: there is none). Keys past their expiry are dropped."""
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return False
        except OSError as e:
            raise RdbLoadError(f"Fatal error loading the DB: {e.strerror}. Exiting.") from None
        started = time.monotonic()
        now = int(time.time() * 1000)
        loaded = expired = 0
        try:
            rdb = open_rdb(data)
            for line in rdb.header_notices():
                self.log.notice(line)
            for entry in rdb.entries():
                fatal = too_many_databases(entry.db, self.keyspace.databases)
                if fatal is not None:
                    raise RdbLoadError(fatal)
                if entry.expire_ms is not None and entry.expire_ms < now:
                    expired += 1
                    continue
                db = self.keyspace.db(entry.db)
                db.set(entry.key, entry.value)
                if entry.expire_ms is not None:
                    db.set_expire_ms(entry.key, entry.expire_ms)
                loaded += 1
        except RdbFileError as e:
            name = self.cfg["dbfilename"]
            raise RdbLoadError(f"Fatal error loading the DB {name}: {e}. Exiting.") from None
        self.loaded_keys, self.expired_on_load = loaded, expired
        self.log.notice(f"Done loading RDB, keys loaded: {loaded}, keys expired: {expired}.")
        self.log.notice(f"DB loaded from disk: {time.monotonic() - started:.3f} seconds")
        return True
