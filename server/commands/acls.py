"""The ACL command (Redis 7.0 acl.c): SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT LOG DRYRUN GENPASS
SAVE LOAD HELP. Rules are applied by server.acl.User; this module parses, describes and replies.

A user's command rules are described as Redis 7.0 regenerates them from the permission bits: the base
(+@all or -@all), each category (in Redis's category order) that more than half matches, then the single
commands that still differ, here in name order (Redis walks its command table in hash order).
"""

from __future__ import annotations

import os
from typing import Any

from server import resp, texts
from server.acl import CONTAINERS, AclRuleError, User, categories_of
from server.commands.redisnum import parse_ll
from server.commands.registry import CommandError, CommandSpec, command
from server.context import Ctx
from server.texts import (
    ACL_DELUSER_DEFAULT,
    ACL_GENPASS_BITS,
    NO_ACL_FILE,
    NOT_INTEGER,
    USERNAME_CHARS,
)

CATEGORY_ORDER = (
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
    "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction",
    "scripting",
)  # fmt: skip


def _bad_arity(args: list[bytes]) -> CommandError:
    name = resp.safe_text(resp.c_string(args[1]))
    return CommandError(texts.unknown_subcommand_or_arity(name, "ACL"))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _top_level(ctx: Ctx) -> list[CommandSpec]:
    return sorted((s for n, s in ctx.server.table.items() if b"|" not in n), key=lambda s: s.name)


def describe_commands(ctx: Ctx, user: User) -> str:
    specs = _top_level(ctx)
    real = {s.name: user._command_allowed(s, "") for s in specs}
    everything = bool(user.command_rules) and user.command_rules[0] == (True, "all", "")
    additive = not everything
    fake = User("fake")
    fake.apply("-@all" if additive else "+@all")
    rules = ["-@all" if additive else "+@all"]
    for cat in CATEGORY_ORDER:
        members = [s.name for s in specs if cat in categories_of(s)]
        on = sum(real[n] for n in members)
        off = len(members) - on
        if (additive and on > off) or (not additive and off > on):
            rule = ("+@" if additive else "-@") + cat
            fake.apply(rule)
            rules.append(rule)
    for spec in specs:
        mine, theirs = real[spec.name], fake._command_allowed(spec, "")
        if mine != theirs:
            rules.append(("+" if mine else "-") + spec.name)
    for allow, kind, value in user.command_rules:  # subcommand rules (+config|get) are kept as given
        if kind == "cmd" and "|" in value:
            rules.append(("+" if allow else "-") + value)
    return " ".join(rules)


def _keys(user: User) -> str:
    return "~*" if user.all_keys else " ".join("~" + p for p in user.key_patterns)


def _channels(user: User) -> str:
    return "&*" if user.all_channels else " ".join("&" + p for p in user.channel_patterns)


def describe(ctx: Ctx, user: User) -> str:
    parts = ["user", user.name, "on" if user.enabled else "off"]
    if user.nopass:
        parts.append("nopass")
    parts += ["#" + digest for digest in sorted(user.passwords)]
    if user.all_keys or user.key_patterns:
        parts.append(_keys(user))
    if not user.all_channels:
        parts.append("resetchannels")
    if user.all_channels or user.channel_patterns:
        parts.append(_channels(user))
    parts.append(describe_commands(ctx, user))
    return " ".join(parts)


def _known(ctx: Ctx) -> set[str]:
    return {name.decode() for name in ctx.server.table if b"|" not in name}


@command("acl", -2, "sentinel")
@command("acl|help", 2, "loading stale sentinel")
def acl_help(ctx: Ctx, args: list[bytes]) -> Any:
    lines = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    ]
    return [resp.SimpleString(line) for line in lines]


@command("acl|setuser", -3, "admin noscript loading stale sentinel")
def acl_setuser(ctx: Ctx, args: list[bytes]) -> Any:
    name = _text(args[2])
    if " " in name or "\0" in name:
        raise CommandError(USERNAME_CHARS)
    users = ctx.server.users.users
    existing = users.get(name)
    user = User(name) if existing is None else _copy(existing)
    if existing is None:
        default = ctx.server.config["acl-pubsub-default"]
        user.apply("resetchannels" if default == "resetchannels" else "allchannels")
    known = _known(ctx)
    for raw in args[3:]:
        rule = _text(raw)
        try:
            user.apply(rule, known)
        except AclRuleError as e:
            raise CommandError(texts.acl_setuser_error(rule, str(e))) from None
    if existing is None:
        users[name] = user
    else:  # connections authenticated as this user keep the same object: update it in place
        existing.__dict__.update(user.__dict__)
    return resp.OK


def _copy(user: User) -> User:
    clone = User(user.name)
    clone.__dict__.update(
        {k: (type(v)(v) if isinstance(v, (list, set)) else v) for k, v in user.__dict__.items()}
    )
    return clone


@command("acl|getuser", 3, "admin noscript loading stale sentinel")
def acl_getuser(ctx: Ctx, args: list[bytes]) -> Any:
    user = ctx.server.users.users.get(_text(args[2]))
    if user is None:
        return None
    flags = [b"on" if user.enabled else b"off"]
    if user.nopass:
        flags.append(b"nopass")
    return {
        b"flags": flags,
        b"passwords": [d.encode() for d in sorted(user.passwords)],
        b"commands": describe_commands(ctx, user).encode(),
        b"keys": _keys(user).encode("utf-8", "surrogateescape"),
        b"channels": _channels(user).encode("utf-8", "surrogateescape"),
        b"selectors": [],
    }


@command("acl|deluser", -3, "admin noscript loading stale sentinel")
def acl_deluser(ctx: Ctx, args: list[bytes]) -> Any:
    server = ctx.server
    users = server.users.users
    names = [_text(a) for a in args[2:]]
    if "default" in names:
        raise CommandError(ACL_DELUSER_DEFAULT)
    deleted = 0
    for name in names:
        user = users.pop(name, None)
        if user is None:
            continue
        deleted += 1
        for client in list(server.clients.values()):  # Redis disconnects the user's clients
            if client.user is user:
                if client is ctx.client:
                    client.close_after_reply = True
                else:
                    client.close()
    return deleted


@command("acl|list", 2, "admin noscript loading stale sentinel")
def acl_list(ctx: Ctx, args: list[bytes]) -> Any:
    users = ctx.server.users.users
    return [describe(ctx, users[name]).encode("utf-8", "surrogateescape") for name in sorted(users)]


@command("acl|users", 2, "admin noscript loading stale sentinel")
def acl_users(ctx: Ctx, args: list[bytes]) -> Any:
    return [name.encode("utf-8", "surrogateescape") for name in sorted(ctx.server.users.users)]


@command("acl|whoami", 2, "noscript loading stale sentinel")
def acl_whoami(ctx: Ctx, args: list[bytes]) -> Any:
    return ctx.client.user.name.encode("utf-8", "surrogateescape")


@command("acl|cat", -2, "noscript loading stale sentinel")
def acl_cat(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise _bad_arity(args)
    if len(args) == 2:
        return [c.encode() for c in CATEGORY_ORDER]
    cat = _text(args[2]).lower()
    if cat not in CATEGORY_ORDER:
        raise CommandError(texts.acl_unknown_category(_text(args[2])))
    return [s.name.encode() for s in _top_level(ctx) if cat in categories_of(s)]


@command("acl|genpass", -2, "noscript loading stale sentinel")
def acl_genpass(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise _bad_arity(args)
    bits = 256
    if len(args) == 3:
        parsed = parse_ll(args[2])
        if parsed is None:
            raise CommandError(NOT_INTEGER)
        if not 0 < parsed <= 4096:
            raise CommandError(
                ACL_GENPASS_BITS
            )
        bits = parsed
    chars = (bits + 3) // 4  # one hex digit per 4 bits, rounded up
    return os.urandom((chars + 1) // 2).hex()[:chars].encode()


@command("acl|log", -2, "admin noscript loading stale sentinel")
def acl_log(ctx: Ctx, args: list[bytes]) -> Any:
    if len(args) > 3:
        raise _bad_arity(args)
    log = ctx.server.acl_log
    count = len(log.entries)
    if len(args) == 3:
        if args[2].lower() == b"reset":
            log.reset()
            return resp.OK
        parsed = parse_ll(args[2])
        if parsed is None:
            raise CommandError(NOT_INTEGER)
        count = max(parsed, 0)
    now = ctx.now_ms()
    return [entry.reply(now) for entry in log.entries[:count]]


@command("acl|dryrun", -4, "admin noscript loading stale sentinel")
def acl_dryrun(ctx: Ctx, args: list[bytes]) -> Any:
    name = _text(args[2])
    user = ctx.server.users.users.get(name)
    if user is None:
        raise CommandError(texts.acl_user_not_found(name))
    dispatcher = ctx.server.dispatcher
    assert dispatcher is not None
    found = dispatcher.lookup(args[3:])
    if isinstance(found, str):
        if found.startswith("ERR unknown command"):
            raise CommandError(texts.acl_command_not_found(_text(args[3])))
        raise CommandError(found)
    argv = args[3:]
    denied = user.allowed(found.spec, argv)
    if denied is None:
        return resp.OK
    spec = found.spec
    if "keys" in denied:  # DRYRUN names the first key refused
        for key in spec.key_args(argv):
            if not user.key_allowed(key):
                return f"This user has no permissions to access the '{_text(key)}' key".encode(
                    "utf-8", "surrogateescape"
                )
    return denied.removeprefix("NOPERM ").replace("this user", "This user", 1).encode()


def _aclfile(ctx: Ctx) -> str:
    path = str(ctx.server.config["aclfile"])
    if not path:
        raise CommandError(
            NO_ACL_FILE
        )
    return path


@command("acl|save", 2, "admin noscript loading stale sentinel")
def acl_save(ctx: Ctx, args: list[bytes]) -> Any:
    path = _aclfile(ctx)
    text = "".join(line.decode("utf-8", "surrogateescape") + "\n" for line in acl_list(ctx, args))
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise CommandError(texts.acl_save_failed(str(e.strerror))) from None
    return resp.OK


@command("acl|load", 2, "admin noscript loading stale sentinel")
def acl_load(ctx: Ctx, args: list[bytes]) -> Any:
    path = _aclfile(ctx)
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().splitlines()
    except OSError as e:
        raise CommandError(texts.acl_load_open_failed(path, str(e.strerror))) from None
    known = _known(ctx)
    loaded: dict[str, User] = {}
    for number, line in enumerate(lines, 1):
        words = line.split()
        if not words:
            continue
        if words[0] != "user" or len(words) < 2:
            raise CommandError(texts.acl_line_without_user(path, number))
        user = User(words[1])
        for rule in words[2:]:
            try:
                user.apply(rule, known)
            except AclRuleError as e:
                raise CommandError(texts.acl_line_error(path, number, str(e))) from None
        loaded[user.name] = user
    users = ctx.server.users
    if "default" not in loaded:
        loaded["default"] = users.default
    else:
        users.default.__dict__.update(loaded["default"].__dict__)
        loaded["default"] = users.default
    users.users.clear()
    users.users.update(loaded)
    return resp.OK


# Containers whose subcommand decides the ACL check ("acl|setuser") are listed in server.acl.
assert "acl" in CONTAINERS
