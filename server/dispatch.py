"""From a parsed command to reply bytes: lookup, arity, auth gate, ACL, MULTI queue, EXEC, AOF, MONITOR.

The checks run in the order of Redis 7.0's processCommand(), because that order is visible to clients:
an unknown command or a wrong arity is reported before NOAUTH, and inside MULTI every rejected command
marks the transaction so that EXEC answers EXECABORT.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from server import resp, texts
from server.commands.pubsub import SUBSCRIBED_MODE_COMMANDS as SUBSCRIBED_MODE
from server.commands.pubsub import subscribed_mode_error
from server.commands.registry import CommandError, CommandSpec, Handler
from server.commands.waits import Block
from server.slowlog import shown_args
from server.texts import EXECABORT, MISCONF, NOAUTH

if TYPE_CHECKING:
    from server.state import ClientState, ServerState

# processCommand() never queues these inside MULTI (POST / Host: abort the connection at once).
NOT_QUEUED = frozenset({"exec", "discard", "multi", "watch", "quit", "reset", "post", "host:"})


def redacted(argv: list[bytes]) -> list[bytes | None]:
    """argv with secrets replaced by None, as Redis's redactClientCommandArgument does for MONITOR:
    every AUTH argument, the user/password after HELLO's AUTH option and MIGRATE's AUTH / AUTH2."""
    name = argv[0].lower()
    if name == b"auth":
        return [argv[0], *[None] * (len(argv) - 1)]
    shown: list[bytes | None] = list(argv)
    if name == b"hello":
        for i in range(2, len(argv) - 2):
            if argv[i].lower() == b"auth":
                shown[i + 1] = shown[i + 2] = None
                break
    if name == b"migrate":  # AUTH password / AUTH2 username password
        for i in range(6, len(argv)):
            option = argv[i].lower()
            if option == b"keys":
                break
            if option in (b"auth", b"auth2"):
                for k in range(i + 1, min(i + (2 if option == b"auth" else 3), len(argv))):
                    shown[k] = None
    return shown


class Entry:
    """A CommandSpec flattened for the hot path (attribute reads instead of frozenset lookups)."""

    __slots__ = (
        "admin", "arity", "handler", "max_argc", "min_argc", "name", "no_auth", "no_multi", "queued",
        "signals", "spec", "subs", "write",
    )  # fmt: skip

    def __init__(self, spec: CommandSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.handler: Handler = spec.handler
        self.arity = spec.arity
        self.min_argc = abs(spec.arity)  # Redis arity: N exactly N arguments, -N at least N
        self.max_argc = spec.arity if spec.arity >= 0 else 1 << 62
        self.no_auth = "no-auth" in spec.flags
        self.no_multi = "no-multi" in spec.flags
        self.write = "write" in spec.flags
        # May make a key ready for blocked clients: every write, and EXEC as a whole (Redis serves blocked
        # clients after the transaction, never between its commands).
        self.signals = self.write or spec.name == "exec"
        self.admin = "admin" in spec.flags or "skip-monitor" in spec.flags
        self.queued = spec.name not in NOT_QUEUED
        self.subs: dict[bytes, Entry] | None = None


def unknown_command(argv: list[bytes]) -> str:
    """Redis's text: the name and the first arguments, each cut so the message stays short."""
    shown = b""
    for arg in argv[1:]:
        if len(shown) >= 128:
            break
        shown += b"'" + resp.c_string(arg)[: 128 - len(shown)] + b"' "
    name = resp.safe_text(resp.c_string(argv[0])[:128])
    return texts.unknown_command(name, resp.safe_text(shown))


def arity_error(name: str) -> str:
    return texts.wrong_arity(name)


def _after(commands: list[list[bytes]], argv: list[bytes]) -> list[list[bytes]]:
    """The commands of a batch after `argv` (found by identity: the same command may appear twice)."""
    for i, other in enumerate(commands):
        if other is argv:
            return commands[i + 1 :]
    return []


class Dispatcher:
    """Executes commands for clients of one server; appends encoded replies to the caller's batch."""

    __slots__ = ("_entries", "_spelled", "server")

    def __init__(self, server: ServerState) -> None:
        self.server = server
        entries = {name: Entry(spec) for name, spec in server.table.items() if b"|" not in name}
        for name, spec in server.table.items():
            if b"|" in name:
                parent, sub = name.split(b"|", 1)
                container = entries[parent]
                if container.subs is None:
                    container.subs = {}
                container.subs[sub] = Entry(spec)
        self._entries = entries
        # Clients spell names in lower or upper case: look those up as sent, lower() only the rest.
        self._spelled = {**entries, **{name.upper(): entry for name, entry in entries.items()}}
        server.dispatcher = self

    def lookup(self, argv: list[bytes]) -> Entry | str:
        """The entry to run, or the error text for an unknown command / subcommand / wrong arity."""
        entry = self._spelled.get(argv[0]) or self._entries.get(argv[0].lower())
        if entry is None:
            return unknown_command(argv)
        argc = len(argv)
        if entry.subs is None and entry.min_argc <= argc <= entry.max_argc:
            return entry
        if entry.subs is not None and argc >= 2:
            sub = entry.subs.get(argv[1].lower())
            if sub is None:
                name = resp.safe_text(resp.c_string(argv[1])[:128])
                container = resp.safe_text(resp.c_string(argv[0]).upper())
                return texts.unknown_subcommand(name, container)
            entry = sub
        if not entry.min_argc <= argc <= entry.max_argc:
            return arity_error(entry.name)
        return entry

    def execute_batch(self, client: ClientState, commands: list[list[bytes]], out: list[bytes]) -> None:
        """Run the commands of one read batch in order, appending their replies to `out`; stops after a
        command that closes the connection (QUIT, CLIENT KILL of itself, POST / Host:).

        This is the hot path, so the usual case (a known command with the right arity, from an
        authenticated client with an unrestricted user outside MULTI) is run() inlined, with the names
        it needs bound once per batch. Anything else goes through execute(); the result is the same."""
        server = self.server
        stats = server.stats
        spelled = self._spelled.get
        ctx = client.ctx
        append = out.append
        bulk, status = bytes, resp.SimpleString
        headers, cached, crlf = resp.BULK_HEADER, resp.BULK_HEADERS_CACHED, resp.CRLF
        clock = time.perf_counter_ns
        cfg = server.config
        tracking = cfg["latency-tracking"]
        record = server.histograms.record
        slow_ns = self._slow_floor_ns()
        timed = tracking or slow_ns is not None
        ready = server.keyspace.ready  # mutated in place by writes, never rebound
        for argv in commands:
            entry = spelled(argv[0])
            if (
                entry is None
                or entry.subs is not None
                or not entry.min_argc <= len(argv) <= entry.max_argc
                or not client.authenticated
                or client.multi is not None
                or not client.user.unrestricted
                or client.subscribed
                or server.rdb.refuse_writes
            ):
                self.execute(client, argv, out)
                if client.blocked is not None:
                    client.held = _after(commands, argv)
                    return
            else:
                ctx.log = None
                client.last_cmd = entry.name
                started = clock() if timed else 0
                try:
                    result = entry.handler(ctx, argv)
                except CommandError as e:
                    stats.total_error_replies += 1
                    result = resp.ErrorReply(e.message)
                else:
                    if entry.write:  # (EXEC, which also signals, never runs here: a client in MULTI does not)
                        log = ctx.log
                        server.rdb.changes += 1 if log is None else len(log)
                        if server.aof is not None:
                            server.aof.feed(client.db_index, [argv] if log is None else log)
                        if ready:
                            server.blocking.serve_ready()
                if timed:  # record_duration, inlined: the histogram is on by default, slow commands are rare
                    nanos = clock() - started
                    if tracking:
                        record(entry.name, nanos)
                    if slow_ns is not None and nanos >= slow_ns:
                        self.log_slow(client, entry, argv, nanos)
                stats.total_commands_processed += 1
                if server.monitors and not entry.admin:
                    self.feed_monitors(client, argv)
                kind = type(result)
                if kind is bulk:  # the two most common replies, encoded without a call
                    n = len(result)
                    append(headers[n] if n < cached else b"$%d\r\n" % n)
                    append(result)
                    append(crlf)
                elif kind is status:
                    append(result.wire)
                elif kind is Block:
                    server.blocking.park(client, result)
                    client.held = _after(commands, argv)
                    return
                else:
                    resp.write(out, result, client.proto)
            if client.close_after_reply or client.abort:
                return

    def execute(self, client: ClientState, argv: list[bytes], out: list[bytes]) -> None:
        """Run one command from the wire and append its reply to `out`."""
        entry = self._spelled.get(argv[0])
        if entry is None or entry.subs is not None or not entry.min_argc <= len(argv) <= entry.max_argc:
            found = self.lookup(argv)
            if isinstance(found, str):
                self._reject(client, found, out)
                return
            entry = found
        client.last_cmd = entry.name  # CLIENT LIST cmd=: also for a command queued or refused
        usual = client.authenticated and client.multi is None and client.user.unrestricted \
            and not self.server.rdb.refuse_writes  # fmt: skip
        if usual and not client.subscribed:
            self._reply(client, entry, self.run(client, entry, argv), out)
            return
        if not client.authenticated and not entry.no_auth:
            self._reject(client, NOAUTH, out)
            return
        if client.multi is not None and entry.no_multi:
            self._reject(client, texts.COMMAND_NOT_ALLOWED_IN_MULTI, out)
            return
        user = client.user
        if not user.unrestricted and not entry.no_auth:  # AUTH, HELLO, QUIT, RESET bypass ACLs, as in Redis
            denied = user.allowed(entry.spec, argv)
            if denied is not None:
                self._log_denied(client, entry, argv, denied)
                self._reject(client, denied, out)
                return
        if self.server.rdb.refuse_writes and (entry.write or entry.name == "ping"):
            self._reject(client, MISCONF, out)  # stop-writes-on-bgsave-error: PING too, as Redis
            return
        if client.subscribed and client.proto == 2 and entry.spec.name.split("|")[0] not in SUBSCRIBED_MODE:
            self._reject(client, subscribed_mode_error(entry.name), out)
            return
        if client.multi is not None and entry.queued:
            client.multi.append(argv)
            out.append(resp.QUEUED.wire)
            return
        self._reply(client, entry, self.run(client, entry, argv), out)

    def _reply(self, client: ClientState, entry: Entry, result: Any, out: list[bytes]) -> None:
        """A command's result: its reply, or the client parks in a blocking command. Then the clients
        blocked on keys the command made ready are served."""
        kind = type(result)
        if kind is resp.SimpleString:
            out.append(result.wire)
        elif kind is Block:
            self.server.blocking.park(client, result)
        else:
            resp.write(out, result, client.proto)
        if entry.signals and self.server.keyspace.ready:
            self.server.blocking.serve_ready()

    def _log_denied(self, client: ClientState, entry: Entry, argv: list[bytes], denied: str) -> None:
        """An ACL LOG entry for a NOPERM: the command (as 'name|sub'), or the key that was refused."""
        from server.commands.connection import client_line

        server = self.server
        spec = entry.spec
        if "keys" in denied:
            reason = "key"
            keys = spec.key_args(argv)
            refused = [k for k in keys if not client.user.key_allowed(k)]
            obj = resp.safe_text((refused or keys or [b""])[0])
        elif "channels" in denied:
            reason = "channel"
            obj = resp.safe_text(client.user.refused_channel(spec.name, argv) or b"")
        else:
            reason = "command"
            obj = spec.name  # a subcommand's spec is named "config|get", as the log shows it
        context = "multi" if client.multi is not None else "toplevel"
        server.acl_log.add(reason, context, obj, client.user.name, client_line(server, client),
                           server.config["acllog-max-len"])  # fmt: skip

    def _reject(self, client: ClientState, message: str, out: list[bytes]) -> None:
        if client.multi is not None:
            client.multi_error = True
        self.server.stats.total_error_replies += 1
        out.append(resp.error_bytes(message))

    def run(self, client: ClientState, entry: Entry, argv: list[bytes]) -> Any:
        """Execute; propagate a successful write to the AOF; show it to MONITORs. Returns the reply value
        (an ErrorReply when the handler raised CommandError)."""
        server = self.server
        ctx = client.ctx
        ctx.log = None
        client.last_cmd = entry.name
        started = time.perf_counter_ns()
        try:
            result = entry.handler(ctx, argv)
        except CommandError as e:
            server.stats.total_error_replies += 1
            result = resp.ErrorReply(e.message)
        else:
            if entry.write:
                log = ctx.log
                server.rdb.changes += 1 if log is None else len(log)
                if server.aof is not None:
                    server.aof.feed(client.db_index, [argv] if log is None else log)
        nanos = time.perf_counter_ns() - started
        if entry.name != "exec":  # EXEC's commands are timed one by one, as Redis logs them
            self.record_duration(client, entry, argv, nanos)
        elif server.config["latency-tracking"]:
            server.histograms.record("exec", nanos)
        server.stats.total_commands_processed += 1
        if server.monitors and not entry.admin:
            self.feed_monitors(client, argv)
        return result

    def _slow_floor_ns(self) -> int | None:
        """The shortest duration SLOWLOG or the latency monitor logs, or None when both are off."""
        cfg = self.server.config
        floors = []
        if cfg["slowlog-log-slower-than"] >= 0:
            floors.append(cfg["slowlog-log-slower-than"] * 1000)
        if cfg["latency-monitor-threshold"] > 0:
            floors.append(cfg["latency-monitor-threshold"] * 1_000_000)
        return min(floors) if floors else None

    def record_duration(self, client: ClientState, entry: Entry, argv: list[bytes], nanos: int) -> None:
        """LATENCY HISTOGRAM; SLOWLOG and LATENCY when the command reached their thresholds."""
        if self.server.config["latency-tracking"]:
            self.server.histograms.record(entry.name, nanos)
        self.log_slow(client, entry, argv, nanos)

    def log_slow(self, client: ClientState, entry: Entry, argv: list[bytes], nanos: int) -> None:
        """SLOWLOG and LATENCY: log the command when it reached their thresholds."""
        server = self.server
        cfg = server.config
        micros = nanos // 1000
        slower = cfg["slowlog-log-slower-than"]
        if 0 <= slower <= micros:
            server.slowlog.push(shown_args(redacted(argv)), micros, client.addr, client.name or b"",
                                cfg["slowlog-max-len"])  # fmt: skip
        threshold = cfg["latency-monitor-threshold"]
        if threshold > 0 and micros >= threshold * 1000:
            server.latency.add("fast-command" if "fast" in entry.spec.flags else "command", micros // 1000)

    def exec_queue(self, client: ClientState) -> Any:
        """EXEC's reply: the queued commands' replies (errors become elements), EXECABORT after a
        queueing error, or the null array when a WATCHed key changed. Always leaves MULTI and unwatches."""
        queue = client.multi or []
        aborted = client.multi_error
        watch = client.watch
        conflict = watch is not None and watch.dirty
        client.multi = None
        client.multi_error = False
        if watch is not None:
            self.server.keyspace.unwatch_all(watch)
            client.watch = None
        if aborted:
            raise CommandError(EXECABORT)
        if conflict:
            return resp.NULL_ARRAY
        aof = self.server.aof
        wrapped = False
        replies: list[Any] = []
        client.deny_blocking = True
        try:
            for argv in queue:
                entry = self.lookup(argv)
                assert isinstance(entry, Entry)  # queued commands passed lookup
                if aof is not None and entry.write and not wrapped:
                    aof.feed(client.db_index, [[b"MULTI"]])  # the AOF replays the transaction atomically
                    wrapped = True
                replies.append(self.run(client, entry, argv))
        finally:
            client.deny_blocking = False
        if wrapped and aof is not None:
            aof.feed(client.db_index, [[b"EXEC"]])
        return replies

    def feed_monitors(self, client: ClientState, argv: list[bytes]) -> None:
        """One MONITOR line per executed command, as a status reply: +<time> [db addr] "arg" ..."""
        now = time.time()
        shown = ['"(redacted)"' if a is None else resp.repr_bytes(a) for a in redacted(argv)]
        stamp = f"{int(now)}.{int(now * 1_000_000) % 1_000_000:06d}"
        line = f"+{stamp} [{client.db_index} {client.addr}] {' '.join(shown)}"
        data = line.encode("utf-8", "surrogateescape").replace(b"\r", b" ").replace(b"\n", b" ") + b"\r\n"
        for monitor in self.server.monitors:
            monitor.send(data)
