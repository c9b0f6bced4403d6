"""Real command execution without sockets: a real ServerState, ClientState and Ctx, and the real handler
table. Used to check what a handler hands to the AOF (ctx.log) and that replaying it rebuilds the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from server.acl import Users
from server.commands import FAMILIES
from server.commands.registry import CommandError, build_table
from server.config import Config
from server.context import Ctx
from server.keyspace import Keyspace
from server.log import RedisLog
from server.state import ServerState

TABLE = build_table(FAMILIES)


@dataclass(frozen=True)
class Outcome:
    reply: Any  # the reply value, or the CommandError text
    log: list[list[bytes]]  # what the AOF would receive (the command itself when the handler said nothing)


def make_ctx() -> Ctx:
    cfg = Config.load(None, [])
    server = ServerState(config=cfg, keyspace=Keyspace(), users=Users.from_config(cfg), log=RedisLog())
    return server.new_client("127.0.0.1:50000", "127.0.0.1:6379", 0, False).ctx


def execute(ctx: Ctx, argv: list[bytes]) -> Outcome:
    spec = TABLE[argv[0].lower()]
    assert spec.arity_ok(len(argv)), argv
    ctx.log = None
    try:
        reply = spec.handler(ctx, argv)
    except CommandError as e:
        return Outcome(e.message, [])
    return Outcome(reply, [argv] if ctx.log is None else ctx.log)


Run = Callable[..., Outcome]


@pytest.fixture
def ctx() -> Ctx:
    return make_ctx()


@pytest.fixture
def run(ctx: Ctx) -> Run:
    """run("SET", "k", "v") -> Outcome; arguments may be str, bytes or int."""

    def call(*args: str | bytes | int) -> Outcome:
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        return execute(ctx, argv)

    return call


def replay(logs: list[list[bytes]]) -> Keyspace:
    """Execute logged commands on a fresh server, as the AOF loader does (no expiry while loading)."""
    target = make_ctx()
    target.keyspace.loading = True
    for argv in logs:
        outcome = execute(target, argv)
        assert not isinstance(outcome.reply, str) or not outcome.reply.startswith(("ERR", "WRONGTYPE")), argv
    target.keyspace.loading = False
    return target.keyspace


def dataset(ks: Keyspace) -> dict[int, dict[bytes, tuple[Any, int | None]]]:
    """Every database's live keys with value and TTL, comparable across keyspaces."""
    out = {}
    for index in range(ks.databases):
        db = ks.db(index)
        live = db.keys()
        out[index] = {key: (_plain(db.data[key]), db.get_expire_ms(key)) for key in live}
    return out


def _plain(value: Any) -> Any:
    return list(value) if not isinstance(value, (bytes, dict, set)) else value
