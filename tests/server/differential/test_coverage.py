"""The suite itself: every family's table is exercised, placeholders are absolute, the suite is not thin."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

import tests.server.differential as package
from tests.server.differential.harness import Servers, command_line, tokens
from tests.server.rawresp import RawClient, Reply


def _families() -> list[ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("test_")]
    return [importlib.import_module(f"{package.__name__}.{n}") for n in names if n != "test_coverage"]


def test_enough_cases() -> None:
    assert sum(len(m.CASES) for m in _families()) >= 300


def test_every_command_is_exercised() -> None:
    for module in _families():
        sent = {tokens(command_line(line), 0)[0].upper().decode() for case in module.CASES for line in case}
        missing = set(module.COMMANDS) - sent
        assert not missing, f"{module.__name__}: no case sends {sorted(missing)}"


def test_time_placeholders_are_absolute() -> None:
    argv = tokens("EXPIREAT k {s+100}", 1000.0)
    assert argv == [b"EXPIREAT", b"k", b"1100"]
    assert tokens('SET "a\\x00 b" x\\*y', 0) == [b"SET", b"a\x00 b", b"x\\*y"]


# ---- the command table against redis-server 7.0's own -------------------------------------------

# COMMAND DOCS groups whose every command the bundled server serves.
GROUPS = ("string", "bitmap", "generic", "hash", "set", "list", "sorted-set", "pubsub", "connection",
          "transactions")  # fmt: skip
# Of the "server" group: what a lab user types (the rest is persistence, replication, modules, DEBUG).
SERVER_SUBSET = frozenset({
    "acl", "bgrewriteaof", "command", "config", "dbsize", "flushall", "flushdb", "info", "latency", "monitor",
    "shutdown", "slowlog", "swapdb", "time", "save", "bgsave", "lastsave",
})  # fmt: skip
# Not served yet: client-side caching (CLIENT
# TRACKING and its companions), CLIENT PAUSE / REPLY, and COMMAND GETKEYSANDFLAGS.
NOT_SERVED = frozenset({
    "client|caching", "client|getredir", "client|tracking", "client|trackinginfo",
    "client|pause", "client|unpause", "client|reply", "command|getkeysandflags",
})  # fmt: skip


def _flat_map(reply: Reply) -> dict[bytes, Reply]:
    items = reply[1]
    return {items[i][1]: items[i + 1] for i in range(0, len(items), 2)}


def _groups(client: RawClient) -> dict[str, set[str]]:
    docs = _flat_map(client.call("COMMAND", "DOCS"))
    out: dict[str, set[str]] = {}
    for name, doc in docs.items():
        out.setdefault(_flat_map(doc)[b"group"][1].decode(), set()).add(name.decode())
    return out


def _info(client: RawClient, names: list[str]) -> dict[str, tuple[Any, ...]]:
    """name (and container|sub) -> (arity, flags, first key, last key, step, ACL categories), from COMMAND
    INFO: the categories decide what +@hash or -@dangerous grant, so they must be Redis's too."""
    out: dict[str, tuple[Any, ...]] = {}

    def walk(entries: tuple[Reply, ...]) -> None:
        for entry in entries:
            if entry[1] is None:
                continue
            name, arity, flags, first, last, step, categories = entry[1][:7]
            out[name[1].decode()] = (arity[1], frozenset(f[1] for f in flags[1]), first[1], last[1], step[1],
                                     frozenset(c[1] for c in categories[1]))  # fmt: skip
            walk(entry[1][9][1])

    walk(client.call("COMMAND", "INFO", *names)[1])
    return out


def test_command_table_matches_redis(servers: Servers) -> None:
    ref, ours = servers.reference, servers.bundled
    assert ref.port is not None and ours.port is not None
    with RawClient(ref.host, ref.port) as r, RawClient(ours.host, ours.port) as b:
        groups = _groups(r)
        wanted = set().union(*(groups[g] for g in GROUPS)) | (groups["server"] & SERVER_SUBSET)
        assert groups["server"] >= SERVER_SUBSET and not NOT_SERVED & SERVER_SUBSET
        theirs = _info(r, sorted(wanted))
        mine = _info(b, sorted(wanted))
    missing = sorted(set(theirs) - set(mine) - NOT_SERVED)
    assert not missing, f"commands of Redis 7.0's groups not served: {missing}"
    already = sorted(NOT_SERVED & set(mine))
    assert not already, f"served now, drop them from the exclusions: {already}"
    differ = {name: (mine[name], spec) for name, spec in theirs.items() if name in mine and mine[name] != spec}
    assert not differ, "arity/flags/keys/categories differ from COMMAND INFO (ours, redis): " + repr(differ)
