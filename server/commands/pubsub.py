"""Pub/sub (Redis 7.0 pubsub.c): SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and the
sharded SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (on a standalone server, one shard holds every channel).

Confirmations and messages are push frames in RESP3 and plain arrays in RESP2; one confirmation per
channel, so a command with several channels answers with several top-level replies.
"""

from __future__ import annotations

from typing import Any

from server import resp, texts
from server.commands.registry import CommandError, command
from server.context import Ctx
from server.texts import SSUBSCRIBE_DENY_BLOCKING

# What a RESP2 client in subscribed mode may still send (processCommand's pub/sub context check).
SUBSCRIBED_MODE_COMMANDS = frozenset(
    {"subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit",
     "reset"}
)  # fmt: skip


def subscribed_mode_error(name: str) -> str:
    return texts.subscribed_mode(name)


def _bad_subcommand(args: list[bytes]) -> CommandError:
    name = resp.safe_text(resp.c_string(args[1]))
    return CommandError(texts.unknown_subcommand_or_arity(name, "PUBSUB"))


def _subscribe(ctx: Ctx, args: list[bytes], pattern: bool) -> resp.Replies:
    kind = b"psubscribe" if pattern else b"subscribe"
    pubsub, client = ctx.server.pubsub, ctx.client
    return resp.Replies(
        resp.Push([kind, channel, pubsub.subscribe(client, channel, pattern)]) for channel in args[1:]
    )


def _unsubscribe(ctx: Ctx, args: list[bytes], pattern: bool) -> resp.Replies:
    kind = b"punsubscribe" if pattern else b"unsubscribe"
    pubsub, client = ctx.server.pubsub, ctx.client
    names = args[1:]
    if not names:
        subs = pubsub.clients.get(client)
        names = [] if subs is None else list(subs.patterns if pattern else subs.channels)
        if not names:  # nothing to leave: one confirmation with a null channel
            return resp.Replies([resp.Push([kind, None, pubsub.count(client)])])
    return resp.Replies(
        resp.Push([kind, channel, pubsub.unsubscribe(client, channel, pattern)]) for channel in names
    )


@command("subscribe", -2, "pubsub noscript loading stale")
def subscribe(ctx: Ctx, args: list[bytes]) -> Any:
    return _subscribe(ctx, args, pattern=False)


@command("psubscribe", -2, "pubsub noscript loading stale")
def psubscribe(ctx: Ctx, args: list[bytes]) -> Any:
    return _subscribe(ctx, args, pattern=True)


@command("unsubscribe", -1, "pubsub noscript loading stale")
def unsubscribe(ctx: Ctx, args: list[bytes]) -> Any:
    return _unsubscribe(ctx, args, pattern=False)


@command("punsubscribe", -1, "pubsub noscript loading stale")
def punsubscribe(ctx: Ctx, args: list[bytes]) -> Any:
    return _unsubscribe(ctx, args, pattern=True)


@command("publish", 3, "pubsub loading stale fast")
def publish(ctx: Ctx, args: list[bytes]) -> Any:
    receivers, own = ctx.server.pubsub.publish(args[1], args[2], ctx.client)
    if own:  # the publisher listens too (RESP3): its message comes before the count
        return resp.Replies([*own, receivers])
    return receivers


@command("ssubscribe", -2, "pubsub noscript loading stale", keys=(1, -1, 1))
def ssubscribe(ctx: Ctx, args: list[bytes]) -> Any:
    if ctx.client.deny_blocking:  # inside EXEC: a reply per command is expected
        raise CommandError(SSUBSCRIBE_DENY_BLOCKING)
    pubsub, client = ctx.server.pubsub, ctx.client
    return resp.Replies(
        resp.Push([b"ssubscribe", channel, pubsub.subscribe_shard(client, channel)]) for channel in args[1:]
    )


@command("sunsubscribe", -1, "pubsub noscript loading stale", keys=(1, -1, 1))
def sunsubscribe(ctx: Ctx, args: list[bytes]) -> Any:
    pubsub, client = ctx.server.pubsub, ctx.client
    names = args[1:]
    if not names:
        subs = pubsub.clients.get(client)
        names = [] if subs is None else list(subs.shard)
        if not names:
            return resp.Replies([resp.Push([b"sunsubscribe", None, 0])])
    return resp.Replies(
        resp.Push([b"sunsubscribe", channel, pubsub.unsubscribe_shard(client, channel)]) for channel in names
    )


@command("spublish", 3, "pubsub loading stale fast", keys=(1, 1, 1))
def spublish(ctx: Ctx, args: list[bytes]) -> Any:
    receivers, own = ctx.server.pubsub.publish_shard(args[1], args[2], ctx.client)
    if own:
        return resp.Replies([*own, receivers])
    return receivers


@command("pubsub", -2, "")
@command("pubsub|help", 2, "loading stale")
def pubsub_help(ctx: Ctx, args: list[bytes]) -> Any:
    lines = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ]
    return [resp.SimpleString(line) for line in lines]


@command("pubsub|channels", -2, "pubsub loading stale")
def pubsub_channels(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise _bad_subcommand(args)
    return ctx.server.pubsub.active_channels(args[2] if len(args) == 3 else None)


@command("pubsub|numsub", -2, "pubsub loading stale")
def pubsub_numsub(ctx: Ctx, args: list[bytes]) -> Any:
    channels = ctx.server.pubsub.channels
    return [x for channel in args[2:] for x in (channel, len(channels.get(channel, ())))]


@command("pubsub|numpat", 2, "pubsub loading stale")
def pubsub_numpat(ctx: Ctx, args: list[bytes]) -> Any:
    return len(ctx.server.pubsub.patterns)


@command("pubsub|shardchannels", -2, "pubsub loading stale")
def pubsub_shardchannels(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise _bad_subcommand(args)
    return ctx.server.pubsub.active_channels(args[2] if len(args) == 3 else None, shard=True)


@command("pubsub|shardnumsub", -2, "pubsub loading stale")
def pubsub_shardnumsub(ctx: Ctx, args: list[bytes]) -> Any:
    channels = ctx.server.pubsub.shard_channels
    return [x for channel in args[2:] for x in (channel, len(channels.get(channel, ())))]

