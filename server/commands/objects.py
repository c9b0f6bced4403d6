"""OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP, answered as Redis 7.0 would for the value.

The bundled server keeps one representation per type, so the encoding is the one Redis would choose for
this content under the current thresholds (hash-max-listpack-*, set-max-intset-entries,
zset-max-listpack-*): Redis converts one way only, so a value that grew past a threshold and shrank again
stays "hashtable" there while this answer goes back to "listpack". Access times and LFU counters are not
kept: IDLETIME and FREQ answer 0 (what Redis shows for a key just read, or just after a policy switch).
"""

from __future__ import annotations

from typing import Any

from server import resp, texts
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.config import Config
from server.context import Ctx
from server.keyspace import Value
from server.quicklist import QuickList
from server.zset import ZSet

EMBSTR_MAX = 44  # OBJ_ENCODING_EMBSTR_SIZE_LIMIT
SHARED_INTEGERS = 10_000  # OBJ_SHARED_INTEGERS: 0..9999 are shared objects
SHARED_REFCOUNT = 2**31 - 1  # OBJ_SHARED_REFCOUNT


def _is_long(data: bytes) -> bool:
    return len(data) <= 20 and parse_ll(data) is not None


def encoding(value: Value, cfg: Config) -> bytes:
    if isinstance(value, bytes):
        if _is_long(value):
            return b"int"
        return b"embstr" if len(value) <= EMBSTR_MAX else b"raw"
    if isinstance(value, dict):
        limit = cfg["hash-max-listpack-value"]
        small = len(value) <= cfg["hash-max-listpack-entries"]
        return b"listpack" if small and all(len(f) <= limit and len(v) <= limit for f, v in value.items()) \
            else b"hashtable"  # fmt: skip
    if isinstance(value, set):
        if len(value) <= cfg["set-max-intset-entries"] and all(_is_long(m) for m in value):
            return b"intset"
        return b"hashtable"
    if isinstance(value, ZSet):
        limit = cfg["zset-max-listpack-value"]
        small = len(value) <= cfg["zset-max-listpack-entries"]
        return b"listpack" if small and all(len(m) <= limit for m in value.scores) else b"skiplist"
    if isinstance(value, QuickList):
        return b"quicklist"  # Redis 7.0 keeps every list in a quicklist
    raise TypeError(type(value).__name__)


def _value(ctx: Ctx, args: list[bytes]) -> Value | None:
    return ctx.db.lookup(args[2])


def _lfu(ctx: Ctx) -> bool:
    return "lfu" in str(ctx.server.config["maxmemory-policy"])


@command("object", -2, "")
@command("object|help", 2, "loading stale")
def object_help(ctx: Ctx, args: list[bytes]) -> Any:
    lines = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ]
    return [resp.SimpleString(line) for line in lines]


@command("object|encoding", 3, "readonly", keys=(2, 2, 1))
def object_encoding(ctx: Ctx, args: list[bytes]) -> Any:
    value = _value(ctx, args)
    return None if value is None else encoding(value, ctx.server.config)


@command("object|refcount", 3, "readonly", keys=(2, 2, 1))
def object_refcount(ctx: Ctx, args: list[bytes]) -> Any:
    value = _value(ctx, args)
    if value is None:
        return None
    shared = isinstance(value, bytes) and _is_long(value) and 0 <= int(value) < SHARED_INTEGERS
    evicting_by_use = "lru" in str(ctx.server.config["maxmemory-policy"]) or _lfu(ctx)
    return SHARED_REFCOUNT if shared and not evicting_by_use else 1


@command("object|idletime", 3, "readonly", keys=(2, 2, 1))
def object_idletime(ctx: Ctx, args: list[bytes]) -> Any:
    value = _value(ctx, args)
    if value is None:
        return None
    if _lfu(ctx):
        raise CommandError(texts.LFU_NO_IDLETIME)
    return 0


@command("object|freq", 3, "readonly", keys=(2, 2, 1))
def object_freq(ctx: Ctx, args: list[bytes]) -> Any:
    value = _value(ctx, args)
    if value is None:
        return None
    if not _lfu(ctx):
        raise CommandError(texts.LFU_NOT_SELECTED)
    return 0
