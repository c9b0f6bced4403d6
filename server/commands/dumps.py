"""DUMP, RESTORE and MIGRATE (Redis 7.0 cluster.c): values serialized in Redis's RDB value format
(server.rdb), so a payload dumped here restores on redis-server and the other way round, and MIGRATE moves
keys between the two in either direction.

RESTORE's IDLETIME and FREQ are parsed and checked as Redis does, then dropped: this server keeps no access
clock or LFU counter (OBJECT IDLETIME / FREQ answer 0). A relative TTL reaches the AOF as an absolute one
with ABSTTL, and a payload whose absolute TTL already passed creates nothing (a replaced key is logged as
DEL), as Redis propagates it.
"""

from __future__ import annotations

import re
from typing import Any

from server import rdb, resp, texts
from server.commands.keyfinders import migrate_keys
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.config import Config
from server.context import Ctx
from server.migrate_link import LinkError, exchange
from server.resp import OK, SimpleString
from server.texts import (
    BAD_DATA_FORMAT,
    BAD_FREQ,
    BAD_IDLETIME,
    BAD_PAYLOAD,
    BAD_TTL,
    BUSYKEY,
    MIGRATE_CONNECT,
    MIGRATE_KEYS_ARG,
    NOT_INTEGER,
    SYNTAX,
)


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


def _atoi(arg: bytes) -> int:
    """C's atoi, as Redis reads MIGRATE's port: leading blanks, a sign, digits; anything else is 0."""
    m = re.match(rb"[ \t\n\v\f\r]*([+-]?[0-9]+)", arg)
    return int(m[1]) if m else 0


def _resp(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


@command("migrate", -6, "write movablekeys", keys=(3, 3, 1), find_keys=migrate_keys)
def migrate(ctx: Ctx, args: list[bytes]) -> Any:
    """MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...]: DUMP
    the keys, RESTORE them on the target, delete them here (unless COPY) once the target acknowledged."""
    copy = replace = False
    auth: list[bytes] = []
    keys = [args[3]]
    j = 6
    while j < len(args):
        option = args[j].lower()
        more = len(args) - 1 - j
        if option == b"copy":
            copy = True
        elif option == b"replace":
            replace = True
        elif option == b"auth":
            if not more:
                raise CommandError(SYNTAX)
            auth = [args[j + 1]]
            j += 1
        elif option == b"auth2":
            if more < 2:
                raise CommandError(SYNTAX)
            auth = [args[j + 1], args[j + 2]]
            j += 2
        elif option == b"keys":
            if args[3]:
                raise CommandError(MIGRATE_KEYS_ARG)
            keys = args[j + 1 :]
            break
        else:
            raise CommandError(SYNTAX)
        j += 1
    timeout = _integer(args[5])
    dbid = _integer(args[4])
    if timeout <= 0:
        timeout = 1000
    db = ctx.db
    found = [(key, value) for key in keys if (value := db.lookup(key)) is not None]
    if not found:
        ctx.log_as()
        return SimpleString("NOKEY")
    enc = encodings(ctx.server.config)
    request = [_resp(b"AUTH", *auth)] if auth else []
    request.append(_resp(b"SELECT", str(dbid).encode()))
    sent: list[bytes] = []
    now = ctx.now_ms()
    for key, value in found:
        when = db.get_expire_ms(key)
        ttl = 0 if when is None else max(when - now, 1) if when >= now else -1
        if ttl < 0:
            continue  # expired since the lookup
        sent.append(key)
        restore = [b"RESTORE", key, str(ttl).encode(), rdb.dump(value, enc)]
        request.append(_resp(*restore, *([b"REPLACE"] if replace else [])))
    preamble = len(request) - len(sent)
    failure: LinkError | None = None
    for attempt in (1, 2):
        try:
            host, port = resp.safe_text(args[1]), _atoi(args[2])
            lines = exchange(host, port, timeout, b"".join(request), len(request))
            failure = None
            break
        except LinkError as e:
            if e.stage == "connecting":
                raise CommandError(MIGRATE_CONNECT) from None
            lines, failure = e.lines, e
            if e.timed_out or len(lines) > preamble or attempt == 2:
                break
    if failure is not None and len(lines) < preamble:
        ctx.log_as()
        raise CommandError(texts.migrate_io(failure.stage))
    error = next((line for line in lines[:preamble] if line.startswith(b"-")), None)
    deleted: list[bytes] = []
    for key, line in zip(sent, lines[preamble:], strict=False):
        if error is None and line.startswith(b"-"):
            error = line
        elif error is None and not copy:
            db.delete(key)
            deleted.append(key)
    if deleted:
        ctx.log_as([b"DEL", *deleted])
    else:
        ctx.log_as()
    # Returned, not raised: the keys the target took are gone here, and their DEL must reach the AOF.
    if error is not None:
        return resp.ErrorReply(texts.migrate_target_error(resp.safe_text(error[1:])))
    if failure is not None:
        return resp.ErrorReply(texts.migrate_io(failure.stage))
    return OK
