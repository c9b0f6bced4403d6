"""Server family: INFO CONFIG COMMAND TIME MONITOR BGREWRITEAOF SAVE BGSAVE LASTSAVE SHUTDOWN."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from typing import Any

from server import resp
from server.acl import categories_of
from server.commands.connection import REDIS_VERSION
from server.commands.registry import CommandError, CommandSpec, command
from server.config import ConfigSetError
from server.context import Ctx
from server.state import ServerState
from server.stringmatch import compile_pattern
from server.texts import (
    AOF_NOT_ENABLED,
    BGSAVE_IN_PROGRESS,
    BGSAVE_OTHER_CHILD,
    CONFIG_SET_ARITY,
    GETKEYS_ARITY,
    GETKEYS_BAD_ARGS,
    GETKEYS_NO_COMMAND,
    GETKEYS_NO_KEYS,
    NO_SHUTDOWN,
    SAVE_FAILED,
    SYNTAX,
)

DEFAULT_SECTIONS = (
    "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats",
    "cluster", "keyspace",
)  # fmt: skip
ALL_SECTIONS = (*DEFAULT_SECTIONS, "commandstats", "latencystats")


# ---------------------------------------------------------------- INFO


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _section_server(server: ServerState) -> list[tuple[str, Any]]:
    now = time.time()
    uptime = server.uptime()
    return [
        ("redis_version", REDIS_VERSION),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "0"),
        ("redis_mode", "standalone"),
        ("os", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("arch_bits", 64 if sys.maxsize > 2**32 else 32),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("process_id", os.getpid()),
        ("process_supervised", "no"),
        ("run_id", server.run_id),
        ("tcp_port", server.tcp_port),
        ("server_time_usec", int(now * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", server.config["hz"]),
        ("configured_hz", server.config["hz"]),
        ("executable", sys.executable),
        ("config_file", server.config.path or ""),
        ("io_threads_active", 0),
        # Ours: lets a lab run tell the bundled server from redis-server, and find the TLS listener.
        ("implementation", "redis-tls-lab"),
        ("tls_port", server.tls_port),
    ]


def _section_clients(server: ServerState) -> list[tuple[str, Any]]:
    return [
        ("connected_clients", len(server.clients)),
        ("cluster_connections", 0),
        ("maxclients", server.config["maxclients"]),
        ("client_recent_max_input_buffer", 0),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", len(server.blocking.waiters)),
        ("tracking_clients", 0),
        ("clients_in_timeout_table", server.blocking.with_timeout),
    ]


def _section_memory(server: ServerState) -> list[tuple[str, Any]]:
    rss = _rss_bytes()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return [
        ("used_memory", rss),
        ("used_memory_human", _human(rss)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", _human(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", _human(peak)),
        ("maxmemory", 0),
        ("maxmemory_policy", "noeviction"),
        ("mem_allocator", "pymalloc"),
    ]


def _human(n: int) -> str:
    for unit in ("B", "K", "M", "G"):
        if n < 1024 or unit == "G":
            return f"{n}{unit}" if unit == "B" else f"{n:.2f}{unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _section_persistence(server: ServerState) -> list[tuple[str, Any]]:
    aof = server.aof
    fields: list[tuple[str, Any]] = [
        ("loading", 0),
        ("async_loading", 0),
        *server.rdb.info(),
        ("aof_enabled", int(bool(server.config["appendonly"]))),
    ]
    if aof is not None:
        fields += list(aof.info().items())
    return fields


def _section_stats(server: ServerState) -> list[tuple[str, Any]]:
    s = server.stats
    return [
        ("total_connections_received", s.total_connections_received),
        ("total_commands_processed", s.total_commands_processed),
        ("instantaneous_ops_per_sec", 0),
        ("total_net_input_bytes", s.total_net_input_bytes),
        ("total_net_output_bytes", s.total_net_output_bytes),
        ("rejected_connections", s.rejected_connections),
        ("expired_keys", server.keyspace.expired_keys),
        ("evicted_keys", 0),
        ("keyspace_hits", 0),
        ("keyspace_misses", 0),
        ("pubsub_channels", len(server.pubsub.channels)),
        ("pubsub_patterns", len(server.pubsub.patterns)),
        ("total_error_replies", s.total_error_replies),
        # Ours: TLS handshakes on the TLS listener (resumed = session reuse, no certificate exchange).
        ("tls_handshakes_full", s.tls_handshakes_full),
        ("tls_handshakes_resumed", s.tls_handshakes_resumed),
        ("tls_handshakes_failed", s.tls_handshakes_failed),
        ("tls_records_rejected", s.tls_records_rejected),
    ]


def _section_replication(server: ServerState) -> list[tuple[str, Any]]:
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", server.run_id),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
    ]


def _section_cpu(server: ServerState) -> list[tuple[str, Any]]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return [
        ("used_cpu_sys", f"{me.ru_stime:.6f}"),
        ("used_cpu_user", f"{me.ru_utime:.6f}"),
        ("used_cpu_sys_children", f"{children.ru_stime:.6f}"),
        ("used_cpu_user_children", f"{children.ru_utime:.6f}"),
    ]


def _section_cluster(server: ServerState) -> list[tuple[str, Any]]:
    return [("cluster_enabled", 0)]


def _section_keyspace(server: ServerState) -> list[tuple[str, Any]]:
    return [
        (f"db{i}", f"keys={keys},expires={expires},avg_ttl=0")
        for i, (keys, expires) in sorted(server.keyspace.info_keyspace().items())
    ]


def _section_empty(server: ServerState) -> list[tuple[str, Any]]:
    return []


SECTIONS = {
    "server": _section_server,
    "clients": _section_clients,
    "memory": _section_memory,
    "persistence": _section_persistence,
    "stats": _section_stats,
    "replication": _section_replication,
    "cpu": _section_cpu,
    "modules": _section_empty,
    "errorstats": _section_empty,
    "cluster": _section_cluster,
    "keyspace": _section_keyspace,
    "commandstats": _section_empty,
    "latencystats": _section_empty,
}


def info_text(server: ServerState, wanted: list[str]) -> str:
    """INFO's text for the requested section names (none: Redis's default set)."""
    names: list[str] = []
    for word in wanted or ["default"]:
        if word in ("all", "everything"):
            names += ALL_SECTIONS
        elif word == "default":
            names += DEFAULT_SECTIONS
        elif word in SECTIONS:
            names.append(word)
    blocks = []
    for name in (n for n in ALL_SECTIONS if n in names):  # Redis's order, whatever the request's
        lines = [f"# {name.capitalize() if name != 'cpu' else 'CPU'}"]
        lines += [f"{k}:{v}" for k, v in SECTIONS[name](server)]
        blocks.append("\r\n".join(lines) + "\r\n")
    return "\r\n".join(blocks)


@command("info", -1, "loading stale sentinel")
def info(ctx: Ctx, args: list[bytes]) -> Any:
    wanted = [resp.safe_text(a).lower() for a in args[1:]]
    return resp.Verbatim("txt", info_text(ctx.server, wanted))


# ---------------------------------------------------------------- CONFIG


@command("config", -2, "")
@command("config|help", 2, "loading stale")
def config_help(ctx: Ctx, args: list[bytes]) -> Any:
    return [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "HELP",
        "    Print this help.",
    ]


@command("config|get", -3, "admin noscript loading stale")
def config_get(ctx: Ctx, args: list[bytes]) -> Any:
    found = ctx.server.config.get_patterns([resp.safe_text(a) for a in args[2:]])
    return {name.encode(): value.encode("utf-8", "surrogateescape") for name, value in found.items()}


@command("config|set", -4, "admin noscript loading stale")
def config_set(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) % 2:
        raise CommandError(CONFIG_SET_ARITY)
    pairs = list(zip(args[2::2], args[3::2], strict=True))
    local = ctx.client.addr.startswith("127.") or ctx.client.addr.startswith("[::1]")
    try:
        ctx.server.config.set_many(pairs, local_client=local)
    except ConfigSetError as e:
        raise CommandError(str(e)) from None
    return resp.OK


@command("config|resetstat", 2, "admin noscript loading stale")
def config_resetstat(ctx: Ctx, args: list[bytes]) -> Any:
    ctx.server.stats.reset()
    ctx.server.keyspace.expired_keys = 0
    ctx.server.histograms.reset()
    return resp.OK


# ---------------------------------------------------------------- COMMAND

_GROUPS = {"keys": "generic", "strings": "string", "hashes": "hash", "sets": "set", "lists": "list",
           "connection": "connection", "transactions": "transactions", "server": "server"}  # fmt: skip


def _subcommands(table: dict[bytes, CommandSpec], spec: CommandSpec) -> list[CommandSpec]:
    prefix = spec.name.encode() + b"|"
    return [s for name, s in table.items() if name.startswith(prefix)]


# Declared for ACL and dispatch, but not among the flags Redis 7.0's COMMAND INFO lists.
_HIDDEN_FLAGS = frozenset({"sentinel", "only-sentinel"})


def command_info(table: dict[bytes, CommandSpec], spec: CommandSpec) -> list[Any]:
    """COMMAND INFO's 10-element entry (Redis 7 layout; flag names with underscores, as Redis shows them)."""
    return [
        spec.name.encode(),
        spec.arity,
        [resp.SimpleString(f.replace("-", "_")) for f in sorted(spec.flags - _HIDDEN_FLAGS)],
        spec.first_key,
        spec.last_key,
        spec.step,
        [resp.SimpleString(f"@{c}") for c in sorted(categories_of(spec))],
        [],
        [],
        [command_info(table, s) for s in _subcommands(table, spec)],
    ]


def command_docs(table: dict[bytes, CommandSpec], spec: CommandSpec) -> dict[bytes, Any]:
    doc = (spec.handler.__doc__ or spec.name.upper()).strip().splitlines()[0]
    out: dict[bytes, Any] = {
        b"summary": doc.encode(),
        b"since": b"1.0.0",
        b"group": _GROUPS.get(spec.family, "generic").encode(),
    }
    subs = _subcommands(table, spec)
    if subs:
        out[b"subcommands"] = {s.name.encode(): command_docs(table, s) for s in subs}
    return out


def _top_level(table: dict[bytes, CommandSpec]) -> list[CommandSpec]:
    return [spec for name, spec in table.items() if b"|" not in name]


@command("command", -1, "loading stale")
def command_all(ctx: Ctx, args: list[bytes]) -> Any:
    table = ctx.server.table
    return [command_info(table, spec) for spec in _top_level(table)]


@command("command|help", 2, "loading stale")
def command_help(ctx: Ctx, args: list[bytes]) -> Any:
    lines = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ]
    return [resp.SimpleString(line) for line in lines]


@command("command|count", 2, "loading stale")
def command_count(ctx: Ctx, args: list[bytes]) -> Any:
    return len(_top_level(ctx.server.table))


@command("command|info", -2, "loading stale")
def command_info_cmd(ctx: Ctx, args: list[bytes]) -> Any:
    table = ctx.server.table
    if len(args) == 2:
        return [command_info(table, spec) for spec in _top_level(table)]
    found = (table.get(name.lower()) for name in args[2:])
    return [None if spec is None else command_info(table, spec) for spec in found]


@command("command|list", -2, "loading stale")
def command_list(ctx: Ctx, args: list[bytes]) -> Any:
    """COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names (subcommands
    too)."""
    specs = list(ctx.server.table.values())
    j = 2
    while j < len(args):
        if args[j].lower() != b"filterby" or len(args) - 1 - j != 2:
            raise CommandError(SYNTAX)
        kind, arg = args[j + 1].lower(), args[j + 2]
        if kind == b"module":
            specs = []  # no modules here
        elif kind == b"aclcat":
            category = arg.decode("latin-1").lower()
            specs = [spec for spec in specs if category in categories_of(spec)]
        elif kind == b"pattern":
            match = compile_pattern(arg.lower())  # names are lower case: a case-blind match
            specs = [spec for spec in specs if match(spec.name.encode())]
        else:
            raise CommandError(SYNTAX)
        j += 3
    return [spec.name.encode() for spec in specs]


@command("command|getkeys", -4, "loading stale")
def command_getkeys(ctx: Ctx, args: list[bytes]) -> Any:
    """COMMAND GETKEYS <full command>: the keys of that command line, found as ACL finds them."""
    argv = args[2:]
    table = ctx.server.table
    spec = table.get(argv[0].lower())
    if spec is not None and len(argv) > 1 and _subcommands(table, spec):
        spec = table.get(argv[0].lower() + b"|" + argv[1].lower())
    if spec is None:
        raise CommandError(GETKEYS_NO_COMMAND)
    if spec.find_keys is None and spec.first_key <= 0:
        raise CommandError(GETKEYS_NO_KEYS)
    if not spec.arity_ok(len(argv)):
        raise CommandError(GETKEYS_ARITY)
    positions = spec.key_positions(argv)
    if not positions:
        if "no-mandatory-keys" in spec.flags:
            return []
        raise CommandError(GETKEYS_BAD_ARGS)
    return [argv[i] for i in positions]


@command("command|docs", -2, "loading stale")
def command_docs_cmd(ctx: Ctx, args: list[bytes]) -> Any:
    table = ctx.server.table
    names = [name.lower() for name in args[2:]] or [s.name.encode() for s in _top_level(table)]
    return {name: command_docs(table, table[name]) for name in names if name in table}


# ---------------------------------------------------------------- the rest


@command("time", 1, "loading stale fast")
def time_(ctx: Ctx, args: list[bytes]) -> Any:
    now = time.time_ns() // 1000
    return [str(now // 1_000_000).encode(), str(now % 1_000_000).encode()]


@command("monitor", 1, "admin noscript loading stale")
def monitor(ctx: Ctx, args: list[bytes]) -> Any:
    client = ctx.client
    if not client.monitor:
        client.monitor = True
        ctx.server.monitors.append(client)
    return resp.OK


@command("bgrewriteaof", 1, "admin noscript no-async-loading")
def bgrewriteaof(ctx: Ctx, args: list[bytes]) -> Any:
    aof = ctx.server.aof
    if aof is None:
        raise CommandError(AOF_NOT_ENABLED)
    if not aof.rewriting and (ctx.server.rdb.in_progress or ctx.client.deny_blocking):
        aof.rewrite_scheduled = True  # one child at a time, as Redis (also inside EXEC)
        return resp.SimpleString("Background append only file rewriting scheduled")
    problem = aof.start_rewrite()
    if problem is not None:
        raise CommandError(problem)
    return resp.SimpleString("Background append only file rewriting started")


@command("save", 1, "admin noscript no-async-loading no-multi")
def save(ctx: Ctx, args: list[bytes]) -> Any:
    """A snapshot in the foreground: every client waits, as in Redis."""
    rdb = ctx.server.rdb
    if rdb.in_progress:
        raise CommandError(BGSAVE_IN_PROGRESS)
    if not rdb.save():
        raise CommandError(SAVE_FAILED)
    return resp.OK


@command("bgsave", -1, "admin noscript no-async-loading")
def bgsave(ctx: Ctx, args: list[bytes]) -> Any:
    """A snapshot by a forked child. SCHEDULE (or inside EXEC): start it once no other child runs."""
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != b"schedule"):
        raise CommandError(SYNTAX)
    server = ctx.server
    rdb = server.rdb
    if rdb.in_progress:
        raise CommandError(BGSAVE_IN_PROGRESS)
    in_exec = ctx.client.deny_blocking  # set while EXEC runs its queue
    if (server.aof is not None and server.aof.rewriting) or in_exec:
        if len(args) == 2 or in_exec:
            rdb.scheduled = True
            return resp.SimpleString("Background saving scheduled")
        raise CommandError(BGSAVE_OTHER_CHILD)
    if not rdb.start_bgsave():
        raise CommandError(SAVE_FAILED)
    return resp.SimpleString("Background saving started")


@command("lastsave", 1, "loading stale fast")
def lastsave(ctx: Ctx, args: list[bytes]) -> Any:
    return ctx.server.rdb.last_save


@command("shutdown", -1, "admin noscript loading stale no-multi sentinel allow-busy")
def shutdown(ctx: Ctx, args: list[bytes]) -> Any:
    """Stop the server: flush the AOF, close every connection, exit 0. The caller gets no reply."""
    options = {a.lower() for a in args[1:]}
    if not options <= {b"save", b"nosave", b"now", b"force", b"abort"} or {b"save", b"nosave"} <= options:
        raise CommandError(SYNTAX)
    if b"abort" in options:
        if len(options) > 1:
            raise CommandError(SYNTAX)
        raise CommandError(NO_SHUTDOWN)
    save = True if b"save" in options else False if b"nosave" in options else None
    problem = ctx.server.request_shutdown(save, b"force" in options)
    if problem is not None:
        raise CommandError(problem)
    ctx.client.abort = True
    return None
