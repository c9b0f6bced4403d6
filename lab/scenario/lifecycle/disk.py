"""What the server left on its disk, as anyone who can read the files sees it: each data file (AOF parts,
the RDB snapshot), its redis.conf, and the TLS private key that config points at — with the file's mode
(who may read it), whether the key is encrypted, and which secrets each file holds byte for byte.

Byte for byte means what `grep` finds: an RDB stores long compressible values LZF-compressed, so a secret
not found in an RDB is "not found as written", never "not on disk".
"""

from __future__ import annotations

import pwd
import stat
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key

from lab.scenario.evidence import DiskFile, Exposure, FileKind, Secret

MAX_BYTES = 64 * 1024 * 1024  # a lab data file is tiny; never read a runaway file whole
_AOF_DIR = "appendonlydir"


def _readers(mode: int) -> tuple[str, ...]:
    bits = ((stat.S_IRUSR, "owner"), (stat.S_IRGRP, "group"), (stat.S_IROTH, "others"))
    return tuple(who for bit, who in bits if mode & bit)


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def key_encrypted(data: bytes) -> bool | None:
    """Whether a PEM private key needs a passphrase (None: not a private key this can read)."""
    try:
        load_pem_private_key(data, password=None)
    except TypeError:  # "Password was not given but private key is encrypted"
        return True
    except ValueError:
        return None
    return False


def _directive(config_text: str, name: str) -> str | None:
    """The last value of a one-argument redis.conf directive (the last one wins, as in Redis)."""
    value = None
    for line in config_text.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and parts[0].lower() == name:
            value = parts[1].strip().strip('"')
    return value


def _kind(relative: Path, dbfilename: str) -> FileKind:
    if (relative.parts and relative.parts[0] == _AOF_DIR) or relative.suffix == ".aof":
        return FileKind.AOF
    return FileKind.RDB if relative.name == dbfilename else FileKind.OTHER


def _file(path: Path, name: str, kind: FileKind, secrets: Sequence[Secret]) -> DiskFile | None:
    st = path.stat()
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
        return None
    data = path.read_bytes()
    return DiskFile(
        name=name,
        kind=kind,
        size=st.st_size,
        mode=f"{stat.S_IMODE(st.st_mode):04o}",
        owner=_owner(st.st_uid),
        readable_by=_readers(st.st_mode),
        secrets=tuple(s.label for s in secrets if s.value and s.value.encode() in data),
        encrypted=key_encrypted(data) if kind is FileKind.TLS_KEY else None,
    )


def scan_disk(data_dir: Path | None, secrets: Sequence[Secret],
              config: Path | None = None) -> tuple[DiskFile, ...]:
    """Every file of the data directory, the config, and the private key named by its tls-key-file."""
    out: list[DiskFile | None] = []
    text = ""
    if config is not None and config.is_file():
        text = config.read_text("utf-8", "replace")
    dbfilename = _directive(text, "dbfilename") or "dump.rdb"
    if data_dir is not None and data_dir.is_dir():
        for path in sorted(data_dir.rglob("*")):
            if path.is_file():
                rel = path.relative_to(data_dir)
                out.append(_file(path, str(rel), _kind(rel, dbfilename), secrets))
    if text and config is not None:
        out.append(_file(config, config.name, FileKind.CONFIG, secrets))
        key = _directive(text, "tls-key-file")
        if key:
            key_path = Path(key) if Path(key).is_absolute() else config.parent / key
            if key_path.is_file():
                out.append(_file(key_path, key_path.name, FileKind.TLS_KEY, secrets))
    return tuple(f for f in out if f is not None)


def exposures(files: Sequence[DiskFile], secrets: Sequence[Secret]) -> tuple[Exposure, ...]:
    """The same scan by secret: which files hold each one (in the order the secrets were declared)."""
    out = []
    for s in secrets:
        hits = tuple(f.name for f in files if s.label in f.secrets)
        if hits:
            out.append(Exposure(label=s.label, files=hits))
    return tuple(out)
