"""Memory per data type: RSS of each server after one key grows to 1M elements (hash, set, zset, list).

Every measurement starts its own fresh server (a freed dataset does not give its pages back, so reusing
one server would blur the figures), loads one key with pipelined HSET / SADD / ZADD / RPUSH of 1,000
elements per command over plaintext, and reads VmRSS. The figure beside it is redis-server's for the same
load; the ratio is bundled RSS / redis-server RSS.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from lab.bench.cpu import rss_bytes
from lab.bench.results import TargetKind, TypeMemoryRow
from lab.targets import TargetSpec, start_target

TYPES = ("hash", "set", "zset", "list")
PER_COMMAND = 1_000


def _commands(kind: str, elements: int) -> Iterator[bytes]:
    """The load as RESP commands: element i is `e:<i>` (hash value and zset score: i)."""
    verb = {"hash": b"HSET", "set": b"SADD", "zset": b"ZADD", "list": b"RPUSH"}[kind]
    for start in range(0, elements, PER_COMMAND):
        stop = min(elements, start + PER_COMMAND)
        args = [verb, b"big"]
        for i in range(start, stop):
            member = b"e:%d" % i
            if kind == "hash":
                args += (member, b"%d" % i)
            elif kind == "zset":
                args += (b"%d" % i, member)
            else:
                args.append(member)
        yield b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in args)


def load_type(host: str, port: int, kind: str, elements: int, timeout: float = 120.0) -> None:
    """Send the load, 50 commands per round trip; one integer reply per command."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        pending: list[bytes] = []
        for cmd in _commands(kind, elements):
            pending.append(cmd)
            if len(pending) == 50:
                _round_trip(sock, pending)
                pending = []
        if pending:
            _round_trip(sock, pending)


def _round_trip(sock: socket.socket, commands: list[bytes]) -> None:
    sock.sendall(b"".join(commands))
    lines = 0
    buf = b""
    while lines < len(commands):
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection during the load")
        if chunk.startswith(b"-"):
            raise ConnectionError(f"server refused the load: {chunk[:120]!r}")
        buf += chunk
        lines = buf.count(b"\r\n")


def measure_type_memory(
    workdir: Path, elements: int = 1_000_000, progress: Callable[[str], None] = print
) -> tuple[TypeMemoryRow, ...]:
    rows = []
    for kind in TYPES:
        rss: dict[TargetKind, int | None] = {}
        base: dict[TargetKind, int | None] = {}
        errors: list[str] = []
        for server in ("bundled", "redis-server"):
            spec = TargetSpec(kind=server, plaintext=True, tls=False)
            try:
                with start_target(spec, workdir / f"{kind}-{server}") as target:
                    assert target.port is not None
                    base[server] = rss_bytes(target.pid)
                    began = time.monotonic()
                    load_type(target.host, target.port, kind, elements)
                    time.sleep(0.2)  # let the allocator settle before reading RSS
                    rss[server] = rss_bytes(target.pid)
                    took = time.monotonic() - began
                    mib = (rss[server] or 0) / 2**20
                    progress(f"{kind} on {server}: {elements:,} elements in {took:.1f} s, RSS {mib:,.1f} MiB")
            except Exception as exc:  # the row says what failed; the other figures still count
                errors.append(f"{server}: {exc}")
                rss[server] = None
        b, r = rss.get("bundled"), rss.get("redis-server")
        rows.append(
            TypeMemoryRow(
                type=kind,
                elements=elements,
                bundled_rss_bytes=b,
                redis_rss_bytes=r,
                bundled_baseline_bytes=base.get("bundled"),
                redis_baseline_bytes=base.get("redis-server"),
                ratio=b / r if b and r else None,
                error="; ".join(errors) or None,
            )
        )
    return tuple(rows)


def render_type_memory(rows: tuple[TypeMemoryRow, ...]) -> list[str]:
    if not rows:
        return []

    def mib(v: int | None) -> str:
        return "-" if v is None else f"{v / 2**20:,.1f} MiB"

    lines = [
        "",
        f"Memory per type: RSS after one key grows to {rows[0].elements:,} elements (fresh server each).",
        "",
        "| type | bundled RSS | redis-server RSS | ratio | error |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(
            f"| {row.type} | {mib(row.bundled_rss_bytes)} | {mib(row.redis_rss_bytes)} | {ratio} | "
            f"{row.error or ''} |"
        )
    return lines
