"""The append-only file: one file `dir/appendfilename` of RESP commands, as Redis ≤ 6 wrote it.

We chose the single-file layout (not Redis 7's appendonlydir/ + manifest): redis-check-aof 7.0 accepts
it as is, and one file is what a trainer can open and show. SELECT is written whenever the database
changes; expiries arrive already rewritten as PEXPIREAT by the commands (see Ctx.log_as).

- appendfsync always: the batch is written and fdatasync()ed in before_reply(), which net calls once
  per read batch before any reply of that batch leaves; so an acknowledged write is on disk.
- everysec: written before the reply, fdatasync()ed by a background thread once a second (cron()).
- no: written before the reply; the kernel decides when it reaches the disk.
- BGREWRITEAOF: os.fork(); the child writes keyspace.dump_commands() to a temp file and exits; the
  parent keeps serving and buffers every new write; cron() sees the child end, appends that buffer,
  fsyncs and renames the temp file over the AOF atomically.
- Loading: a truncated last command (or an unterminated MULTI) is cut off with Redis's warnings when
  aof-load-truncated is yes and refused with Redis's advice when it is no; any other damage is refused.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.config import Config
    from server.keyspace import Keyspace
    from server.log import RedisLog

REWRITE_IN_PROGRESS = "ERR Background append only file rewriting already in progress"


class AofLoadError(Exception):
    """The AOF cannot be loaded; str(err) is what Redis logs before exiting."""


@dataclass(frozen=True)
class AofLoadResult:
    path: str
    commands: int  # commands replayed
    size: int  # bytes of the file that were loaded
    truncated_bytes: int  # bytes cut from a damaged tail (0: the file was whole)


def encode_command(argv: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(argv)]
    for arg in argv:
        parts.append(b"$%d\r\n" % len(arg))
        parts.append(arg)
        parts.append(b"\r\n")
    return b"".join(parts)


def _select(db: int) -> bytes:
    return encode_command([b"SELECT", str(db).encode()])


class _Truncated(Exception):
    pass


class _BadFormat(Exception):
    pass


def _parse(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """One command at `pos` → (argv, next pos). _Truncated at a short end, _BadFormat otherwise."""

    def line(at: int, mark: int) -> tuple[int, int]:
        end = data.find(b"\r\n", at)
        if end < 0:
            raise _Truncated
        if data[at] != mark:
            raise _BadFormat
        try:
            return int(data[at + 1 : end]), end + 2
        except ValueError:
            raise _BadFormat from None

    argc, pos = line(pos, ord("*"))
    if argc < 1:
        raise _BadFormat
    argv = []
    for _ in range(argc):
        if pos >= len(data):
            raise _Truncated
        size, pos = line(pos, ord("$"))
        if size < 0:
            raise _BadFormat
        if pos + size + 2 > len(data):
            raise _Truncated
        argv.append(data[pos : pos + size])
        pos += size + 2
    return argv, pos


@dataclass
class _Rewrite:
    pid: int
    temp: str
    started: float
    buffer: bytearray
    db: int = -1  # database the buffered commands last selected


class Aof:
    """Owned by the server state; every method runs on the event-loop thread."""

    def __init__(self, cfg: Config, log: RedisLog, keyspace: Keyspace) -> None:
        self.cfg, self.log, self.keyspace = cfg, log, keyspace
        self.path = os.path.join(cfg["dir"], cfg["appendfilename"])
        self._fd: int | None = None
        self._buf = bytearray()
        self._db = -1  # database the file last selected
        self._rewrite: _Rewrite | None = None
        self._waiting_for_rewrite = False  # turned on at run time: the file is the first rewrite's result
        self._unsynced = False
        self._fsync_thread: threading.Thread | None = None
        self.write_error: str | None = None
        self.rewrites = 0
        self.last_rewrite_ok = True
        self.last_rewrite_seconds = -1

    # ---------------------------------------------------------------- loading

    def load(self, execute: Callable[[list[bytes]], None]) -> AofLoadResult:
        """Replay the file through `execute`, then open it for appending. A missing file is an empty one."""
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            data = b""
        except OSError as e:  # a directory, no permission...: Redis's one fatal line, not a traceback
            raise AofLoadError(
                f"Fatal error: can't open the append log file {self.path} for reading: {e.strerror or e}"
            ) from None
        if data.startswith(b"REDIS"):
            raise AofLoadError(
                f"Bad file format reading the append only file {self.path}: it starts with an RDB preamble, "
                "which the bundled server does not read (set aof-use-rdb-preamble no in Redis and rewrite)"
            )
        pos = valid = before_multi = count = 0
        in_multi = False
        problem: str | None = None
        while pos < len(data):
            try:
                argv, pos = _parse(data, pos)
            except _Truncated:
                problem = "short read"
                break
            except _BadFormat:
                raise AofLoadError(
                    f"Bad file format reading the append only file {self.path}: make a backup of your AOF "
                    f"file, then use ./redis-check-aof --fix {self.path}"
                ) from None
            name = argv[0].lower()
            if name == b"multi":
                in_multi, before_multi = True, valid
            elif name == b"exec":
                in_multi = False
            execute(argv)
            count += 1
            valid = pos
        if problem is None and in_multi:
            self.log.notice("Revert incomplete MULTI/EXEC transaction in AOF file")
            problem, valid = "multi", before_multi
        elif in_multi:
            valid = before_multi
        truncated = len(data) - valid if problem else 0
        if truncated:
            self._truncate_tail(valid)
        self._open()
        return AofLoadResult(self.path, count, valid, truncated)

    def _truncate_tail(self, valid: int) -> None:
        if not self.cfg["aof-load-truncated"]:
            raise AofLoadError(
                f"Unexpected end of file reading the append only file {self.path}. You can: "
                f"1) Make a backup of your AOF file, then use ./redis-check-aof --fix {self.path}. "
                "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and "
                "restart the server."
            )
        self.log.warning(f"!!! Warning: short read while loading the AOF file {self.path}!!!")
        self.log.warning(f"!!! Truncating the AOF at offset {valid} !!!")
        try:
            os.truncate(self.path, valid)
        except OSError as e:
            raise AofLoadError(f"Error truncating the AOF file {self.path}: {e.strerror}") from None
        self.log.warning("AOF loaded anyway because aof-load-truncated is enabled")

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._db = -1  # like Redis, the first write after start-up selects its database again

    # ---------------------------------------------------------------- writing

    def feed(self, db: int, argvs: list[list[bytes]]) -> None:
        """Log commands that ran against database `db` (already in their replayable form)."""
        payload = b"".join(encode_command(argv) for argv in argvs)
        if not self._waiting_for_rewrite:
            if db != self._db:
                self._buf += _select(db)
                self._db = db
            self._buf += payload
        rw = self._rewrite
        if rw is not None:
            if db != rw.db:
                rw.buffer += _select(db)
                rw.db = db
            rw.buffer += payload

    def before_reply(self) -> None:
        """Write what this batch logged; with appendfsync always also fdatasync, before any reply."""
        if not self._buf or self._fd is None:
            return
        try:
            self._write(self._fd, self._buf)
        except OSError as e:
            self._write_failed(e)
            return
        self._buf.clear()
        self.write_error = None
        if self.cfg["appendfsync"] == "always":
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

    def cron(self) -> None:
        """Once a second: retry a failed write, everysec fsync (in a thread), finish a rewrite."""
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

    # ---------------------------------------------------------------- rewrite

    def start_rewrite(self) -> str | None:
        """BGREWRITEAOF. Returns an error text instead of starting, or None when the child runs."""
        if self._rewrite is not None:
            return REWRITE_IN_PROGRESS
        self.before_reply()  # the file must hold everything the child's snapshot contains
        temp = os.path.join(self.cfg["dir"], f"temp-rewriteaof-bg-{os.getpid()}.aof")
        pid = os.fork()
        if pid == 0:  # child: never return into the parent's event loop
            code = 1
            try:
                self._write_snapshot(temp)
                code = 0
            finally:
                os._exit(code)
        self._rewrite = _Rewrite(pid, temp, time.monotonic(), bytearray())
        self.log.notice(f"Background append only file rewriting started by pid {pid}")
        return None

    def _write_snapshot(self, temp: str) -> None:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            chunk = bytearray()
            for argv in self.keyspace.dump_commands():
                chunk += encode_command(argv)
                if len(chunk) > 1 << 20:
                    self._write(fd, chunk)
                    chunk.clear()
            self._write(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _reap_rewrite(self, block: bool = False) -> None:
        rw = self._rewrite
        assert rw is not None
        pid, status = os.waitpid(rw.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return
        self._rewrite = None
        self.last_rewrite_seconds = int(time.monotonic() - rw.started)
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            self.last_rewrite_ok = False
            self.log.warning("Background AOF rewrite terminated with error")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(rw.temp)
            return
        self.log.notice("Background AOF rewrite terminated with success")
        self.before_reply()  # the old file stays complete up to the switch
        try:
            fd = os.open(rw.temp, os.O_WRONLY | os.O_APPEND)
            try:
                self._write(fd, rw.buffer)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(rw.temp, self.path)
            _fsync_dir(os.path.dirname(self.path) or ".")
        except OSError as e:
            self.last_rewrite_ok = False
            self.log.warning(f"Error trying to rename the temporary AOF file {rw.temp}: {e.strerror}")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(rw.temp)
            return
        self.log.notice(
            f"Residual parent diff successfully flushed to the rewritten AOF ({len(rw.buffer) / 1e6:.2f} MB)"
        )
        old = self._fd
        if self._fsync_thread is not None:
            self._fsync_thread.join()  # it may be syncing the old descriptor
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        self._db = rw.db
        if old is not None:
            os.close(old)
        if self._waiting_for_rewrite:
            self._waiting_for_rewrite = False
            self.log.notice("AOF rewrite successful: appendonly is on, writes are logged from now on")
        self.rewrites += 1
        self.last_rewrite_ok = True
        self.log.notice("Background AOF rewrite finished successfully")

    # ---------------------------------------------------------------- life cycle

    @classmethod
    def start_from_dataset(cls, cfg: Config, log: RedisLog, keyspace: Keyspace) -> Aof:
        """CONFIG SET appendonly yes at run time: the file starts as a rewrite of the current dataset;
        writes meanwhile go to the rewrite buffer, and the AOF takes over when the child is done."""
        aof = cls(cfg, log, keyspace)
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

    def info(self) -> dict[str, int | str]:
        """INFO persistence fields (Redis names)."""
        size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        rw = self._rewrite
        return {
            "aof_rewrite_in_progress": int(rw is not None),
            "aof_rewrite_scheduled": 0,
            "aof_last_rewrite_time_sec": self.last_rewrite_seconds,
            "aof_current_rewrite_time_sec": int(time.monotonic() - rw.started) if rw else -1,
            "aof_last_bgrewrite_status": "ok" if self.last_rewrite_ok else "err",
            "aof_rewrites": self.rewrites,
            "aof_last_write_status": "ok" if self.write_error is None else "err",
            "aof_current_size": size,
            "aof_buffer_length": len(self._buf),
        }


def _fsync_dir(path: str) -> None:
    """Make a rename durable: fsync the directory entry too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_appendonly(cfg: Config, log: RedisLog, keyspace: Keyspace, current: Aof | None) -> Aof | None:
    """The on_change("appendonly") step: returns the Aof the server should use from now on."""
    if cfg["appendonly"] and current is None:
        return Aof.start_from_dataset(cfg, log, keyspace)
    if not cfg["appendonly"] and current is not None:
        current.close()
        return None
    return current
