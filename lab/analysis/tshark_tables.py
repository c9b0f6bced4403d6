"""tshark's own tables the analysis needs (value names of a few fields, the protocols it would hand decrypted
TLS to), read once per tshark binary and kept on disk.

`tshark -G values` prints every value string of every field: ~1.4 million lines, 89 MB here. Reading it took
3-5 s of the first capture analysis of every `tlslab run` process (most of tcp-injection's 9-10 s), for two
fields' names. It is now scanned as bytes for those fields only, and the result is cached per tshark binary
(path, size, modification time: a tshark upgrade makes a new cache), so later processes read a small JSON.
A cache that cannot be read or written is ignored: the tables are then read from tshark, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lab import procs

_CHUNK = 1 << 20
CACHE_VERSION = 1


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "redis-tls-lab"


def _cache_path(binary: str, what: str) -> Path | None:
    try:
        st = os.stat(binary)
    except OSError:
        return None
    ident = f"{CACHE_VERSION}|{os.path.realpath(binary)}|{st.st_size}|{st.st_mtime_ns}|{what}"
    return cache_dir() / f"tshark-{hashlib.sha256(ident.encode()).hexdigest()[:16]}.json"


def cached(binary: str, what: str, read: Callable[[], Any]) -> Any:
    """`read()`'s JSON-able result, from the cache file of this binary when there is a good one."""
    path = _cache_path(binary, what)
    if path is not None:
        try:
            data = json.loads(path.read_text("utf-8"))
            if isinstance(data, dict) and data.get("what") == what:
                return data["value"]
        except (OSError, ValueError, KeyError):
            pass
    value = read()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                             encoding="utf-8") as tmp:
                json.dump({"what": what, "value": value}, tmp)
            os.replace(tmp.name, path)  # two processes filling it at once: each writes a whole file
        except OSError:
            pass
    return value


def scan_values(binary: str, fields: tuple[str, ...], timeout: float = 60) -> dict[str, dict[int, str]]:
    """`tshark -G values` lines `V<TAB>field<TAB>number<TAB>name` of `fields`, scanned as bytes in chunks.

    The pattern starts with the line break before `V` (a literal prefix the regex engine searches fast,
    ~10x an anchored multi-line pattern here), so each block ends before a line break and the next starts
    with it.
    """
    alternatives = b"|".join(re.escape(f.encode()) for f in fields)
    line = re.compile(rb"\nV\t(" + alternatives + rb")\t(-?\d+)\t([^\n]*)")
    names: dict[str, dict[int, str]] = {f: {} for f in fields}

    def take(block: bytes) -> None:
        for m in line.finditer(block):
            names[m.group(1).decode()][int(m.group(2))] = m.group(3).decode("utf-8", "replace")

    with procs.spawn([binary, "-G", "values"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                     stdin=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        rest = b"\n"
        try:
            while chunk := proc.stdout.read(_CHUNK):
                buffer = rest + chunk
                cut = buffer.rfind(b"\n")
                block, rest = buffer[:cut], buffer[cut:]
                take(block)
            take(rest)
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return names
