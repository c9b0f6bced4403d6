"""The append-only file in Redis 7's multi-part layout (server.aof_manifest): a base holding the dataset
as of the last rewrite (an RDB file with aof-use-rdb-preamble yes, commands otherwise), then the
incremental files of RESP commands written since. SELECT is written whenever the database changes;
expiries arrive already rewritten as PEXPIREAT by the commands (see Ctx.log_as).

- appendfsync always: the batch is written and fdatasync()ed in before_reply(), which net calls once
  per read batch before any reply of that batch leaves; so an acknowledged write is on disk.
- everysec: written before the reply, fdatasync()ed by a background thread once a second (cron()).
- no: written before the reply; the kernel decides when it reaches the disk.
- BGREWRITEAOF, as Redis 7.0: a new incr file is opened (and put in the manifest) first, so writes made
  meanwhile land there; os.fork()ed child writes the snapshot to a temp file; when cron() sees it end,
  the temp file becomes the next base, the older files become history and are deleted.
- Start-up: server.aof_load replays the directory (an old single file is migrated into it first); a
  fresh start creates an (empty) base and an incr file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server import aof_manifest as mf
from server import texts
from server.aof_load import AofLoadError, AofLoadResult, AofReader
from server.aof_manifest import AofFile, Manifest, ManifestError
from server.rdb_file import base_aux
from server.rdb_save import close_inherited_fds, dataset_chunks, write_file
from server.texts import REWRITE_IN_PROGRESS

if TYPE_CHECKING:
    from server.config import Config
    from server.keyspace import Keyspace
    from server.log import RedisLog


def encode_command(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n" % len(arg))
        parts.append(arg)
        parts.append(b"\r\n")
    return b"".join(parts)


def _select(db: int) -> bytes:
    return encode_command([b"SELECT", str(db).encode()])


@dataclass
class _Rewrite:
    pid: int
    temp: str  # the child's output, in `dir` as Redis names it
    started: float
    keep: AofFile | None  # the incr file opened when the rewrite started: it stays after the switch


class _RewriteLimit:
    """aofRewriteLimited: after 3 failed rewrites in a row, automatic ones wait 1 minute, then 2, 4 ...
    up to an hour, between tries (BGREWRITEAOF is never held back)."""

    THRESHOLD = 3
    MAX_MINUTES = 60

    def __init__(self) -> None:
        self.delay_minutes = 0
        self.next_try = 0.0

    def limited(self, failures: int, log: RedisLog) -> bool:
        if failures < self.THRESHOLD:
            self.delay_minutes, self.next_try = 0, 0.0
            return False
        if self.next_try:
            if time.time() < self.next_try:
                return True
            self.next_try = 0.0
            return False
        self.delay_minutes = min(self.MAX_MINUTES, self.delay_minutes * 2 or 1)
        self.next_try = time.time() + self.delay_minutes * 60
        log.warning("Background AOF rewrite has repeatedly failed and triggered the limit, "
                    f"will retry in {self.delay_minutes} minutes")  # fmt: skip
        return True


class Aof:
    """Owned by the server state; every method runs on the event-loop thread."""

    def __init__(self, cfg: Config, log: RedisLog, keyspace: Keyspace) -> None:
        self.cfg, self.log, self.keyspace = cfg, log, keyspace
        self.dirname = os.path.join(cfg["dir"], cfg["appenddirname"])
        self.filename: str = cfg["appendfilename"]
        self.manifest = Manifest()
        self._reader: AofReader | None = None
        self._fd: int | None = None
        self._buf = bytearray()
        self._db = -1  # database the current incr file last selected
        self._timestamp = 0  # the last "#TS:" annotation written (aof-timestamp-enabled)
        self._rewrite: _Rewrite | None = None
        self._waiting_for_rewrite = False  # turned on at run time: the file is the first rewrite's result
        self._unsynced = False
        self._fsync_thread: threading.Thread | None = None
        self.write_error: str | None = None
        self.rewrites = 0
        self.rewrite_scheduled = False  # BGREWRITEAOF during a BGSAVE: started once that child is done
        self.last_rewrite_ok = True
        self.last_rewrite_seconds = -1
        self.consecutive_failures = 0
        # Redis's aof_rewrite_base_size: the base's size at start-up (Redis persists nothing better), after
        # a rewrite the new base plus the incr file written meanwhile. Growth over it starts auto rewrites.
        self.base_size = 0
        self._current_size = 0  # Redis's aof_current_size: counted as written, not the files' sizes
        self._limit = _RewriteLimit()

    @property
    def rewriting(self) -> bool:
        """A BGREWRITEAOF child runs (BGSAVE waits for it)."""
        return self._rewrite is not None

    def path(self, name: str) -> str:
        return os.path.join(self.dirname, name)

    @property
    def incr_path(self) -> str | None:
        """The incr file writes go to now (None before start-up opened one)."""
        return self.path(self.manifest.incrs[-1].name) if self.manifest.incrs else None

    # ---------------------------------------------------------------- loading

    def load(self, execute: Callable[[list[bytes]], None]) -> AofLoadResult:
        """Replay the base and incr files (RDB base entries go straight into the keyspace), then open
        the incr file writes go to. A directory with no manifest and no old-style file is an empty AOF."""
        reader = self._reader = AofReader(self.cfg, self.log, self.keyspace)
        self.manifest = reader.prepare()
        result = reader.replay(execute)
        # What was loaded: a base created now for a fresh directory counts for neither, as in Redis.
        self._current_size = self._size(self.manifest.files())
        self.base_size = self._size([self.manifest.base] if self.manifest.base else [])
        self._open_on_start()
        return result

    @property
    def loading(self) -> str:
        """The file being loaded (for messages about its commands)."""
        return self._reader.loading if self._reader is not None else ""

    def _open_on_start(self) -> None:
        """aofOpenIfNeededOnServerStart: a fresh directory gets an empty base; writes go to the last
        incr file, or to a new one."""
        m = self.manifest
        changed = False
        if m.base is None and not m.incrs:
            base = m.new_base(self.filename, self.cfg["aof-use-rdb-preamble"], keep=None)
            self._write_snapshot(self.path(base.name), rdb=self.cfg["aof-use-rdb-preamble"])
            self.log.notice(f"Creating AOF base file {base.name} on server start")
            changed = True
        if m.incrs:
            self.log.notice(f"Opening AOF incr file {m.incrs[-1].name} on server start")
        else:
            self.log.notice(f"Creating AOF incr file {m.new_incr(self.filename).name} on server start")
            changed = True
        self._fd = self._open_incr(m.incrs[-1].name)
        if changed:
            self._persist_manifest()
        self._delete_history()  # left by a rewrite that was cut short, as Redis cleans them at start

    def _open_incr(self, name: str, truncate: bool = False) -> int:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if truncate else os.O_APPEND)
        self._db = -1  # like Redis, the first write to a file selects its database again
        return os.open(self.path(name), flags, 0o644)

    def _persist_manifest(self) -> None:
        try:
            mf.persist(self.dirname, self.filename, self.manifest)
        except (OSError, ManifestError) as e:
            raise AofLoadError(str(e)) from None

    # ---------------------------------------------------------------- writing

    def feed(self, db: int, argvs: list[list[bytes]]) -> None:
        """Log commands that ran against database `db` (already in their replayable form)."""
        if self.cfg["aof-timestamp-enabled"]:  # Redis's annotation, once per second with writes
            now = int(time.time())
            if now > self._timestamp:
                self._timestamp = now
                self._buf += b"#TS:%d\r\n" % now
        if db != self._db:
            self._buf += _select(db)
            self._db = db
        for argv in argvs:
            self._buf += encode_command(argv)

    def before_reply(self) -> None:
        """Write what this batch logged; with appendfsync always also fdatasync, before any reply."""
        if not self._buf or self._fd is None:
            return
        try:
            self._write(self._fd, self._buf)
        except OSError as e:
            self._write_failed(e)
            return
        self._current_size += len(self._buf)
        self._buf.clear()
        self.write_error = None
        if self.cfg["appendfsync"] == "always" and not self._waiting_for_rewrite:
            os.fdatasync(self._fd)
        else:
            self._unsynced = True

    @staticmethod
    def _write(fd: int, data: bytes | bytearray) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]

    def _write_failed(self, err: OSError) -> None:
        self.write_error = err.strerror or str(err)
        self.log.warning(f"Error writing to the AOF file: {self.write_error}")
        if self.cfg["appendfsync"] == "always":
            # An acknowledged write would not be durable: Redis exits rather than lie to clients.
            self.log.warning(
                "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."
            )
            os._exit(1)

    def cron(self, other_child: bool = False) -> None:
        """Once a second: retry a failed write, everysec fsync (in a thread), finish a rewrite, start an
        automatic one. `other_child`: a BGSAVE runs (Redis keeps one child at a time)."""
        if self._buf and self.write_error is not None:
            self.before_reply()
        idle = self._fsync_thread is None or not self._fsync_thread.is_alive()
        if self._unsynced and idle and self.cfg["appendfsync"] == "everysec" and self._fd is not None:
            self._unsynced = False
            self._fsync_thread = threading.Thread(target=os.fdatasync, args=(self._fd,), daemon=True)
            self._fsync_thread.start()
        if self._rewrite is not None:
            self._reap_rewrite()
        elif self._waiting_for_rewrite:
            self.start_rewrite()  # the first rewrite failed: try again, as Redis reschedules it
        elif not other_child:
            self._auto_rewrite()

    def _auto_rewrite(self) -> None:
        """serverCron's trigger: the AOF is above auto-aof-rewrite-min-size and has grown by at least
        auto-aof-rewrite-percentage (0: never) over its size after the last rewrite."""
        percentage = self.cfg["auto-aof-rewrite-percentage"]
        if not percentage:
            return
        current = self.current_size()
        if current <= self.cfg["auto-aof-rewrite-min-size"]:
            return
        growth = current * 100 // (self.base_size or 1) - 100
        if growth >= percentage and not self._limit.limited(self.consecutive_failures, self.log):
            self.log.notice(f"Starting automatic rewriting of AOF on {growth}% growth")
            self.start_rewrite()

    def _switch_fd(self, fd: int) -> None:
        old = self._fd
        if self._fsync_thread is not None:
            self._fsync_thread.join()  # it may be syncing the old descriptor
        self._fd = fd
        if old is not None:
            with contextlib.suppress(OSError):
                os.fsync(old)
            os.close(old)

    # ---------------------------------------------------------------- rewrite

    def start_rewrite(self) -> str | None:
        """BGREWRITEAOF. Returns an error text instead of starting, or None when the child runs."""
        if self._rewrite is not None:
            return REWRITE_IN_PROGRESS
        self.before_reply()  # the old files must hold everything the child's snapshot does not
        keep: AofFile | None = None
        try:
            if self._waiting_for_rewrite:  # the snapshot will hold everything: start the temp file anew
                fd = self._open_incr(mf.temp_incr_name(self.filename), truncate=True)
                self._buf.clear()
            else:
                keep = self.manifest.new_incr(self.filename)
                fd = self._open_incr(keep.name)
                self._persist_manifest()
                self.log.notice(f"Creating AOF incr file {keep.name} on background rewrite")
        except (OSError, AofLoadError) as e:
            self.log.warning(f"Can't open new incr AOF file: {e}")
            return texts.AOF_INCR_OPEN_FAILED
        self._switch_fd(fd)
        pid = os.fork()
        temp = os.path.join(
            self.cfg["dir"], f"temp-rewriteaof-bg-{pid or os.getpid()}.aof"
        )  # the child's pid
        if pid == 0:  # child: never return into the parent's event loop
            code = 1
            try:
                close_inherited_fds(self.log.fileno())
                self._write_snapshot(temp, rdb=self.cfg["aof-use-rdb-preamble"])
                code = 0
            finally:
                os._exit(code)
        self._rewrite = _Rewrite(pid, temp, time.monotonic(), keep)
        self.log.notice(f"Background append only file rewriting started by pid {pid}")
        return None

    def _write_snapshot(self, path: str, rdb: bool) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_file(fd, self._snapshot_rdb() if rdb else self._snapshot_commands())
        finally:
            os.close(fd)

    def _snapshot_commands(self) -> Iterator[bytes]:
        if self.cfg["aof-timestamp-enabled"]:
            yield b"#TS:%d\r\n" % int(time.time())
        for argv in self.keyspace.dump_commands():
            yield encode_command(argv)

    def _snapshot_rdb(self) -> Iterator[bytes]:
        from server.commands.connection import REDIS_VERSION

        yield from dataset_chunks(self.keyspace, self.cfg, base_aux(REDIS_VERSION, 0))

    def _reap_rewrite(self, block: bool = False) -> None:
        rw = self._rewrite
        assert rw is not None
        pid, status = os.waitpid(rw.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return
        self._rewrite = None
        self.last_rewrite_seconds = int(time.monotonic() - rw.started)
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            self._rewrite_failed(rw, "Background AOF rewrite terminated with error")
            return
        self.log.notice("Background AOF rewrite terminated with success")
        self.before_reply()
        m = self.manifest
        old_base, old_incrs, old_history = m.base, list(m.incrs), list(m.history)
        old_seqs = (m.base_seq, m.incr_seq)
        base = m.new_base(self.filename, self.cfg["aof-use-rdb-preamble"], keep=rw.keep)
        try:
            os.rename(rw.temp, self.path(base.name))
            self.log.notice(f"Successfully renamed the temporary AOF base file {os.path.basename(rw.temp)} "
                            f"into {base.name}")  # fmt: skip
            if self._waiting_for_rewrite:
                incr = m.new_incr(self.filename)
                os.rename(self.path(mf.temp_incr_name(self.filename)), self.path(incr.name))
                self.log.notice(f"Successfully renamed the temporary AOF incr file "
                                f"{mf.temp_incr_name(self.filename)} into {incr.name}")  # fmt: skip
            self._persist_manifest()
        except (OSError, AofLoadError) as e:
            m.base, m.incrs, m.history = old_base, old_incrs, old_history
            m.base_seq, m.incr_seq = old_seqs
            self._rewrite_failed(rw, f"Error trying to switch to the rewritten AOF: {e}")
            return
        self.base_size = self._current_size = self._size([base, *([rw.keep] if rw.keep else m.incrs[-1:])])
        self._delete_history()
        if self._waiting_for_rewrite:
            self._waiting_for_rewrite = False
            self.log.notice("AOF rewrite successful: appendonly is on, writes are logged from now on")
        self.rewrites += 1
        self.last_rewrite_ok = True
        self.consecutive_failures = 0
        self.log.notice("Background AOF rewrite finished successfully")

    def _rewrite_failed(self, rw: _Rewrite, message: str) -> None:
        self.last_rewrite_ok = False
        self.consecutive_failures += 1
        self.log.warning(message)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(rw.temp)

    def _delete_history(self) -> None:
        """aof-disable-auto-gc no: the files a rewrite made obsolete go, and the manifest forgets them."""
        if self.cfg["aof-disable-auto-gc"] or not self.manifest.history:
            return
        gone, self.manifest.history = self.manifest.history, []
        try:
            self._persist_manifest()
        except AofLoadError as e:
            self.manifest.history = gone
            self.log.warning(str(e))
            return
        for entry in gone:
            self.log.notice(f"Removing the history file {entry.name} in the background")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(entry.name))

    # ---------------------------------------------------------------- life cycle

    @classmethod
    def start_from_dataset(cls, cfg: Config, log: RedisLog, keyspace: Keyspace) -> Aof:
        """CONFIG SET appendonly yes at run time: the next base is a rewrite of the current dataset;
        writes meanwhile go to a temp incr file that becomes the first incr file when the child is done.
        An existing manifest is kept: its files become history."""
        aof = cls(cfg, log, keyspace)
        with contextlib.suppress(AofLoadError):
            aof.manifest = AofReader(cfg, log, keyspace).prepare()
        aof._waiting_for_rewrite = True
        aof.start_rewrite()
        return aof

    def close(self) -> None:
        """Shutdown or appendonly no: flush, fsync, stop a running rewrite child."""
        self.before_reply()
        if self._fsync_thread is not None:
            self._fsync_thread.join()
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        rw = self._rewrite
        if rw is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(rw.pid, signal.SIGKILL)
            os.waitpid(rw.pid, 0)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(rw.temp)
            self._rewrite = None
        if self._waiting_for_rewrite:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(mf.temp_incr_name(self.filename)))

    def _size(self, entries: list[AofFile]) -> int:
        total = 0
        for entry in entries:
            with contextlib.suppress(OSError):
                total += os.path.getsize(self.path(entry.name))
        return total

    def current_size(self) -> int:
        """Redis's aof_current_size: what was loaded at start-up (or the size right after the last
        rewrite), plus every byte written since."""
        return self._current_size

    def info(self) -> dict[str, int | str]:
        """INFO persistence fields (Redis names)."""
        rw = self._rewrite
        return {
            "aof_rewrite_in_progress": int(rw is not None),
            "aof_rewrite_scheduled": int(self.rewrite_scheduled),
            "aof_last_rewrite_time_sec": self.last_rewrite_seconds,
            "aof_current_rewrite_time_sec": int(time.monotonic() - rw.started) if rw else -1,
            "aof_last_bgrewrite_status": "ok" if self.last_rewrite_ok else "err",
            "aof_rewrites": self.rewrites,
            "aof_rewrites_consecutive_failures": self.consecutive_failures,
            "aof_last_write_status": "ok" if self.write_error is None else "err",
            "aof_current_size": self.current_size(),
            "aof_base_size": self.base_size,
            "aof_buffer_length": len(self._buf),
        }


def switch_appendonly(cfg: Config, log: RedisLog, keyspace: Keyspace, current: Aof | None) -> Aof | None:
    """The on_change("appendonly") step: returns the Aof the server should use from now on."""
    if cfg["appendonly"] and current is None:
        return Aof.start_from_dataset(cfg, log, keyspace)
    if not cfg["appendonly"] and current is not None:
        current.close()
        return None
    return current
