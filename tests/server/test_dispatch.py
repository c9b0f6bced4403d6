"""server.dispatch in process, on real state (config, keyspace, users, AOF file): the order of checks,
MULTI/EXEC/WATCH, AOF propagation and MONITOR lines. Wire behaviour is in test_net.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import resp
from server.acl import Users
from server.aof import Aof
from server.commands import FAMILIES
from server.commands.registry import build_table
from server.config import Config
from server.dispatch import Dispatcher
from server.keyspace import Keyspace
from server.log import RedisLog
from server.state import ClientState, ServerState


class Harness:
    def __init__(self, overrides: list[str]) -> None:
        cfg = Config.load(None, overrides)
        table = build_table(FAMILIES)
        self.state = ServerState(config=cfg, keyspace=Keyspace(16), users=Users.from_config(cfg),
                                 log=RedisLog("warning"), table=table)  # fmt: skip
        self.dispatcher = Dispatcher(self.state)

    def client(self) -> ClientState:
        return self.state.new_client("127.0.0.1:5000", "127.0.0.1:6379", -1, False)

    def run(self, client: ClientState, *commands: str | list[bytes]) -> bytes:
        out: list[bytes] = []
        for command in commands:
            argv = command if isinstance(command, list) else [w.encode() for w in command.split()]
            self.dispatcher.execute(client, argv, out)
        return b"".join(out)


@pytest.fixture
def h() -> Harness:
    return Harness([])


def test_unknown_command_and_arity_come_before_noauth() -> None:
    h = Harness(["--requirepass", "pw"])
    c = h.client()
    assert h.run(c, "FOO a b") == b"-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"
    assert h.run(c, "GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert h.run(c, "GET k") == b"-NOAUTH Authentication required.\r\n"
    assert h.run(c, "AUTH pw", "GET k") == b"+OK\r\n$-1\r\n"


def test_unknown_command_arguments_are_cut_at_128_bytes(h: Harness) -> None:
    reply = h.run(h.client(), [b"nope", b"x" * 300, b"y"])
    assert reply == b"-ERR unknown command 'nope', with args beginning with: '" + b"x" * 128 + b"' \r\n"


def test_container_errors(h: Harness) -> None:
    c = h.client()
    assert h.run(c, "client foo") == b"-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n"
    assert h.run(c, "CLIENT") == b"-ERR wrong number of arguments for 'client' command\r\n"
    assert h.run(c, "CLIENT SETNAME") == b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    assert h.run(c, "config set port") == b"-ERR wrong number of arguments for 'config|set' command\r\n"


def test_rejected_command_inside_multi_aborts_exec(h: Harness) -> None:
    c = h.client()
    reply = h.run(c, "MULTI", "SET a 1", "GET", "EXEC", "GET a")
    assert reply == (
        b"+OK\r\n+QUEUED\r\n-ERR wrong number of arguments for 'get' command\r\n"
        b"-EXECABORT Transaction discarded because of previous errors.\r\n$-1\r\n"
    )


def test_runtime_error_inside_exec_is_an_element(h: Harness) -> None:
    c = h.client()
    assert h.run(c, "MULTI", "SET a x", "INCR a", "EXEC") == (
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n"
    )


@pytest.mark.parametrize(("proto", "null"), [(2, b"*-1\r\n"), (3, b"_\r\n")])
def test_touched_watched_key_makes_exec_return_null(h: Harness, proto: int, null: bytes) -> None:
    c, other = h.client(), h.client()
    c.proto = proto
    assert h.run(c, "WATCH k", "MULTI", "SET k mine") == b"+OK\r\n+OK\r\n+QUEUED\r\n"
    h.run(other, "SET k theirs")
    assert h.run(c, "EXEC", "GET k") == null + b"$6\r\ntheirs\r\n"
    assert c.watch is None and c.multi is None


def test_watch_rules(h: Harness) -> None:
    c = h.client()
    assert h.run(c, "MULTI", "WATCH k", "MULTI", "DISCARD", "EXEC", "DISCARD") == (
        b"+OK\r\n-ERR WATCH inside MULTI is not allowed\r\n-ERR MULTI calls can not be nested\r\n"
        b"+OK\r\n-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n"
    )
    assert h.run(c, "WATCH k", "UNWATCH", "MULTI", "EXEC") == b"+OK\r\n+OK\r\n+OK\r\n*0\r\n"


def test_post_aborts_without_queueing(h: Harness) -> None:
    c = h.client()
    assert h.run(c, "MULTI", "POST / HTTP/1.1") == b"+OK\r\n$-1\r\n"
    assert c.abort


def test_monitor_lines_redact_auth(h: Harness) -> None:
    watcher, c = h.client(), h.client()
    lines: list[bytes] = []
    watcher.send = lines.append
    h.run(watcher, "MONITOR")
    h.run(c, "SELECT 3", [b"SET", b'k"\n\x01', b"v"], "AUTH secret", "HELLO 2 AUTH default secret SETNAME n")
    assert len(lines) == 4
    assert lines[1].endswith(b' [3 127.0.0.1:5000] "SET" "k\\"\\n\\x01" "v"\r\n')
    assert lines[2].endswith(b'"AUTH" "(redacted)"\r\n') and b"secret" not in b"".join(lines)
    assert lines[3].endswith(b'"HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n"\r\n')
    assert lines[0].startswith(b"+")


@pytest.fixture
def with_aof(tmp_path: Path) -> Iterator[tuple[Harness, Path]]:
    h = Harness(["--dir", str(tmp_path), "--appendonly", "yes", "--appendfsync", "always"])
    aof = Aof(h.state.config, h.state.log, h.state.keyspace)
    aof.load(lambda argv: None)
    h.state.aof = aof
    yield h, tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof"
    aof.close()


def test_only_successful_writes_reach_the_aof(with_aof: tuple[Harness, Path]) -> None:
    h, path = with_aof
    c = h.client()
    h.run(c, "SET s 1", "GET s", "HSET s f v", "SET t 2 EX 100", "MULTI", "SET u 1", "INCR u", "EXEC")
    h.state.aof.before_reply()  # type: ignore[union-attr]
    data = path.read_bytes()
    assert b"HSET" not in data  # WRONGTYPE: nothing changed, nothing logged
    assert b"GET" not in data
    assert b"PXAT" in data or b"PEXPIREAT" in data  # relative expiry logged as absolute
    assert b"*1\r\n$5\r\nMULTI\r\n" in data and data.endswith(b"*1\r\n$4\r\nEXEC\r\n")
    assert os.path.getsize(path) == len(data)


def test_stats_count_commands_and_errors(h: Harness) -> None:
    c = h.client()
    h.run(c, "PING", "NOPE", "GET")
    assert h.state.stats.total_commands_processed == 1
    assert h.state.stats.total_error_replies == 2


def test_resp3_reply_after_hello(h: Harness) -> None:
    c = h.client()
    reply = h.run(c, "HELLO 3", "CONFIG GET port")
    assert reply.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert reply.endswith(b"%1\r\n$4\r\nport\r\n$4\r\n6379\r\n")
    assert resp.encode(None, c.proto) == b"_\r\n"
