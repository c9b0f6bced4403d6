"""Connection family: PING ECHO AUTH HELLO SELECT QUIT RESET CLIENT, and the cross-protocol guard."""

from __future__ import annotations

import time
from typing import Any

from server import resp, texts
from server.acl import AuthError
from server.commands.registry import CommandError, command
from server.context import Ctx
from server.state import ClientState, ServerState
from server.texts import (
    CLIENT_ID_POSITIVE,
    CLIENT_NAME_CHARS,
    DB_RANGE,
    HELLO_NOAUTH,
    INVALID_CLIENT_ID,
    NO_SUCH_CLIENT,
    NOPROTO,
    NOT_INTEGER,
    PING_ARITY,
    PROTOVER_NOT_INTEGER,
    SYNTAX,
    UNBLOCK_REASON,
    WRONGPASS,
)

REDIS_VERSION = "7.0.15"  # what HELLO and INFO report: clients pick features by it


@command("ping", -1, "fast sentinel")
def ping(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 2:
        raise CommandError(PING_ARITY)
    if ctx.client.subscribed and ctx.client.proto == 2:  # subscribed mode: a message-shaped answer
        return [b"pong", b"" if len(args) == 1 else args[1]]
    return resp.PONG if len(args) == 1 else args[1]


@command("echo", 2, "fast loading stale")
def echo(ctx: Ctx, args: list[bytes]) -> Any:
    return args[1]


def log_auth_failure(ctx: Ctx, username: bytes, command: str = "AUTH") -> None:
    """ACL LOG: a refused AUTH or HELLO AUTH, under the username that was tried."""
    server = ctx.server
    server.acl_log.add("auth", "toplevel", command, resp.safe_text(username), client_line(server, ctx.client),
                       server.config["acllog-max-len"])  # fmt: skip


@command("auth", -2, "no-auth noscript loading stale fast sentinel allow-busy")
def auth(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise CommandError(SYNTAX)
    try:
        user = ctx.server.users.auth_command(args[1:])
    except AuthError as e:
        if str(e).startswith("WRONGPASS"):
            log_auth_failure(ctx, args[1] if len(args) == 3 else b"default")
        raise CommandError(str(e)) from None
    ctx.client.user = user
    ctx.client.authenticated = True
    return resp.OK


@command("hello", -1, "no-auth noscript loading stale fast sentinel allow-busy")
def hello(ctx: Ctx, args: list[bytes]) -> Any:
    client = ctx.client
    version = 0
    if len(args) >= 2:
        parsed = resp.strict_int(args[1])
        if parsed is None:
            raise CommandError(PROTOVER_NOT_INTEGER)
        if parsed not in (2, 3):
            raise CommandError(NOPROTO)
        version = parsed
    credentials: tuple[bytes, bytes] | None = None
    name: bytes | None = None
    j = 2
    while j < len(args):
        more = len(args) - 1 - j
        option = args[j].lower()
        if option == b"auth" and more >= 2:
            credentials = (args[j + 1], args[j + 2])
            j += 3
        elif option == b"setname" and more >= 1:
            name = args[j + 1]
            j += 2
        else:
            raise CommandError(texts.hello_syntax(resp.safe_text(resp.c_string(args[j]))))
    if credentials is not None:
        user = ctx.server.users.authenticate(*credentials)
        if user is None:
            log_auth_failure(ctx, credentials[0], "HELLO")
            raise CommandError(WRONGPASS)
        client.user = user
        client.authenticated = True
    if not client.authenticated:
        raise CommandError(
            HELLO_NOAUTH
        )
    if name is not None:
        set_client_name(client, name)
    if version:
        client.proto = version
    return {
        b"server": b"redis",
        b"version": REDIS_VERSION.encode(),
        b"proto": client.proto,
        b"id": client.id,
        b"mode": b"standalone",
        b"role": b"master",
        b"modules": [],
    }


@command("select", 2, "loading stale fast")
def select(ctx: Ctx, args: list[bytes]) -> Any:
    index = resp.strict_int(args[1])
    if index is None:
        raise CommandError(NOT_INTEGER)
    if not 0 <= index < ctx.server.keyspace.databases:
        raise CommandError(DB_RANGE)
    ctx.client.db_index = index
    return resp.OK


@command("quit", -1, "no-auth noscript loading stale fast allow-busy")
def quit_(ctx: Ctx, args: list[bytes]) -> Any:
    ctx.client.close_after_reply = True
    return resp.OK


@command("reset", 1, "no-auth noscript loading stale fast allow-busy")
def reset(ctx: Ctx, args: list[bytes]) -> Any:
    """Back to a fresh connection's state: no MULTI, no WATCH, not MONITOR, db 0, RESP2, default user."""
    client, server = ctx.client, ctx.server
    client.multi = None
    client.multi_error = False
    if client.watch is not None:
        server.keyspace.unwatch_all(client.watch)
        client.watch = None
    if client.monitor:
        client.monitor = False
        server.monitors.remove(client)
    server.pubsub.forget(client)
    client.db_index = 0
    client.proto = 2
    client.name = None
    client.user = server.users.default
    client.authenticated = not server.users.auth_required()
    return resp.SimpleString("RESET")


@command("post", -1, "no-auth loading stale")
@command("host:", -1, "no-auth loading stale")
def cross_protocol(ctx: Ctx, args: list[bytes]) -> Any:
    """An HTTP request sent to Redis (a browser tricked into it): drop the connection, reply nothing."""
    ctx.server.log.warning(
        "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to "
        "Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to "
        "compromise your Redis instance. Connection aborted."
    )
    ctx.client.abort = True
    return None


# ---------------------------------------------------------------- CLIENT


def set_client_name(client: ClientState, name: bytes) -> None:
    if any(c < 33 or c > 126 for c in name):
        raise CommandError(CLIENT_NAME_CHARS)
    client.name = name or None


def client_line(server: ServerState, client: ClientState) -> str:
    """One CLIENT LIST / CLIENT INFO line, with Redis 7.0's fields (memory fields are ours to estimate)."""
    now = time.monotonic()
    subs = server.pubsub.clients.get(client)
    shown = (("O", client.monitor), ("P", subs is not None), ("x", client.multi is not None),
             ("b", client.blocked is not None), ("e", client.no_evict))  # fmt: skip
    flags = "".join(f for f, on in shown if on) or "N"
    name = resp.safe_text(client.name or b"")
    sub, psub, ssub = (0, 0, 0) if subs is None else (len(subs.channels), len(subs.patterns), len(subs.shard))
    multi = -1 if client.multi is None else len(client.multi)
    return (
        f"id={client.id} addr={client.addr} laddr={client.laddr} fd={client.fd} name={name} "
        f"age={int(now - client.created)} idle={int(now - client.last_interaction)} flags={flags} "
        f"db={client.db_index} sub={sub} psub={psub} ssub={ssub} multi={multi} "
        f"qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r "
        f"cmd={client.last_cmd} user={client.user.name} redir=-1 resp={client.proto}"
    )


@command("client", -2, "sentinel")
@command("client|help", 2, "loading stale")
def client_help(ctx: Ctx, args: list[bytes]) -> Any:
    return [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "GETNAME",
        "    Return the name of the current connection.",
        "SETNAME <connection-name>",
        "    Assign the name <connection-name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "LIST [TYPE normal|master|replica|pubsub] [ID <id> [<id> ...]]",
        "    Return information about client connections.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are: ID, TYPE, USER, ADDR, LADDR, SKIPME, MAXAGE.",
        "HELP",
        "    Print this help.",
    ]


@command("client|id", 2, "noscript loading stale")
def client_id(ctx: Ctx, args: list[bytes]) -> Any:
    return ctx.client.id


@command("client|getname", 2, "noscript loading stale")
def client_getname(ctx: Ctx, args: list[bytes]) -> Any:
    return ctx.client.name


@command("client|setname", 3, "noscript loading stale")
def client_setname(ctx: Ctx, args: list[bytes]) -> Any:
    set_client_name(ctx.client, args[2])
    return resp.OK


@command("client|info", 2, "noscript loading stale")
def client_info(ctx: Ctx, args: list[bytes]) -> Any:
    return resp.Verbatim("txt", client_line(ctx.server, ctx.client) + "\n")


@command("client|no-evict", 3, "admin noscript loading stale")
def client_no_evict(ctx: Ctx, args: list[bytes]) -> Any:
    """CLIENT NO-EVICT ON|OFF: kept and shown in CLIENT LIST; this server evicts no clients for memory."""
    switch = args[2].lower()
    if switch not in (b"on", b"off"):
        raise CommandError(SYNTAX)
    ctx.client.no_evict = switch == b"on"
    return resp.OK


@command("client|list", -2, "admin noscript loading stale")
def client_list(ctx: Ctx, args: list[bytes]) -> Any:
    server = ctx.server
    clients = list(server.clients.values())
    if len(args) == 4 and args[2].lower() == b"type":
        kind = args[3].lower()
        if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
            raise CommandError(texts.unknown_client_type(resp.safe_text(resp.c_string(args[3]))))
        clients = clients if kind == b"normal" else []
    elif len(args) >= 4 and args[2].lower() == b"id":
        wanted = set()
        for raw in args[3:]:
            value = resp.strict_int(raw)
            if value is None or value <= 0:
                raise CommandError(INVALID_CLIENT_ID)
            wanted.add(value)
        clients = [c for c in clients if c.id in wanted]
    elif len(args) != 2:
        raise CommandError(SYNTAX)
    return resp.Verbatim("txt", "".join(client_line(server, c) + "\n" for c in clients))


@command("client|kill", -3, "admin noscript loading stale")
def client_kill(ctx: Ctx, args: list[bytes]) -> Any:
    server, me = ctx.server, ctx.client
    if len(args) == 3:  # old form: CLIENT KILL addr:port
        victims = [c for c in server.clients.values() if c.addr.encode() == args[2]]
        if not victims:
            raise CommandError(NO_SUCH_CLIENT)
        _kill(me, victims)
        return resp.OK
    if len(args) % 2 == 1:
        raise CommandError(SYNTAX)
    skip_me = True
    tests: list[Any] = []
    for option, value in zip(args[2::2], args[3::2], strict=True):
        option = option.lower()
        if option == b"id":
            wanted = resp.strict_int(value)
            if wanted is None or wanted <= 0:
                raise CommandError(CLIENT_ID_POSITIVE)
            tests.append(lambda c, w=wanted: c.id == w)
        elif option == b"addr":
            tests.append(lambda c, v=value: c.addr.encode() == v)
        elif option == b"laddr":
            tests.append(lambda c, v=value: c.laddr.encode() == v)
        elif option == b"user":
            if server.users.users.get(value.decode("utf-8", "surrogateescape")) is None:
                raise CommandError(texts.no_such_user(resp.safe_text(resp.c_string(value))))
            tests.append(lambda c, v=value: c.user.name.encode() == v)
        elif option == b"type":
            kind = value.lower()
            if kind not in (b"normal", b"master", b"replica", b"slave", b"pubsub"):
                raise CommandError(texts.unknown_client_type(resp.safe_text(resp.c_string(value))))
            tests.append(lambda c, k=kind: k == b"normal")
        elif option == b"maxage":
            age = resp.strict_int(value)
            if age is None:
                raise CommandError(NOT_INTEGER)
            tests.append(lambda c, a=age: time.monotonic() - c.created >= a)
        elif option == b"skipme":
            if value.lower() not in (b"yes", b"no"):
                raise CommandError(SYNTAX)
            skip_me = value.lower() == b"yes"
        else:
            raise CommandError(SYNTAX)
    victims = [
        c for c in server.clients.values() if all(t(c) for t in tests) and not (skip_me and c is me)
    ]
    _kill(me, victims)
    return len(victims)


def _kill(me: ClientState, victims: list[ClientState]) -> None:
    for victim in victims:
        if victim is me:
            victim.close_after_reply = True  # Redis answers first, then closes its own connection
        else:
            if victim.blocked is not None:  # out of the wait queues now, not when the socket is gone
                me.ctx.server.blocking.forget(victim)
            victim.close()


@command("client|unblock", -3, "admin noscript loading stale")
def client_unblock(ctx: Ctx, args: list[bytes]) -> Any:
    """Answer a blocked client as if its timeout had passed, or with -UNBLOCKED (ERROR): 1, else 0."""
    if len(args) > 4:
        name = resp.safe_text(resp.c_string(args[1]))
        raise CommandError(texts.unknown_subcommand_or_arity(name, "CLIENT"))
    error = False
    if len(args) == 4:
        reason = args[3].lower()
        if reason not in (b"timeout", b"error"):
            raise CommandError(UNBLOCK_REASON)
        error = reason == b"error"
    wanted = resp.strict_int(args[2])
    if wanted is None:
        raise CommandError(NOT_INTEGER)
    target = ctx.server.clients.get(wanted)
    if target is None or target.blocked is None:
        return 0
    return int(ctx.server.blocking.unblock(target, error))
