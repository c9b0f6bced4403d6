"""server.acl: default user, `user` lines, requirepass, AUTH errors and NOPERM checks as Redis 7."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.acl import AclLoadError, AuthError, Users, categories_of
from server.commands.registry import CommandSpec
from server.config import Config
from server.texts import KEYS_DENIED, NO_DEFAULT_PASSWORD, WRONGPASS


def _spec(name: str, flags: str, family: str, keys: tuple[int, int, int] = (0, 0, 0)) -> CommandSpec:
    return CommandSpec(name, -1, frozenset(flags.split()), *keys, family, lambda ctx, args: None)


GET = _spec("get", "readonly fast", "strings", (1, 1, 1))
SET = _spec("set", "write", "strings", (1, 1, 1))
MGET = _spec("mget", "readonly fast", "strings", (1, -1, 1))
DEL = _spec("del", "write", "keys", (1, -1, 1))
CONFIG = _spec("config", "admin", "server")
FLUSHALL = _spec("flushall", "write", "keys")
KNOWN = {"get", "set", "mget", "del", "config", "flushall"}


def _users(tmp_path: Path, text: str, *argv: str) -> tuple[Config, Users]:
    conf = tmp_path / "acl.conf"
    conf.write_text(text)
    cfg = Config.load(str(conf), list(argv))
    return cfg, Users.from_config(cfg, KNOWN)


def test_default_user_is_nopass_without_requirepass(tmp_path: Path) -> None:
    _, users = _users(tmp_path, "")
    assert not users.auth_required()
    assert users.authenticate("default", "anything") is users.default  # nopass accepts any password
    with pytest.raises(AuthError) as err:
        users.auth_command([b"x"])
    assert str(err.value) == NO_DEFAULT_PASSWORD
    assert users.default.allowed(FLUSHALL, [b"flushall"]) is None


def test_requirepass_and_config_set(tmp_path: Path) -> None:
    cfg, users = _users(tmp_path, "requirepass s3cret\n")
    assert users.auth_required()
    assert users.auth_command([b"s3cret"]) is users.default
    assert users.auth_command([b"default", b"s3cret"]) is users.default
    with pytest.raises(AuthError, match=WRONGPASS):
        users.auth_command([b"wrong"])
    cfg.set("requirepass", "other")
    assert users.authenticate("default", "other") is users.default
    assert users.authenticate("default", "s3cret") is None
    cfg.set("requirepass", "")
    assert not users.auth_required()


def test_user_lines(tmp_path: Path) -> None:
    _, users = _users(
        tmp_path,
        "user alice on >pw ~k* +get +set +mget -@dangerous\n"
        "user bob off >pw +@all ~*\n"
        "user carol on nopass +@read ~*\n",
    )
    alice = users.auth_command([b"alice", b"pw"])
    assert alice.name == "alice"
    for args in ([b"bob", b"pw"], [b"nobody", b"x"], [b"alice", b"bad"]):
        with pytest.raises(AuthError, match=WRONGPASS):  # disabled, unknown, wrong password: one message
            users.auth_command(args)
    assert users.auth_command([b"carol", b"anything"]).name == "carol"
    assert alice.allowed(GET, [b"get", b"k1"]) is None
    assert alice.allowed(GET, [b"get", b"other"]) == KEYS_DENIED
    assert alice.allowed(MGET, [b"mget", b"k1", b"j"]) == KEYS_DENIED
    assert (
        alice.allowed(DEL, [b"del", b"k1"]) == "NOPERM this user has no permissions to run the 'del' command"
    )
    assert (
        alice.allowed(CONFIG, [b"config", b"get", b"port"])
        == "NOPERM this user has no permissions to run the 'config|get' command"
    )
    carol = users.users["carol"]
    assert carol.allowed(GET, [b"get", b"x"]) is None
    assert carol.allowed(SET, [b"set", b"x", b"1"]) is not None


def test_rule_order_and_subcommands(tmp_path: Path) -> None:
    _, users = _users(tmp_path, "user ops on nopass ~* -@all +config|get +@write -set\n")
    ops = users.users["ops"]
    assert ops.allowed(CONFIG, [b"config", b"get", b"port"]) is None
    assert ops.allowed(CONFIG, [b"config", b"set", b"port", b"1"]) is not None
    assert ops.allowed(DEL, [b"del", b"k"]) is None
    assert ops.allowed(SET, [b"set", b"k", b"v"]) is not None  # later -set wins over +@write
    assert ops.allowed(GET, [b"get", b"k"]) is not None


def test_default_user_line_and_unknown_command(tmp_path: Path) -> None:
    _, users = _users(tmp_path, "user default on >pw ~* +@all\n")
    assert users.auth_required()
    assert users.auth_command([b"pw"]) is users.default
    with pytest.raises(AclLoadError) as err:
        _users(tmp_path, "user alice on >p +foo\n")
    assert str(err.value) == (
        "Error loading ACL rule '+foo' for the user named 'alice': Unknown command or category name in ACL"
    )


def test_categories() -> None:
    assert categories_of(GET) == {"read", "fast", "string"}
    assert categories_of(CONFIG) == {"admin", "dangerous", "slow"}
    assert "dangerous" in categories_of(FLUSHALL)


BACKSLASH_KEYS = [b"lit*", b"lit\\x", b"litx", b"lit\\*", b"lit", b"lit**"]


def test_key_pattern_backslash_escapes_as_in_redis(tmp_path: Path) -> None:
    """`~lit\\*` is the one key `lit*` in Redis: the backslash escapes, it is no literal byte."""
    _, users = _users(tmp_path, "user esc on nopass ~lit\\* +@all\n")
    esc = users.users["esc"]
    allowed = [key for key in BACKSLASH_KEYS if esc.allowed(GET, [b"get", key]) is None]
    assert allowed == [b"lit*"]


def test_key_pattern_backslash_matches_redis_server(tmp_path: Path) -> None:
    from tests.server.rawresp import RawClient
    from tests.server.reference import reference_redis

    _, users = _users(tmp_path, "user esc on nopass ~lit\\* ~a\\[b] ~x\\\\y +@all\n")
    esc = users.users["esc"]
    keys = [*BACKSLASH_KEYS, b"a[b]", b"ab", b"a\\b]", b"x\\y", b"xy"]
    with reference_redis(tmp_path / "redis") as target:
        assert target.port is not None
        with RawClient(target.host, target.port) as client:
            assert client.call("ACL", "SETUSER", "esc", "on", "nopass", "~lit\\*", "~a\\[b]", "~x\\\\y",
                               "+@all") == ("+", b"OK")  # fmt: skip
            redis_allowed = [key for key in keys
                             if client.call("ACL", "DRYRUN", "esc", "GET", key)[0] == "+"]  # fmt: skip
    assert [key for key in keys if esc.allowed(GET, [b"get", key]) is None] == redis_allowed
    assert b"lit*" in redis_allowed and b"lit\\x" not in redis_allowed
