"""Loading Redis 7's multi-part AOF: find the directory (migrating an old single file into it), read
the manifest, then replay the base (an RDB file's keys go straight into the keyspace; an AOF base is
commands) and each incr file in order, with Redis 7.0's log lines and fatal messages.

A truncated last file (or an unterminated MULTI) is cut off with Redis's warnings when
aof-load-truncated is yes and refused with Redis's advice when it is no; any other damage is refused. A
truncated file that is not the last is refused too (Redis truncates it first, then refuses: we leave it
untouched).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server import aof_manifest as mf
from server.aof_manifest import AofFile, AofType, Manifest, ManifestError
from server.rdb_file import RdbFileError, open_rdb, too_many_databases

if TYPE_CHECKING:
    from server.config import Config
    from server.keyspace import Keyspace
    from server.log import RedisLog


class AofLoadError(Exception):
    """The AOF cannot be loaded; str(err) is what Redis logs before exiting."""


@dataclass(frozen=True)
class AofLoadResult:
    files: int  # files loaded (base and incr)
    commands: int  # commands replayed
    keys: int  # keys read from an RDB base
    truncated_bytes: int  # bytes cut from a damaged tail (0: every file was whole)


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
class _Replayed:
    commands: int
    valid: int  # bytes up to the end of the last complete command (outside an unfinished MULTI)
    truncated: bool  # a short read or an unterminated MULTI at the end


def _replay(data: bytes, name: str, execute: Callable[[list[bytes]], None], log: RedisLog) -> _Replayed:
    """Run every command of one file; _BadFormat → AofLoadError with Redis's advice."""
    pos = valid = before_multi = count = 0
    in_multi = short = False
    while pos < len(data):
        if data[pos] == 0x23:  # an annotation (aof-timestamp-enabled: "#TS:<unix time>"): Redis skips it
            end = data.find(b"\n", pos)
            if end < 0:
                short = True
                break
            pos = valid = end + 1
            continue
        try:
            argv, pos = _parse(data, pos)
        except _Truncated:
            short = True
            break
        except _BadFormat:
            raise AofLoadError(
                f"Bad file format reading the append only file {name}: make a backup of your AOF file, "
                "then use ./redis-check-aof --fix <filename.manifest>"
            ) from None
        command = argv[0].lower()
        if command == b"multi":
            in_multi, before_multi = True, valid
        elif command == b"exec":
            in_multi = False
        execute(argv)
        count += 1
        valid = pos
    if in_multi:
        if not short:
            log.warning(f"Revert incomplete MULTI/EXEC transaction in AOF file {name}")
        valid = before_multi
    return _Replayed(count, valid, short or in_multi)


class AofReader:
    """One start-up's view of the AOF directory; `loading` names the file being replayed."""

    def __init__(self, cfg: Config, log: RedisLog, keyspace: Keyspace) -> None:
        self.cfg, self.log, self.keyspace = cfg, log, keyspace
        self.dirname = os.path.join(cfg["dir"], cfg["appenddirname"])
        self.filename: str = cfg["appendfilename"]
        self.manifest = Manifest()
        self.loading = ""

    def path(self, name: str) -> str:
        return os.path.join(self.dirname, name)

    def prepare(self) -> Manifest:
        """Create the directory if needed and read its manifest (an empty one when there is none)."""
        self._make_dir()
        self._read_manifest()
        return self.manifest

    def replay(self, execute: Callable[[list[bytes]], None]) -> AofLoadResult:
        """Load every file the manifest names, in order."""
        started = time.monotonic()
        files = self.manifest.files()
        commands = keys = truncated = 0
        for i, entry in enumerate(files):
            self.loading = entry.name
            last = i == len(files) - 1
            data = self._read(entry.name)
            began = time.monotonic()
            if entry.type is AofType.BASE and data.startswith(b"REDIS"):
                keys += self._load_rdb(entry.name, data)
            else:
                replayed = _replay(data, entry.name, execute, self.log)
                commands += replayed.commands
                if replayed.truncated:
                    truncated += self._truncate_tail(entry.name, replayed.valid, len(data), last)
            kind = "base" if entry.type is AofType.BASE else "incr"
            self.log.notice(
                f"DB loaded from {kind} file {entry.name}: {time.monotonic() - began:.3f} seconds"
            )
        self.loading = ""
        if files:
            self.log.notice(f"DB loaded from append only file: {time.monotonic() - started:.3f} seconds")
        return AofLoadResult(len(files), commands, keys, truncated)

    def _make_dir(self) -> None:
        name = self.cfg["appenddirname"]
        if os.path.exists(self.dirname) and not os.path.isdir(self.dirname):
            raise AofLoadError(f"Can't open or create append-only dir {name}: Not a directory")
        try:
            os.makedirs(self.dirname, exist_ok=True)
        except OSError as e:
            raise AofLoadError(f"Can't open or create append-only dir {name}: {e.strerror}") from None

    def _read_manifest(self) -> None:
        path = self.path(mf.manifest_name(self.filename))
        try:
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                text = f.read()
        except FileNotFoundError:
            self._migrate_old_style()
            return
        except OSError as e:
            raise AofLoadError(
                f"Can't open the AOF manifest file {mf.manifest_name(self.filename)}: {e.strerror}"
            ) from None
        try:
            self.manifest = mf.parse(text)
        except ManifestError as e:
            raise AofLoadError(str(e)) from None

    def _migrate_old_style(self) -> None:
        """Redis 7's upgrade: `dir/appendonly.aof` moves into the directory as the base (seq 1)."""
        old = os.path.join(self.cfg["dir"], self.filename)
        if not os.path.isfile(old):  # Redis ignores a directory of that name, and so do we
            return
        manifest = Manifest(base=AofFile(self.filename, 1, AofType.BASE), base_seq=1)
        try:
            mf.persist(self.dirname, self.filename, manifest)
            os.rename(old, self.path(self.filename))
        except (OSError, ManifestError) as e:
            raise AofLoadError(f"Failed to migrate the old-style AOF file {self.filename}: {e}") from None
        self.manifest = manifest
        self.log.notice(
            f"Successfully migrated an old-style AOF file ({self.filename}) into the AOF directory "
            f"({self.cfg['appenddirname']})."
        )

    def _read(self, name: str) -> bytes:
        try:
            with open(self.path(name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise AofLoadError(
                f"Unable to obtain the AOF file {name} length. stat: No such file or directory"
            ) from None
        except OSError as e:  # a directory, no permission...: Redis's one fatal line, not a traceback
            raise AofLoadError(
                f"Unrecoverable error reading the append only file {name}: {e.strerror or e}"
            ) from None

    def _load_rdb(self, name: str, data: bytes) -> int:
        self.log.notice("Reading RDB base file on AOF loading...")
        try:
            rdb = open_rdb(data)
            for line in rdb.header_notices():
                self.log.notice(line)
            keys = 0
            for entry in rdb.entries():
                fatal = too_many_databases(entry.db, self.keyspace.databases)
                if fatal is not None:
                    raise AofLoadError(fatal)
                db = self.keyspace.db(entry.db)
                db.set(entry.key, entry.value)
                if entry.expire_ms is not None:
                    db.set_expire_ms(entry.key, entry.expire_ms)
                keys += 1
        except RdbFileError as e:
            raise AofLoadError(f"Bad file format reading the RDB base file {name}: {e}") from None
        self.log.notice("RDB is base AOF")
        self.log.notice(f"Done loading RDB, keys loaded: {keys}, keys expired: 0.")
        return keys

    def _truncate_tail(self, name: str, valid: int, size: int, last: bool) -> int:
        if not self.cfg["aof-load-truncated"]:
            raise AofLoadError(
                f"Unexpected end of file reading the append only file {name}. You can: "
                "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
                "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and "
                "restart the server."
            )
        if not last:
            raise AofLoadError(f"!!! Warning: short read while loading the AOF file {name}!!!\n"
                               "Fatal error: the truncated file is not the last file")  # fmt: skip
        self.log.warning(f"!!! Warning: short read while loading the AOF file {name}!!!")
        self.log.warning(f"!!! Truncating the AOF {name} at offset {valid} !!!")
        try:
            os.truncate(self.path(name), valid)
        except OSError as e:
            raise AofLoadError(f"Error truncating the AOF file {name}: {e.strerror}") from None
        self.log.warning(f"AOF {name} loaded anyway because aof-load-truncated is enabled")
        return size - valid
