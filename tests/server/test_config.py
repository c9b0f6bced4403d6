"""server.config: redis.conf syntax, argv overrides, CONFIG GET/SET, compared with real redis-server 7.0."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from lab import procs
from server.config import (
    Config,
    ConfigApplyError,
    ConfigFileError,
    ConfigSetError,
    argv_to_text,
    parse_memory,
    split_args,
)
from tests.conftest import require_tool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_split_args_follows_sdssplitargs() -> None:
    assert split_args(b"set \"a b\" 'c d' e") == [b"set", b"a b", b"c d", b"e"]
    assert split_args(b'x "\\x41\\n\\t\\"q\\\\" y') == [b"x", b'A\n\t"q\\', b"y"]
    assert split_args(b"x 'it\\'s' 'a\\nb'") == [b"x", b"it's", b"a\\nb"]
    assert split_args(b'a"b c"') == [b"ab c"]  # a quote inside a bare word opens quoting, as in Redis
    assert split_args(b'  "" ') == [b""]
    assert split_args(b"   ") == []
    assert split_args(b'"unterminated') is None
    assert split_args(b"'unterminated") is None
    assert split_args(b'"closed"glued') is None
    assert split_args(b'"\\xZZ"') == [b"xZZ"]  # not a hex escape: backslash drops, letters stay


def test_memory_units_as_redis() -> None:
    assert parse_memory("1k") == 1000
    assert parse_memory("1kb") == 1024
    assert parse_memory("512MB") == 512 * 1024 * 1024
    assert parse_memory("1gb") == 1024**3
    assert parse_memory("2G") == 2_000_000_000
    assert parse_memory("77") == 77
    for bad in ("-5", "1.5mb", "1tb", "abc"):
        with pytest.raises(ValueError, match="argument must be a memory value"):
            parse_memory(bad)


def test_defaults_are_redis_defaults() -> None:
    cfg = Config.load()
    assert cfg["port"] == 6379
    assert cfg["bind"] == ("127.0.0.1",)
    assert cfg["tls-port"] == 0
    assert cfg["tls-auth-clients"] == "yes"
    assert cfg["tls-session-caching"] is True
    assert cfg["tls-session-cache-size"] == 20480
    assert cfg["tls-session-cache-timeout"] == 300
    assert cfg["proto-max-bulk-len"] == 512 * 1024 * 1024
    assert cfg["appendfsync"] == "everysec"
    assert cfg["save"] == ((3600, 1), (300, 100), (60, 10000))
    got = cfg.get_pattern("tls-*")
    assert got["tls-protocols"] == "" and got["tls-prefer-server-ciphers"] == "no"
    assert {"tls-cert-file", "tls-key-file-pass", "tls-ca-cert-dir", "tls-ciphersuites"} <= set(got)


def test_file_quoting_comments_and_overrides(tmp_path: Path) -> None:
    conf = tmp_path / "redis.conf"
    conf.write_text(
        "# a comment\n\n  port 7000  \nrequirepass \"p\\x41ss word\"\nlogfile 'srv.log'\n"
        "save 900 1\nsave 300 10\nproto-max-bulk-len 2mb\nTLS-AUTH-CLIENTS Optional\n"
    )
    cfg = Config.load(str(conf), ["--port", "7001", "--dir", str(tmp_path), "--appendonly", "yes"])
    assert cfg["port"] == 7001  # argv comes after the file, as in Redis
    assert cfg["requirepass"] == "pAss word"
    assert cfg["logfile"] == "srv.log"
    assert cfg["save"] == ((900, 1), (300, 10))  # several save lines accumulate
    assert cfg["proto-max-bulk-len"] == 2 * 1024 * 1024
    assert cfg["tls-auth-clients"] == "optional"
    assert cfg["dir"] == str(tmp_path)
    assert cfg["appendonly"] is True


def test_argv_save_forms() -> None:
    assert Config.load(None, ["--save", ""])["save"] == ()
    assert Config.load(None, ["--save", "--port", "1"])["save"] == ()  # bare --save means save ""
    assert Config.load(None, ["--save"])["save"] == ()
    assert Config.load(None, ["--save", "60 5"])["save"] == ((60, 5),)
    assert Config.load(None, ["--port 7005"])["port"] == 7005  # name and value in one argument
    assert argv_to_text(["--port", "1", "--bind", "a", "b"]) == b'port "1" \nbind "a" "b" '


def test_include(tmp_path: Path) -> None:
    (tmp_path / "inc.conf").write_text("port 7100\n")
    main = tmp_path / "main.conf"
    main.write_text(f"include {tmp_path / 'inc.conf'}\ntimeout 5\n")
    cfg = Config.load(str(main))
    assert (cfg["port"], cfg["timeout"]) == (7100, 5)


def test_missing_file() -> None:
    with pytest.raises(ConfigFileError) as err:
        Config.load("/nonexistent.conf")
    assert (
        str(err.value) == "Fatal error, can't open config file '/nonexistent.conf': No such file or directory"
    )


BAD_ARGV = [
    ["--port", "abc"],
    ["--appendfsync", "foo"],
    ["--protected-mode", "maybe"],
    ["--proto-max-bulk-len", "12"],
    ["--proto-max-bulk-len", "1x"],
    ["--foo", "bar"],
    ["--port", "1", "2"],
    ["--save", "1"],
    ["--databases", "0"],
    ["--dbfilename", "a/b"],
    ["--tls-auth-clients", "x"],
    ["--loglevel", "x"],
    ["--maxclients", "0"],
    ["--dir", "/nonexistent-dir"],
    ["--hz", "-1"],
    ["--tls-port", "70000"],
    ["--timeout", "007"],
    ["--client-query-buffer-limit", "1k"],
    ["--tls-session-cache-size", "-1"],
    ["--timeout", "99999999999"],
    ["--appendonly", "yes", "no"],
]


@pytest.mark.parametrize("argv", BAD_ARGV, ids=lambda a: " ".join(a))
def test_bad_config_same_report_as_redis(argv: list[str]) -> None:
    """The report (line number, the line, the reason) is byte-for-byte what redis-server prints."""
    redis_server = require_tool("redis-server")
    real = subprocess.run(
        [redis_server, "--port", "0", *argv], capture_output=True, text=True, timeout=10, check=False
    )
    assert real.returncode == 1
    with pytest.raises(ConfigFileError) as err:
        Config.load(None, ["--port", "0", *argv])
    assert str(err.value) + "\n" == real.stderr


def test_file_errors_name_line(tmp_path: Path) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text('port 7000\n\nbind 127.0.0.1 "x\n')
    with pytest.raises(ConfigFileError) as err:
        Config.load(str(conf))
    assert str(err.value) == (
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
        "Reading the configuration file, at line 3\n"
        ">>> 'bind 127.0.0.1 \"x'\n"
        "Unbalanced quotes in configuration line"
    )
    conf.write_text("port 7000 # trailing comments are not comments in redis.conf\n")
    with pytest.raises(ConfigFileError, match="wrong number of arguments"):
        Config.load(str(conf))


def test_daemonize_yes_is_refused() -> None:
    with pytest.raises(ConfigFileError, match="daemonize yes is not supported"):
        Config.load(None, ["--daemonize", "yes"])
    assert Config.load(None, ["--daemonize", "no"])["daemonize"] is False


def test_user_lines_validated_with_redis_reasons(tmp_path: Path) -> None:
    conf = tmp_path / "u.conf"
    conf.write_text("user alice on >pw ~k* +get\nuser bob off\n")
    assert Config.load(str(conf)).user_lines == [("alice", "on", ">pw", "~k*", "+get"), ("bob", "off")]
    cases = {
        "user alice on bogus": "Error in user declaration 'bogus': Syntax error",
        "user alice on <x": "The password you are trying to remove from the user does not exist",
        "user alice on #abc": "The password hash must be exactly 64 characters",
        "user alice ~* ~a": "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid",
        "user alice +@nosuchcat": "Unknown command or category name in ACL",
        "user a on\nuser a off": "Error in user declaration 'a': Duplicate user found.",
    }
    for text, reason in cases.items():
        conf.write_text(text + "\n")
        with pytest.raises(ConfigFileError) as err:
            Config.load(str(conf))
        assert reason in str(err.value), text


def test_config_get_patterns_and_rendering() -> None:
    cfg = Config.load(None, ["--port", "7000", "--save", "100 2 50 3", "--bind", "127.0.0.1 -::1"])
    assert cfg.get_pattern("port") == {"port": "7000"}
    assert cfg.get_pattern("PORT") == {"PORT": "7000"}  # exact names answer as asked, like Redis
    assert cfg.get_pattern("save") == {"save": "100 2 50 3"}
    assert cfg.get_pattern("bind") == {"bind": "127.0.0.1 -::1"}
    assert cfg.get_pattern("nosuch") == {}
    ports = set(cfg.get_pattern("*port"))  # Redis 7.0 has eight, aliases included
    assert {"port", "tls-port", "cluster-port", "replica-announce-port", "slave-announce-port"} <= ports
    assert len(ports) == 8 and all(name.endswith("port") for name in ports)
    assert set(cfg.get_pattern("tls-session-cache-[st]*")) == {
        "tls-session-cache-size",
        "tls-session-cache-timeout",
    }
    assert cfg.get_pattern("protected-mode") == {"protected-mode": "yes"}
    assert cfg.get_patterns(["port", "timeout"]) == {"port": "7000", "timeout": "0"}


def test_config_set_validation_and_errors() -> None:
    cfg = Config.load()
    cfg.set("Port", "7001")
    assert cfg["port"] == 7001
    cfg.set(b"loglevel", b"WARNING")
    assert cfg.render("loglevel") == "warning"
    cfg.set("save", "")
    assert cfg["save"] == ()
    cfg.set("hz", "0")
    assert cfg["hz"] == 1  # Redis clamps hz to 1..500
    cfg.set("proto-max-bulk-len", "2mb")
    assert cfg.render("proto-max-bulk-len") == "2097152"
    errors = {
        ("foo", "bar"): "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
        ("daemonize", "yes"): "ERR CONFIG SET failed (possibly related to argument 'daemonize') - "
        "can't set immutable config",
        (
            "dir",
            "/tmp",
        ): "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
        ("port", "abc"): "ERR CONFIG SET failed (possibly related to argument 'port') - "
        "argument couldn't be parsed into an integer",
        ("timeout", "+5"): "argument couldn't be parsed into an integer",
        ("save", "1 2 3"): "Invalid save parameters",
        ("appendonly", "maybe"): "argument must be 'yes' or 'no'",
        ("proto-max-bulk-len", "-5"): "argument must be a memory value",
        ("port", "-1"): "argument must be between 0 and 65535 inclusive",
    }
    for (name, value), text in errors.items():
        with pytest.raises(ConfigSetError) as err:
            cfg.set(name, value)
        assert text in str(err.value), (name, value)
    with pytest.raises(ConfigSetError) as dup:
        cfg.set_many([("port", "1"), ("PORT", "2")])
    assert (
        str(dup.value) == "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter"
    )


def test_config_set_many_is_all_or_nothing() -> None:
    cfg = Config.load()
    with pytest.raises(ConfigSetError, match="'timeout'"):
        cfg.set_many([("maxclients", "5"), ("timeout", "abc")])
    assert cfg["maxclients"] == 10000
    cfg.set_many([("maxclients", "5"), ("timeout", "9")])
    assert (cfg["maxclients"], cfg["timeout"]) == (5, 9)


def test_protected_configs_follow_enable_protected_configs(tmp_path: Path) -> None:
    cfg = Config.load(None, ["--enable-protected-configs", "local"])
    with pytest.raises(ConfigSetError, match="protected"):
        cfg.set("dir", str(tmp_path))
    cfg.set("dir", str(tmp_path), local_client=True)
    assert cfg["dir"] == str(tmp_path)
    with pytest.raises(ConfigSetError, match="No such file or directory"):
        cfg.set("dir", str(tmp_path / "missing"), local_client=True)


def test_on_change_runs_once_and_can_veto() -> None:
    cfg = Config.load()
    calls: list[tuple[str, str]] = []

    def tls_reload() -> None:
        calls.append((cfg["tls-cert-file"], cfg["tls-key-file"]))
        if cfg["tls-cert-file"] == "broken":
            raise ConfigApplyError("Unable to update TLS configuration. Check server logs.")

    cfg.on_change("tls-cert-file", tls_reload)
    cfg.on_change("tls-key-file", tls_reload)
    cfg.set_many([("tls-cert-file", "c.pem"), ("tls-key-file", "k.pem")])
    assert calls == [("c.pem", "k.pem")]  # once for both names
    cfg.set("tls-cert-file", "c.pem")  # same path again: a reload, as in Redis
    assert len(calls) == 2
    cfg.set("timeout", "3")
    assert len(calls) == 2
    with pytest.raises(ConfigSetError) as err:
        cfg.set("tls-cert-file", "broken")
    assert str(err.value) == (
        "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
        "Unable to update TLS configuration. Check server logs."
    )
    assert cfg["tls-cert-file"] == "c.pem"  # rolled back, and the callback re-ran with the old value
    assert calls[-1] == ("c.pem", "k.pem")
    port_calls: list[int] = []
    cfg.on_change("port", lambda: port_calls.append(cfg["port"]))
    cfg.set("port", "6379")  # unchanged value: no apply, as in Redis
    assert port_calls == []


def test_config_set_matches_real_redis(tmp_path: Path) -> None:
    """Same CONFIG SET errors and CONFIG GET renderings from a real redis-server 7.0."""
    redis_server = require_tool("redis-server")
    port = _free_port()
    proc = procs.spawn(
        [redis_server, "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_timeout=5, protocol=2)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        ours = Config.load(None, ["--port", str(port), "--save", "", "--dir", str(tmp_path)])
        probes = [
            ("maxclients", "0"),
            ("tls-session-cache-timeout", "x"),
            ("tls-auth-clients", "sometimes"),
            ("client-query-buffer-limit", "99999999999999999999"),
            ("appendfsync", "ALWAYS"),
            ("tls-protocols", "TLSv1.3"),
            ("appendfilename", "x.aof"),
        ]
        for name, value in probes:
            try:
                client.execute_command("CONFIG", "SET", name, value)
                real_err = None
            except redis.ResponseError as e:
                real_err = "ERR " + str(e)  # redis-py strips the ERR code
            try:
                ours.set(name, value)
                our_err = None
            except ConfigSetError as e:
                our_err = str(e)
            assert our_err == real_err, (name, value)
        names = [d for d in ours.directives if d not in ("bind", "dir", "enable-protected-configs")]
        real = {str(k): str(v) for k, v in client.config_get("*").items()}
        for name in names:
            assert real[name] == ours.render(name), name
    finally:
        proc.kill()
        proc.wait(timeout=10)
