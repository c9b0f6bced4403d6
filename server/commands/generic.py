"""More keyspace commands (Redis 7.0 db.c / expire.c): EXPIRETIME PEXPIRETIME RANDOMKEY RENAMENX COPY
MOVE SWAPDB TOUCH, and WAIT (this server has no replicas: WAIT reports 0 acknowledgements)."""

from __future__ import annotations

import random

from server import texts
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.commands.waits import Block, block
from server.context import Ctx
from server.keyspace import Database, Value
from server.quicklist import QuickList
from server.resp import OK
from server.texts import (
    DB_RANGE,
    NO_SUCH_KEY,
    NOT_INTEGER,
    SAME_OBJECT,
    SYNTAX,
    TIMEOUT_NEGATIVE,
    TIMEOUT_NOT_INTEGER,
)
from server.zset import ZSet

INT_MAX = (1 << 31) - 1


def copy_value(value: Value) -> Value:
    """A deep copy: the copy and the original change independently afterwards."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, set):
        return set(value)
    if isinstance(value, QuickList):
        return QuickList(value)
    copy = ZSet()
    for score, member in value:
        copy.add(member, score)
    return copy


def _db_index(ctx: Ctx, arg: bytes, error: str = NOT_INTEGER) -> Database:
    index = parse_ll(arg)
    if index is None or not -INT_MAX - 1 <= index <= INT_MAX:
        raise CommandError(error)
    if not 0 <= index < ctx.keyspace.databases:
        raise CommandError(DB_RANGE)
    return ctx.keyspace.db(index)


def _abs_expire(ctx: Ctx, key: bytes) -> int | None:
    db = ctx.db
    if db.lookup(key) is None:
        return None
    when = db.get_expire_ms(key)
    return -1 if when is None else max(when, 0)


@command("expiretime", 2, "readonly fast", keys=(1, 1, 1))
def expiretime(ctx: Ctx, args: list[bytes]) -> int:
    when = _abs_expire(ctx, args[1])
    if when is None:
        return -2
    return -1 if when == -1 else (when + 500) // 1000


@command("pexpiretime", 2, "readonly fast", keys=(1, 1, 1))
def pexpiretime(ctx: Ctx, args: list[bytes]) -> int:
    when = _abs_expire(ctx, args[1])
    return -2 if when is None else when


@command("randomkey", 1, "readonly", keys=(0, 0, 0))
def randomkey(ctx: Ctx, args: list[bytes]) -> bytes | None:
    db = ctx.db
    while db.data:
        key = random.choice(list(db.data))
        if db.lookup(key) is not None:  # an expired pick is reclaimed; try again
            return key
    return None


@command("touch", -2, "readonly fast", keys=(1, -1, 1))
def touch(ctx: Ctx, args: list[bytes]) -> int:
    lookup = ctx.db.lookup
    return sum(lookup(key) is not None for key in args[1:])


@command("renamenx", 3, "write fast", keys=(1, 2, 1))
def renamenx(ctx: Ctx, args: list[bytes]) -> int:
    src, dst = args[1], args[2]
    db = ctx.db
    if db.lookup(src) is None:
        raise CommandError(NO_SUCH_KEY)
    if src == dst or db.lookup(dst) is not None:
        ctx.log_as()
        return 0
    db.rename(src, dst)
    return 1


def _move_to(src_db: Database, key: bytes, dst_db: Database, dst_key: bytes, value: Value) -> None:
    when = src_db.get_expire_ms(key)
    dst_db.set(dst_key, value)
    if when is not None:
        dst_db.set_expire_ms(dst_key, when)


@command("copy", -3, "write denyoom", keys=(1, 2, 1))
def copy(ctx: Ctx, args: list[bytes]) -> int:
    replace = False
    dst_db = ctx.db
    j = 3
    while j < len(args):
        opt = args[j].lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and j + 1 < len(args):
            dst_db = _db_index(ctx, args[j + 1])
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    src, dst = args[1], args[2]
    db = ctx.db
    if db is dst_db and src == dst:
        raise CommandError(SAME_OBJECT)
    value = db.lookup(src)
    if value is None:
        ctx.log_as()
        return 0
    if dst_db.lookup(dst) is not None:
        if not replace:
            ctx.log_as()
            return 0
        dst_db.delete(dst)
    _move_to(db, src, dst_db, dst, copy_value(value))
    return 1


@command("move", 3, "write fast", keys=(1, 1, 1))
def move(ctx: Ctx, args: list[bytes]) -> int:
    dst_db = _db_index(ctx, args[2])
    db = ctx.db
    if dst_db is db:
        raise CommandError(SAME_OBJECT)
    key = args[1]
    value = db.lookup(key)
    if value is None or dst_db.lookup(key) is not None:
        ctx.log_as()
        return 0
    _move_to(db, key, dst_db, key, value)
    db.delete(key)
    return 1


@command("swapdb", 3, "write fast", keys=(0, 0, 0))
def swapdb(ctx: Ctx, args: list[bytes]) -> object:
    first = _db_index(ctx, args[1], texts.INVALID_FIRST_DB)
    second = _db_index(ctx, args[2], texts.INVALID_SECOND_DB)
    if first is not second:
        for db in (first, second):  # every watched key that exists on either side changes
            for key in [k for k in db.watchers if k in first.data or k in second.data]:
                db.touch(key)
        first.data, second.data = second.data, first.data
        first.expires, second.expires = second.expires, first.expires
        for db in (first, second):
            db.forget_walks()
            for key in [k for k in db.watchers if k in db.data]:
                db.touch(key)
            for key in [k for k in db.blocked if k in db.data]:  # clients blocked there may be served now
                db.touch(key)
    return OK


@command("wait", 3, "noscript")
def wait(ctx: Ctx, args: list[bytes]) -> object:
    """No replica ever acknowledges: 0 at once when 0 replicas are asked for (or inside MULTI), else 0
    after the timeout (milliseconds; 0 waits forever, until CLIENT UNBLOCK)."""
    wanted = parse_ll(args[1])
    if wanted is None:
        raise CommandError(NOT_INTEGER)
    timeout = parse_ll(args[2])
    if timeout is None:
        raise CommandError(TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(TIMEOUT_NEGATIVE)
    if wanted <= 0:
        return 0
    return block(ctx, Block([], None, timeout, None, timeout_reply=0), refused=0)
