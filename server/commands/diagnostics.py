"""SLOWLOG (GET LEN RESET HELP) and LATENCY (LATEST HISTORY RESET GRAPH DOCTOR HISTOGRAM HELP), Redis 7.0's
replies.
The dispatcher records the entries (server.slowlog); these handlers only show and reset them."""

from __future__ import annotations

from typing import Any

from server import resp, texts
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, command
from server.context import Ctx
from server.texts import COUNT_AT_LEAST_MINUS_ONE, NO_CONFIG_FILE


def _help(lines: list[str]) -> list[resp.SimpleString]:
    return [resp.SimpleString(line) for line in lines]


@command("slowlog", -2, "")
@command("slowlog|help", 2, "loading stale")
def slowlog_help(ctx: Ctx, args: list[bytes]) -> Any:
    return _help([
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ])  # fmt: skip


@command("slowlog|get", -2, "admin loading stale")
def slowlog_get(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        name = resp.safe_text(resp.c_string(args[1]))
        raise CommandError(
            texts.unknown_subcommand_or_arity(name, "SLOWLOG")
        )
    count = 10
    if len(args) == 3:
        parsed = parse_ll(args[2])
        if parsed is None or parsed < -1:
            raise CommandError(COUNT_AT_LEAST_MINUS_ONE)
        count = len(ctx.server.slowlog.entries) if parsed == -1 else parsed
    return [entry.reply() for entry in list(ctx.server.slowlog.entries)[:count]]


@command("slowlog|len", 2, "admin loading stale")
def slowlog_len(ctx: Ctx, args: list[bytes]) -> Any:
    return len(ctx.server.slowlog.entries)


@command("slowlog|reset", 2, "admin loading stale")
def slowlog_reset(ctx: Ctx, args: list[bytes]) -> Any:
    ctx.server.slowlog.reset()
    return resp.OK


@command("latency", -2, "")
@command("latency|help", 2, "loading stale")
def latency_help(ctx: Ctx, args: list[bytes]) -> Any:
    return _help([
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified "
        "command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    ])  # fmt: skip


@command("latency|latest", 2, "admin noscript loading stale")
def latency_latest(ctx: Ctx, args: list[bytes]) -> Any:
    return [
        [name.encode(), event.samples[-1][0], event.samples[-1][1], event.max_ms]
        for name, event in ctx.server.latency.events.items()
        if event.samples
    ]


@command("latency|history", 3, "admin noscript loading stale")
def latency_history(ctx: Ctx, args: list[bytes]) -> Any:
    event = ctx.server.latency.events.get(resp.safe_text(args[2]))
    return [] if event is None else [[ts, ms] for ts, ms in event.samples]


@command("latency|reset", -2, "admin noscript loading stale")
def latency_reset(ctx: Ctx, args: list[bytes]) -> Any:
    return ctx.server.latency.reset([resp.safe_text(a) for a in args[2:]])


@command("latency|histogram", -2, "admin noscript loading stale")
def latency_histogram(ctx: Ctx, args: list[bytes]) -> Any:
    """Per-command latency CDFs: {name: {calls, histogram_usec: {usec: cumulative count}}} (a map in RESP3,
    flat arrays in RESP2). Without names: every command called so far; a container name (CONFIG) also
    brings its subcommands; unknown names are skipped."""
    hist = ctx.server.histograms
    if len(args) == 2:
        names = hist.names()
    else:
        table = ctx.server.table
        names = []
        for arg in args[2:]:
            name = arg.lower().decode("utf-8", "replace")
            if name.encode() not in table:
                continue
            recorded = hist.names()
            if name in recorded:
                names.append(name)
            if "|" not in name:
                names += [n for n in recorded if n.startswith(name + "|")]
    return {
        name.encode(): {b"calls": hist.calls(name), b"histogram_usec": dict(hist.cdf(name))} for name in names
    }


@command("latency|graph", 3, "admin noscript loading stale")
def latency_graph(ctx: Ctx, args: list[bytes]) -> Any:
    name = resp.safe_text(args[2])
    event = ctx.server.latency.events.get(name)
    if event is None or not event.samples:
        raise CommandError(texts.no_samples(name))
    lines = [f"{name} - high {event.max_ms} ms, low {min(ms for _, ms in event.samples)} ms (all time high "
             f"{event.max_ms} ms)", "-" * 80]  # fmt: skip
    lines += [f"{ts} {ms} ms" for ts, ms in event.samples]
    return resp.Verbatim("txt", "\n".join(lines) + "\n")


@command("latency|doctor", 2, "admin noscript loading stale")
def latency_doctor(ctx: Ctx, args: list[bytes]) -> Any:
    if ctx.server.config["latency-monitor-threshold"] == 0:
        text = (
            "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
            'You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. '
            "If we weren't in a deep space mission I'd suggest to take a look at "
            "https://redis.io/topics/latency-monitor.\n"
        )
    elif not ctx.server.latency.events:
        text = (
            "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the "
            "slightest bit. I honestly think you ought to sleep tonight.\n"
        )
    else:
        text = "".join(
            f"{name}: {len(e.samples)} latency spikes (worst {e.max_ms} ms).\n"
            for name, e in ctx.server.latency.events.items()
        )
    return resp.Verbatim("txt", text)


@command("config|rewrite", 2, "admin noscript loading stale")
def config_rewrite(ctx: Ctx, args: list[bytes]) -> Any:
    from server.commands.acls import describe  # the user lines, as ACL LIST writes them
    from server.config_rewrite import rewrite

    server = ctx.server
    cfg = server.config
    if cfg.path is None:
        raise CommandError(NO_CONFIG_FILE)
    users = server.users.users
    lines: list[str] = []
    if not cfg["aclfile"]:
        for name in sorted(users):
            line = describe(ctx, users[name])
            if line != "user default on nopass ~* &* +@all":  # the default user as it starts
                lines.append(line)
    try:
        rewrite(cfg, lines)
    except OSError as e:
        raise CommandError(texts.config_rewrite_failed(str(e.strerror))) from None
    return resp.OK
