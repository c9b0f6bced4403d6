"""DUMP and RESTORE (Redis 7.0 cluster.c): values serialized in Redis's RDB value format (server.rdb), so a
payload dumped here restores on redis-server and the other way round.

RESTORE's IDLETIME and FREQ are parsed and checked as Redis does, then dropped: this server keeps no access
clock or LFU counter (OBJECT IDLETIME / FREQ answer 0). A relative TTL reaches the AOF as an absolute one
with ABSTTL, and a payload whose absolute TTL already passed creates nothing (a replaced key is logged as
DEL), as Redis propagates it.
"""

from __future__ import annotations

from typing import Any

from server import rdb
from server.commands.redisnum import parse_ll
from server.commands.registry import (
    BAD_DATA_FORMAT,
    BAD_FREQ,
    BAD_IDLETIME,
    BAD_PAYLOAD,
    BAD_TTL,
    BUSYKEY,
    NOT_INTEGER,
    SYNTAX,
    CommandError,
    command,
)
from server.config import Config
from server.context import Ctx
from server.resp import OK


def encodings(cfg: Config) -> rdb.Encodings:
    """The encoding thresholds of the running configuration."""
    return rdb.Encodings(
        hash_entries=cfg["hash-max-listpack-entries"],
        hash_value=cfg["hash-max-listpack-value"],
        zset_entries=cfg["zset-max-listpack-entries"],
        zset_value=cfg["zset-max-listpack-value"],
        intset_entries=cfg["set-max-intset-entries"],
        list_fill=cfg["list-max-listpack-size"],
        list_compress_depth=cfg["list-compress-depth"],
        compression=bool(cfg["rdbcompression"]),
    )


@command("dump", 2, "readonly", keys=(1, 1, 1))
def dump(ctx: Ctx, args: list[bytes]) -> bytes | None:
    value = ctx.db.lookup(args[1])
    return None if value is None else rdb.dump(value, encodings(ctx.server.config))


def _integer(arg: bytes) -> int:
    number = parse_ll(arg)
    if number is None:
        raise CommandError(NOT_INTEGER)
    return number


@command("restore", -4, "write denyoom", keys=(1, 1, 1))
def restore(ctx: Ctx, args: list[bytes]) -> Any:
    replace = absttl = False
    idle = freq = -1
    j = 4
    while j < len(args):
        option = args[j].lower()
        more = len(args) - j - 1
        if option == b"replace":
            replace = True
        elif option == b"absttl":
            absttl = True
        elif option == b"idletime" and more >= 1 and freq == -1:
            idle = _integer(args[j + 1])
            if idle < 0:
                raise CommandError(BAD_IDLETIME)
            j += 1
        elif option == b"freq" and more >= 1 and idle == -1:
            freq = _integer(args[j + 1])
            if not 0 <= freq <= 255:
                raise CommandError(BAD_FREQ)
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    key = args[1]
    db = ctx.db
    if not replace and db.lookup(key) is not None:
        raise CommandError(BUSYKEY)
    ttl = _integer(args[2])
    if ttl < 0:
        raise CommandError(BAD_TTL)
    try:
        value = rdb.load(args[3])
    except rdb.PayloadError:
        raise CommandError(BAD_PAYLOAD) from None
    except rdb.FormatError:
        raise CommandError(BAD_DATA_FORMAT) from None
    deleted = db.delete(key) if replace else False
    if ttl and not absttl:
        ttl += ctx.now_ms()
    if ttl and ttl <= ctx.now_ms() and not ctx.keyspace.loading:
        if deleted:
            ctx.log_as([b"DEL", key])
        else:
            ctx.log_as()
        return OK
    db.set(key, value)
    if ttl:
        db.set_expire_ms(key, ttl)
        if not absttl:
            ctx.log_as([args[0], key, str(ttl).encode(), *args[3:], b"ABSTTL"])
    return OK
