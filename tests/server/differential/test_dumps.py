"""Differential cases: DUMP and RESTORE (case syntax: harness.py), and values moved between the two servers.

DUMP replies are compared byte for byte wherever Redis's encoding is deterministic (strings, lists,
intsets, listpack hashes and sorted sets, skiplist sorted sets); big hashes and plain sets are written in
hash-table order, which differs between any two processes, so those payloads travel instead: dumped on one
server, restored on the other, and the contents, the type, the encoding and the TTL compared.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from server import rdb
from tests.server.differential.harness import (
    Commands,
    Servers,
    arity_cases,
    assert_same,
    case_id,
    resp3,
)
from tests.server.rawresp import RawClient

COMMANDS: Commands = {"DUMP": (2, None, "k"), "RESTORE": (-4, None, "k2 0 x")}


def lit(data: bytes) -> str:
    """A harness token holding these exact bytes."""
    return '"' + "".join(f"\\x{b:02x}" for b in data) + '"'


HELLO = lit(rdb.dump(b"hello"))
NUMBER = lit(rdb.dump(b"12345"))
V11 = lit(bytes.fromhex("0005") + b"hello" + b"\x0b\x00" + b"\x00" * 8)  # Redis 7.2's RDB version
BAD_CRC = HELLO[:-5] + '00"'  # last byte of the CRC changed


def framed(body: bytes) -> str:
    """A body inside a well-formed trailer (version 10, right CRC)."""
    head = body + b"\x0a\x00"
    return lit(head + rdb.crc64(head).to_bytes(8, "little"))


# Bodies Redis refuses as "Bad data format": an empty set, a module value, a string longer than the payload.
EMPTY_SET, MODULE, CUT = framed(b"\x02\x00"), framed(b"\x07\x00"), framed(b"\x00\x20ab")

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    # Byte-identical payloads for the deterministic encodings.
    ("SET k hello", "DUMP k", "SET k 12345", "DUMP k", "SET k -129", "DUMP k", "SET k 4294967296", "DUMP k",
     "SET k 007", "DUMP k", 'SET k ""', "DUMP k", "DUMP nokey"),
    ("SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "DUMP k",
     "SET k abcdefghijklmnopqrstuvwxyz0123456789", "DUMP k", "CONFIG SET rdbcompression no",
     "SET k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "DUMP k",
     "CONFIG SET rdbcompression yes"),
    ("RPUSH k a b 1 -1 300 70000 5000000000 c", "DUMP k", "LPUSH k z", "DUMP k"),
    ("SADD k 1 2 3 -40000 7", "DUMP k", "SADD k 5000000000", "DUMP k"),
    ("HSET k f v g 1 h 12345678901", "DUMP k", "HSET k f aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "DUMP k"),
    ("ZADD k 1 a 2.5 b -3 c inf d 0.1 e 4611686018427387904 f", "DUMP k"),
    ("CONFIG SET zset-max-listpack-entries 2", "ZADD k 1 a 2.5 b -3 c inf d", "DUMP k",
     "CONFIG SET zset-max-listpack-entries 128"),
    ("CONFIG SET list-max-listpack-size 2", "RPUSH k a b c d e", "DUMP k", "CONFIG SET list-max-listpack-size -2"),
    # RESTORE: options, TTLs, errors, in Redis's order of checks.
    (f"RESTORE k 0 {HELLO}", "GET k", "TTL k", f"RESTORE k 0 {HELLO}", f"RESTORE k 0 {HELLO} REPLACE",
     "GET k", f"RESTORE n 0 {NUMBER}", "GET n", "TYPE n", "OBJECT ENCODING n"),
    (f"RESTORE k 100000 {HELLO}", "~pttl PTTL k", f"RESTORE k2 {{ms+100000}} {HELLO} ABSTTL", "~pttl PTTL k2",
     f"RESTORE k3 1 {HELLO} ABSTTL", "EXISTS k3", "SET k4 v", f"RESTORE k4 1 {HELLO} ABSTTL REPLACE",
     "EXISTS k4"),
    (f"RESTORE k -1 {HELLO}", f"RESTORE k x {HELLO}", "RESTORE k 0 garbage", f"RESTORE k 0 {V11}",
     f"RESTORE k 0 {BAD_CRC}", f"RESTORE k 0 {EMPTY_SET}", f"RESTORE k 0 {MODULE}", f"RESTORE k 0 {CUT}",
     "DBSIZE"),
    (f"RESTORE k 0 {HELLO} FOO", f"RESTORE k 0 {HELLO} IDLETIME", f"RESTORE k 0 {HELLO} IDLETIME -1",
     f"RESTORE k 0 {HELLO} IDLETIME x", f"RESTORE k 0 {HELLO} FREQ 256", f"RESTORE k 0 {HELLO} FREQ -1",
     f"RESTORE k 0 {HELLO} IDLETIME 5 FREQ 5", f"RESTORE k 0 {HELLO} FREQ 5 IDLETIME 5",
     f"RESTORE k 0 {HELLO} IDLETIME 100", "GET k", f"RESTORE k2 0 {HELLO} freq 100 replace absttl", "GET k2"),
    ("SET k v", f"RESTORE k -1 {HELLO}", "RESTORE k 0 garbage FOO", "RESTORE k 0 garbage", "GET k"),
    ("SET k v", f"RESTORE k 0 {HELLO} REPLACE IDLETIME 10", "GET k", "MULTI", f"RESTORE k 0 {HELLO}",
     "EXEC"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES, *resp3(SEQUENCES[:1])]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)


# ---- values that travel between the servers ------------------------------------------------------

Build = Callable[[], list[list[bytes | str | int]]]


def _many(name: str, n: int, make: Callable[[int], list[bytes | str | int]]) -> list[list[bytes | str | int]]:
    """One command per 200 elements."""
    out: list[list[bytes | str | int]] = []
    for start in range(0, n, 200):
        args: list[bytes | str | int] = []
        for i in range(start, min(n, start + 200)):
            args += make(i)
        out.append([name, "k", *args])
    return out


# name: (commands that build key k on the source server, the read that shows its whole content)
VALUES: dict[str, tuple[list[list[bytes | str | int]], list[str]]] = {
    "string-int": ([["SET", "k", "-123456"]], ["GET", "k"]),
    "string-long": ([["SET", "k", "abc" * 5000]], ["GET", "k"]),
    "string-binary": ([["SET", "k", bytes(range(256)) * 4]], ["GET", "k"]),
    "list-small": ([["RPUSH", "k", "a", "1", "-70000", "x" * 100]], ["LRANGE", "k", "0", "-1"]),
    "list-big": (_many("RPUSH", 3000, lambda i: [f"item-{i}" * (1 + i % 7)]), ["LRANGE", "k", "0", "-1"]),
    "list-lpushed": (_many("LPUSH", 2000, lambda i: [str(i * 37)]), ["LRANGE", "k", "0", "-1"]),
    "set-intset": ([["SADD", "k", "1", "-5", "70000", "5000000000"]], ["SMEMBERS", "k"]),
    "set-big-intset": (_many("SADD", 1000, lambda i: [str(i * 3)]), ["SMEMBERS", "k"]),
    "set-plain": (_many("SADD", 700, lambda i: [f"m{i}"]), ["SMEMBERS", "k"]),
    "hash-small": ([["HSET", "k", "f", "v", "n", "12"]], ["HGETALL", "k"]),
    "hash-big": (_many("HSET", 800, lambda i: [f"f{i}", f"v{i}" * (i % 5)]), ["HGETALL", "k"]),
    "hash-long-value": ([["HSET", "k", "f", "v" * 100, "g", "w"]], ["HGETALL", "k"]),
    "zset-small": ([["ZADD", "k", "1", "a", "2.5", "b", "-inf", "c"]], ["ZRANGE", "k", "0", "-1", "WITHSCORES"]),
    "zset-big": (_many("ZADD", 500, lambda i: [str(i / 7), f"m{i}"]), ["ZRANGE", "k", "0", "-1", "WITHSCORES"]),
}
_UNORDERED = {"SMEMBERS", "HGETALL"}


def _content(client: RawClient, read: list[str]) -> Any:
    reply = client.call(*read)
    items = reply[1]
    if read[0] == "HGETALL":
        return sorted(zip(items[::2], items[1::2], strict=True))
    return sorted(items) if read[0] in _UNORDERED else items


def _state(client: RawClient, read: list[str]) -> tuple[Any, ...]:
    return (_content(client, read), client.call("TYPE", "k"), client.call("OBJECT", "ENCODING", "k"))


@pytest.mark.parametrize("direction", ["redis-to-bundled", "bundled-to-redis"])
@pytest.mark.parametrize("name", list(VALUES))
def test_values_travel_between_servers(servers: Servers, name: str, direction: str) -> None:
    build, read = VALUES[name]
    src, dst = (servers.reference, servers.bundled)
    if direction == "bundled-to-redis":
        src, dst = dst, src
    assert src.port is not None and dst.port is not None
    with RawClient(src.host, src.port) as a, RawClient(dst.host, dst.port) as b:
        a.call("FLUSHALL")
        b.call("FLUSHALL")
        a.pipeline(build)
        a.call("PEXPIRE", "k", 600_000)
        kind, payload = a.call("DUMP", "k")
        assert kind == "$" and isinstance(payload, bytes)
        assert b.call("RESTORE", "k", "600000", payload) == ("+", b"OK")
        assert _state(b, read) == _state(a, read)
        ttl = b.call("PTTL", "k")[1]
        assert 590_000 < ttl <= 600_000
        # The payload the destination writes restores on the source into the same value.
        back = b.call("DUMP", "k")[1]
        assert a.call("RESTORE", "k2", "0", back) == ("+", b"OK")
        assert _content(a, [read[0], "k2", *read[2:]]) == _content(a, read)


# ---- MIGRATE between the two servers, in both directions -----------------------------------------


def _pair(servers: Servers, direction: str) -> tuple[RawClient, RawClient, int]:
    """(client of the source, client of the target, the target's port), both flushed."""
    src, dst = servers.reference, servers.bundled
    if direction == "bundled-to-redis":
        src, dst = dst, src
    assert src.port is not None and dst.port is not None
    a, b = RawClient(src.host, src.port), RawClient(dst.host, dst.port)
    a.call("FLUSHALL")
    b.call("FLUSHALL")
    return a, b, dst.port


@pytest.mark.parametrize("direction", ["redis-to-bundled", "bundled-to-redis"])
@pytest.mark.parametrize("name", ["list-big", "set-plain", "hash-big", "zset-big", "string-long", "set-intset"])
def test_migrate_moves_values(servers: Servers, name: str, direction: str) -> None:
    build, read = VALUES[name]
    a, b, port = _pair(servers, direction)
    with a, b:
        a.pipeline(build)
        a.call("PEXPIRE", "k", 600_000)
        before = _state(a, read)
        assert a.call("MIGRATE", "127.0.0.1", port, "k", "0", "5000") == ("+", b"OK")
        assert a.call("EXISTS", "k") == (":", 0)
        assert _state(b, read) == before
        assert 590_000 < b.call("PTTL", "k")[1] <= 600_000


def _dead_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


def _migrate_sequence(a: RawClient, b: RawClient, port: int) -> list[Any]:
    dead = _dead_port()
    a.call("MSET", "k1", "v1", "k2", "v2", "k3", "v3")
    return [
        a.call("MIGRATE", "127.0.0.1", port, "nokey", "0", "1000"),
        a.call("MIGRATE", "127.0.0.1", port, "k1", "0", "1000", "COPY"),
        a.call("EXISTS", "k1"), b.call("GET", "k1"),
        a.call("MIGRATE", "127.0.0.1", port, "k1", "0", "1000"),  # the target has k1: BUSYKEY
        a.call("EXISTS", "k1"),
        a.call("SET", "k1", "new"),
        a.call("MIGRATE", "127.0.0.1", port, "k1", "0", "1000", "REPLACE"),
        b.call("GET", "k1"), a.call("EXISTS", "k1"),
        a.call("MIGRATE", "127.0.0.1", port, "", "3", "1000", "KEYS", "k2", "nokey", "k3"),
        b.call("SELECT", "3"), b.call("MGET", "k2", "k3"), a.call("EXISTS", "k2", "k3"),
        a.call("SET", "k4", "v"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "1000", "KEYS", "k4"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "1000", "FOO"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "1000", "AUTH"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "x"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "x", "1000"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "1000", "AUTH", "wrong"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "0", "1000", "AUTH2", "nobody", "wrong"),
        a.call("MIGRATE", "127.0.0.1", port, "k4", "99", "1000"),
        a.call("MIGRATE", "127.0.0.1", dead, "k4", "0", "200"),
        a.call("EXISTS", "k4"),
    ]


def test_migrate_options_and_errors_as_redis(servers: Servers) -> None:
    """MIGRATE run on redis-server (targeting the bundled server) and on the bundled server (targeting
    redis-server) answers the same: options, NOKEY, COPY / REPLACE / KEYS, the target's errors, IOERR."""
    replies = {}
    for direction in ("redis-to-bundled", "bundled-to-redis"):
        a, b, port = _pair(servers, direction)
        with a, b:
            replies[direction] = _migrate_sequence(a, b, port)
    assert replies["bundled-to-redis"] == replies["redis-to-bundled"]
