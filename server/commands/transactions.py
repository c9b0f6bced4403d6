"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH (optimistic locking on watched keys)."""

from __future__ import annotations

from typing import Any

from server import resp
from server.commands.registry import CommandError, command
from server.context import Ctx
from server.keyspace import WatchState
from server.texts import (
    DISCARD_WITHOUT_MULTI,
    EXEC_WITHOUT_MULTI,
    MULTI_NESTED,
    WATCH_IN_MULTI,
)


@command("multi", 1, "noscript loading stale fast allow-busy")
def multi(ctx: Ctx, args: list[bytes]) -> Any:
    client = ctx.client
    if client.multi is not None:
        raise CommandError(MULTI_NESTED)
    client.multi = []
    client.multi_error = False
    return resp.OK


@command("exec", 1, "noscript loading stale skip-slowlog")
def exec_(ctx: Ctx, args: list[bytes]) -> Any:
    if ctx.client.multi is None:
        raise CommandError(EXEC_WITHOUT_MULTI)
    dispatcher = ctx.server.dispatcher
    assert dispatcher is not None  # the server is assembled with one before it serves clients
    return dispatcher.exec_queue(ctx.client)


@command("discard", 1, "noscript loading stale fast allow-busy")
def discard(ctx: Ctx, args: list[bytes]) -> Any:
    client = ctx.client
    if client.multi is None:
        raise CommandError(DISCARD_WITHOUT_MULTI)
    client.multi = None
    client.multi_error = False
    _unwatch(ctx)
    return resp.OK


@command("watch", -2, "noscript loading stale fast allow-busy", keys=(1, -1, 1))
def watch(ctx: Ctx, args: list[bytes]) -> Any:
    client = ctx.client
    if client.multi is not None:
        raise CommandError(WATCH_IN_MULTI)
    if client.watch is None:
        client.watch = WatchState()
    db = ctx.db
    for key in args[1:]:
        db.watch(key, client.watch)
    return resp.OK


@command("unwatch", 1, "noscript loading stale fast allow-busy")
def unwatch(ctx: Ctx, args: list[bytes]) -> Any:
    _unwatch(ctx)
    return resp.OK


def _unwatch(ctx: Ctx) -> None:
    client = ctx.client
    if client.watch is not None:
        ctx.server.keyspace.unwatch_all(client.watch)
        client.watch = None
