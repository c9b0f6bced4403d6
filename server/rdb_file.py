"""Whole RDB files, as Redis 7.0 writes the base of its multi-part AOF (`appendonly.aof.1.base.rdb`).

A file is `REDIS` + a 4-digit version, auxiliary fields, then per database a SELECTDB and RESIZEDB opcode
and its keys (each optionally preceded by its expiry, LRU idle time or LFU frequency), EOF, and the
CRC64 of everything before it (0 when Redis ran with rdbchecksum no). The values are the DUMP format of
server.rdb. Streams, modules and functions are not served here: such a file is refused, naming the key.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from server import rdb
from server.keyspace import Value

MAGIC = b"REDIS"
_AUX, _RESIZEDB, _EXPIRE_MS, _EXPIRE_S, _SELECTDB, _EOF = 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF
_FREQ, _IDLE, _MODULE_AUX, _FUNCTION_PRE_GA, _FUNCTION2 = 0xF9, 0xF8, 0xF7, 0xF6, 0xF5
_UNSERVED = {_MODULE_AUX: "module data", _FUNCTION_PRE_GA: "a function library",
             _FUNCTION2: "a function library"}  # fmt: skip


class RdbFileError(ValueError):
    """The file cannot be read; str(err) says where and why."""


@dataclass(frozen=True, slots=True)
class Entry:
    db: int
    key: bytes
    value: Value
    expire_ms: int | None


@dataclass
class RdbFile:
    """What the header and auxiliary fields said, and the keys (read lazily by entries())."""

    version: int
    aux: dict[bytes, bytes]
    _reader: rdb._Reader

    def header_notices(self) -> list[str]:
        """What Redis logs about a file before its keys: the version that wrote it, its age, its memory."""
        lines = []
        version = self.aux.get(b"redis-ver")
        if version:
            lines.append(f"Loading RDB produced by version {version.decode('utf-8', 'replace')}")
        ctime, used = self.aux.get(b"ctime", b""), self.aux.get(b"used-mem", b"")
        if ctime.isdigit():
            lines.append(f"RDB age {max(0, int(time.time()) - int(ctime))} seconds")
        if used.isdigit():
            lines.append(f"RDB memory usage when created {int(used) / (1024 * 1024):.2f} Mb")
        return lines

    def entries(self) -> Iterator[Entry]:
        r = self._reader
        db, expire = 0, None
        try:
            while True:
                op = r.byte()
                if op == _EOF:
                    return
                if op == _SELECTDB:
                    db = r.plain_length()
                elif op == _RESIZEDB:
                    r.plain_length()
                    r.plain_length()
                elif op == _EXPIRE_MS:
                    expire = int.from_bytes(r.take(8), "little", signed=True)
                elif op == _EXPIRE_S:
                    expire = int.from_bytes(r.take(4), "little", signed=True) * 1000
                elif op == _FREQ:
                    r.byte()
                elif op == _IDLE:
                    r.plain_length()
                elif op == _AUX:
                    r.string()
                    r.string()
                elif op in _UNSERVED:
                    raise RdbFileError(f"it holds {_UNSERVED[op]}, which the bundled server does not load")
                else:
                    key = r.string()
                    try:
                        value = rdb.decode_value(op, r)
                    except rdb.FormatError as e:
                        shown = key.decode("utf-8", "backslashreplace")
                        raise RdbFileError(f"key '{shown}' (RDB type {op}): {e}") from None
                    yield Entry(db, key, value, expire)
                    expire = None
        except (rdb.FormatError, IndexError) as e:
            raise RdbFileError(f"bad data at offset {r.pos}: {e}") from None


def too_many_databases(db: int, databases: int) -> str | None:
    """Redis's fatal line when a file's database index does not exist here, else None."""
    if db < databases:
        return None
    return (f"FATAL: Data file was created with a Redis server configured to handle more than {databases} "
            "databases. Exiting")


def open_rdb(data: bytes) -> RdbFile:
    """Check the magic, version and checksum; read the auxiliary fields that come first."""
    if not data.startswith(MAGIC) or len(data) < 9 or not data[5:9].isdigit():
        raise RdbFileError("it does not start with the RDB signature REDIS<version>")
    version = int(data[5:9])
    if not 1 <= version <= rdb.RDB_VERSION:
        raise RdbFileError(
            f"RDB format version {version} is newer than this server reads ({rdb.RDB_VERSION})"
        )
    if version >= 5 and len(data) >= 9 + 8:
        stored = int.from_bytes(data[-8:], "little")
        if stored and stored != rdb.crc64(data[:-8]):
            raise RdbFileError("wrong RDB checksum")
    r = rdb._Reader(data)
    r.pos = 9
    aux: dict[bytes, bytes] = {}
    try:
        while r.pos < len(data) and data[r.pos] == _AUX:
            r.pos += 1
            name = r.string()
            aux[name] = r.string()
    except rdb.FormatError as e:
        raise RdbFileError(f"bad auxiliary field: {e}") from None
    return RdbFile(version, aux, r)


def write_rdb(dbs: Iterable[tuple[int, list[tuple[bytes, Value, int | None]]]], enc: rdb.Encodings,
              aux: Iterable[tuple[bytes, bytes]], checksum: bool = True) -> Iterator[bytes]:  # fmt: skip
    """The chunks of an RDB file: header with `aux`, each (db index, [(key, value, expire ms)]), EOF, CRC
    (0 with `checksum` off: rdbchecksum no, which readers take as "not checked")."""
    crc = 0

    def out(chunk: bytes) -> bytes:
        nonlocal crc
        crc = rdb.crc64(chunk, crc)
        return chunk

    head = [MAGIC, b"%04d" % rdb.RDB_VERSION]
    for name, text in aux:
        head += [bytes((_AUX,)), rdb._string(name, False), rdb._string(text, False)]
    yield out(b"".join(head))
    for index, items in dbs:
        expires = sum(1 for _, _, when in items if when is not None)
        parts = [
            bytes((_SELECTDB,)),
            rdb._len(index),
            bytes((_RESIZEDB,)),
            rdb._len(len(items)),
            rdb._len(expires),
        ]
        for key, value, when in items:
            if when is not None:
                parts += [bytes((_EXPIRE_MS,)), when.to_bytes(8, "little", signed=True)]
            kind, body = rdb.encode_value(value, enc)
            parts += [bytes((kind,)), rdb._string(key, enc.compression), body]
            if len(parts) > 4096:
                yield out(b"".join(parts))
                parts.clear()
        yield out(b"".join(parts))
    yield out(bytes((_EOF,)))
    yield (crc if checksum else 0).to_bytes(8, "little")


def base_aux(redis_version: str, used_memory: int, aof_base: bool = True) -> list[tuple[bytes, bytes]]:
    """The auxiliary fields Redis 7.0 writes into an AOF base (aof-base 1) or a dump.rdb (aof-base 0)."""
    ctime = b"%d" % int(time.time())
    return [(b"redis-ver", redis_version.encode()), (b"redis-bits", b"64"), (b"ctime", ctime),
            (b"used-mem", b"%d" % used_memory), (b"aof-base", b"%d" % aof_base)]  # fmt: skip
