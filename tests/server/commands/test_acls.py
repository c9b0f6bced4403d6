"""server.commands.acls in process: ACL SAVE / LOAD through an aclfile round-trip users (and a user
changed in place keeps its connections' view), ACL LOG groups repeated denials."""

from __future__ import annotations

from pathlib import Path

from server.acl import Users
from server.config import Config
from server.context import Ctx
from server.dispatch import Dispatcher
from server.keyspace import Keyspace
from server.log import RedisLog
from server.resp import OK, ErrorReply
from server.state import ServerState
from tests.server.commands.conftest import TABLE


def _ctx(aclfile: Path) -> Ctx:
    cfg = Config.load(None, ["--aclfile", str(aclfile)])
    server = ServerState(config=cfg, keyspace=Keyspace(), users=Users.from_config(cfg), log=RedisLog(),
                         table=TABLE)  # fmt: skip
    Dispatcher(server)
    return server.new_client("127.0.0.1:50000", "127.0.0.1:6379", 0, False).ctx


def _call(ctx: Ctx, *args: str) -> object:
    """Through the dispatcher (subcommands, ACL checks), as a connection would; errors as their text."""
    dispatcher = ctx.server.dispatcher
    assert dispatcher is not None
    argv = [a.encode() for a in args]
    entry = dispatcher.lookup(argv)
    assert not isinstance(entry, str), entry
    reply = dispatcher.run(ctx.client, entry, argv)
    return reply.message if isinstance(reply, ErrorReply) else reply


def test_acl_save_then_load_restores_the_users(tmp_path: Path) -> None:
    aclfile = tmp_path / "users.acl"
    ctx = _ctx(aclfile)
    assert _call(ctx, "ACL", "SETUSER", "app", "on", ">s3cret", "~app:*", "&news", "+get", "+set") == OK
    before = _call(ctx, "ACL", "LIST")
    assert _call(ctx, "ACL", "SAVE") == OK
    text = aclfile.read_text()
    assert "user app on #" in text and "~app:*" in text and "&news" in text
    _call(ctx, "ACL", "DELUSER", "app")
    assert _call(ctx, "ACL", "USERS") == [b"default"]
    assert _call(ctx, "ACL", "LOAD") == OK
    assert _call(ctx, "ACL", "LIST") == before
    assert ctx.server.users.authenticate("app", "s3cret") is not None


def test_acl_load_refuses_a_bad_file_and_keeps_the_users(tmp_path: Path) -> None:
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user ok on nopass +@all ~*\nuser bad on +nosuchcommand\n")
    ctx = _ctx(aclfile)
    reply = _call(ctx, "ACL", "LOAD")
    assert isinstance(reply, str) and "Unknown command" in reply
    assert _call(ctx, "ACL", "USERS") == [b"default"]


def test_acl_log_groups_repeated_denials_and_auth_failures(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path / "users.acl")
    _call(ctx, "ACL", "SETUSER", "ro", "on", "nopass", "~*", "+get")
    _call(ctx, "AUTH", "ro", "x")
    for _ in range(3):
        _call(ctx, "AUTH", "nobody", "wrong")
    dispatcher = ctx.server.dispatcher
    assert dispatcher is not None
    ctx.client.user = ctx.server.users.users["ro"]
    out: list[bytes] = []
    for _ in range(2):
        dispatcher.execute(ctx.client, [b"SET", b"k", b"v"], out)
    assert b"".join(out).count(b"NOPERM") == 2
    entries = ctx.server.acl_log.entries
    assert [(e.reason, e.object, e.username, e.count) for e in entries] == [
        ("command", "set", "ro", 2),
        ("auth", "AUTH", "nobody", 3),
    ]
