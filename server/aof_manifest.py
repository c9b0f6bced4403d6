"""Redis 7's multi-part AOF layout: `dir/appenddirname/` holds a manifest naming one base file, the
incremental files written since, and history files a rewrite left (deleted right after it).

    file appendonly.aof.1.base.rdb seq 1 type b
    file appendonly.aof.1.incr.aof seq 1 type i

Names are `<appendfilename>.<seq>.base.rdb|aof` and `<appendfilename>.<seq>.incr.aof`; the manifest is
`<appendfilename>.manifest`, replaced atomically (written to `temp-<appendfilename>.manifest`, fsynced,
renamed). Parse errors are Redis 7.0's words, logged after the offending line (`>>> '...'`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field, replace
from enum import Enum

MAX_LINE = 1024  # Redis reads the manifest with a fixed line buffer


class AofType(Enum):
    BASE = "b"
    HISTORY = "h"
    INCR = "i"


@dataclass(frozen=True)
class AofFile:
    name: str
    seq: int
    type: AofType

    def line(self) -> str:
        shown = self.name if self.name and not any(c.isspace() or c in "\"'\\" for c in self.name) else (
            '"' + self.name.replace("\\", "\\\\").replace('"', '\\"') + '"')  # fmt: skip
        return f"file {shown} seq {self.seq} type {self.type.value}\n"


class ManifestError(Exception):
    """The manifest cannot be used; str(err) is what Redis logs before exiting."""


@dataclass
class Manifest:
    base: AofFile | None = None
    incrs: list[AofFile] = field(default_factory=list)
    history: list[AofFile] = field(default_factory=list)
    base_seq: int = 0  # the last base sequence number handed out
    incr_seq: int = 0

    def render(self) -> str:
        files = ([self.base] if self.base else []) + self.history + self.incrs
        return "".join(f.line() for f in files)

    def files(self) -> list[AofFile]:
        """What loading replays, in order: the base, then each incremental file."""
        return ([self.base] if self.base else []) + self.incrs

    def new_base(self, appendfilename: str, rdb: bool, keep: AofFile | None) -> AofFile:
        """The next base's entry (a finished rewrite): the old base and every incr file but `keep`
        (the one opened when the rewrite started) become history."""
        self.base_seq += 1
        suffix = "rdb" if rdb else "aof"
        name = f"{appendfilename}.{self.base_seq}.base.{suffix}"
        self.history += [replace(f, type=AofType.HISTORY) for f in self.files() if f != keep]
        self.incrs = [keep] if keep is not None else []
        self.base = AofFile(name, self.base_seq, AofType.BASE)
        return self.base

    def new_incr(self, appendfilename: str) -> AofFile:
        self.incr_seq += 1
        entry = AofFile(f"{appendfilename}.{self.incr_seq}.incr.aof", self.incr_seq, AofType.INCR)
        self.incrs.append(entry)
        return entry


def parse(text: str) -> Manifest:
    """loadManifestFromFile: ManifestError with Redis's message (after the bad line) for a broken file."""
    manifest = Manifest()
    seen_line = False
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if line.startswith("#"):
            continue
        seen_line = True

        def bad(message: str, shown: str = line) -> ManifestError:
            return ManifestError(f">>> '{shown}'\n{message}")

        if len(raw) >= MAX_LINE:
            raise bad("The AOF manifest file contains too long line", line[:64] + "...")
        if not raw.endswith("\n"):
            raise bad("The AOF manifest file is invalid format")
        try:
            words = shlex.split(line, posix=True)
        except ValueError:
            raise bad("Invalid AOF manifest file format") from None
        if len(words) < 6 or len(words) % 2:
            raise bad("Invalid AOF manifest file format")
        fields = dict(zip(words[::2], words[1::2], strict=True))  # unknown keys: newer Redis, ignored
        name, seq_text, kind = fields.get("file"), fields.get("seq"), fields.get("type")
        if not name or seq_text is None or kind is None:
            raise bad("Invalid AOF manifest file format")
        try:
            seq = int(seq_text)
            type_ = AofType(kind)
        except ValueError:
            raise bad("Unknown AOF file type" if seq_text.lstrip("-").isdigit() else
                      "Invalid AOF manifest file format") from None  # fmt: skip
        entry = AofFile(name, seq, type_)
        if type_ is AofType.BASE:
            if manifest.base is not None:
                raise bad("Found duplicate base file information")
            manifest.base, manifest.base_seq = entry, seq
        elif type_ is AofType.HISTORY:
            manifest.history.append(entry)
        else:
            if seq <= manifest.incr_seq:
                raise bad("Found a non-monotonic sequence number")
            manifest.incrs.append(entry)
            manifest.incr_seq = seq
    if not seen_line:
        raise ManifestError(">>> ''\nFound an empty AOF manifest")
    return manifest


def manifest_name(appendfilename: str) -> str:
    return f"{appendfilename}.manifest"


def temp_incr_name(appendfilename: str) -> str:
    """Where writes wait while the first rewrite runs (CONFIG SET appendonly yes)."""
    return f"temp-{appendfilename}.incr"


def persist(directory: str, appendfilename: str, manifest: Manifest) -> None:
    """Write the manifest atomically: a temp file, fsync, rename over the old one, fsync the directory."""
    temp = os.path.join(directory, f"temp-{manifest_name(appendfilename)}")
    final = os.path.join(directory, manifest_name(appendfilename))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, manifest.render().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.rename(temp, final)
    except OSError as e:
        raise ManifestError(
            f"Error trying to rename the temporary AOF manifest file {os.path.basename(temp)} into "
            f"{manifest_name(appendfilename)}: {e.strerror}"
        ) from None
    fsync_dir(directory)


def fsync_dir(path: str) -> None:
    """Make a rename durable: fsync the directory entry too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
