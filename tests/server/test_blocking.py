"""The blocking machinery in process: what the differential suite cannot see from the wire — the AOF
gets the pop a woken client made (never the blocking command), queues and timers are released on every
way out, pipelined commands wait for the blocked one, and nothing is left behind when nobody blocks."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest

from lab.pki import LabPKI
from server.state import ClientState
from tests.server.conftest import StartBundled, client_tls_context
from tests.server.rawresp import RawClient, encode_command
from tests.server.test_dispatch import Harness, with_aof  # noqa: F401  (a fixture, shared)


class Conn:
    """A client whose out-of-band writes (a woken client's reply) are collected, and whose held
    commands run when it is resumed, as the network layer does."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.client: ClientState = h.client()
        self.pushed: list[bytes] = []
        self.client.send = self.pushed.append
        self.client.resume = self._resume

    def run(self, *commands: str) -> bytes:
        out: list[bytes] = []
        argvs = [[w.encode() for w in c.split()] for c in commands]
        self.h.dispatcher.execute_batch(self.client, argvs, out)
        return b"".join(out)

    def _resume(self) -> None:
        held, self.client.held = self.client.held, []
        out: list[bytes] = []
        if held:
            self.h.dispatcher.execute_batch(self.client, held, out)
        if out:
            self.pushed.append(b"".join(out))


@pytest.fixture
def h() -> Harness:
    return Harness([])


def test_a_write_without_waiters_leaves_nothing_to_serve(h: Harness) -> None:
    c = Conn(h)
    c.run("RPUSH k a", "ZADD z 1 m", "SET s v", "LMOVE k d LEFT LEFT")
    assert h.state.keyspace.ready == {}
    assert all(not h.state.keyspace.db(i).blocked for i in range(16))


def test_pipelined_commands_wait_for_the_blocked_one(h: Harness) -> None:
    waiter, pusher = Conn(h), Conn(h)
    assert waiter.run("BLPOP k 0", "SET after 1", "PING") == b""
    assert waiter.client.blocked is not None and len(waiter.client.held) == 2
    assert pusher.run("EXISTS after", "RPUSH k a") == b":0\r\n:1\r\n"
    assert waiter.pushed == [b"*2\r\n$1\r\nk\r\n$1\r\na\r\n", b"+OK\r\n+PONG\r\n"]
    assert waiter.client.blocked is None and h.state.blocking.waiters == {}
    assert h.state.keyspace.db(0).blocked == {}


def test_killed_waiter_leaves_every_queue(h: Harness) -> None:
    victim, killer = Conn(h), Conn(h)
    closed: list[bool] = []
    victim.client.close = lambda: closed.append(True)
    victim.run("BLPOP k1 k2 0", "PING")
    assert set(h.state.keyspace.db(0).blocked) == {b"k1", b"k2"}
    assert killer.run(f"CLIENT KILL ID {victim.client.id}") == b":1\r\n"
    assert closed == [True]
    assert h.state.keyspace.db(0).blocked == {} and victim.client.held == []
    assert killer.run("RPUSH k1 a", "LLEN k1") == b":1\r\n:1\r\n"
    assert victim.pushed == []


def test_disconnect_forgets_the_waiter(h: Harness) -> None:
    waiter = Conn(h)
    waiter.run("BZPOPMIN z 0")
    h.state.forget_client(waiter.client)
    assert h.state.blocking.waiters == {} and h.state.keyspace.db(0).blocked == {}


def test_the_aof_gets_the_served_pop_not_the_blocking_command(with_aof: tuple[Harness, Path]) -> None:  # noqa: F811
    h, path = with_aof
    a, b, c, pusher = Conn(h), Conn(h), Conn(h), Conn(h)
    a.run("BLPOP l 0")
    b.run("BLMOVE src dst LEFT RIGHT 0")
    c.run("BZPOPMAX z 0")
    pusher.run("RPUSH l x", "RPUSH src y", "ZADD z 1 m 2 n")
    assert h.state.aof is not None
    h.state.aof.before_reply()
    data = path.read_bytes()
    assert b"BLPOP" not in data and b"BLMOVE" not in data and b"BZPOPMAX" not in data
    assert b"*2\r\n$4\r\nLPOP\r\n$1\r\nl\r\n" in data
    assert b"*5\r\n$5\r\nLMOVE\r\n$3\r\nsrc\r\n$3\r\ndst\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n" in data
    assert b"*2\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n" in data
    assert data.index(b"RPUSH\r\n$1\r\nl") < data.index(b"LPOP")  # the push before the pop it fed


def test_timeout_answers_from_a_timer_and_releases_the_waiter(h: Harness) -> None:
    async def scenario() -> tuple[list[bytes], float]:
        waiter = Conn(h)
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiter.run("BLPOP k 0.05", "PING")
        assert h.state.blocking.with_timeout == 1
        while not waiter.pushed and loop.time() - started < 5:
            await asyncio.sleep(0.01)
        return waiter.pushed, loop.time() - started

    pushed, elapsed = asyncio.run(scenario())
    assert pushed == [b"*-1\r\n", b"+PONG\r\n"]
    assert elapsed >= 0.05
    assert h.state.blocking.waiters == {} and h.state.keyspace.db(0).blocked == {}


def test_served_waiter_cancels_its_timer(h: Harness) -> None:
    async def scenario() -> list[bytes]:
        waiter, pusher = Conn(h), Conn(h)
        waiter.run("BLPOP k 0.05")
        timer = waiter.client.blocked.timer if waiter.client.blocked else None
        pusher.run("RPUSH k a")
        await asyncio.sleep(0.1)
        assert timer is not None and timer.cancelled()
        return waiter.pushed

    assert asyncio.run(scenario()) == [b"*2\r\n$1\r\nk\r\n$1\r\na\r\n"]


def test_blocked_tls_client_is_served_and_resumes(start_bundled: StartBundled, lab_pki: LabPKI) -> None:
    """Over TLS the woken reply and the held pipeline go out through the record layer like any reply."""
    target = start_bundled(plaintext=True, tls=True)
    ctx = client_tls_context(lab_pki)
    with (
        socket.create_connection(("127.0.0.1", target.tls_port or 0), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as tls,
        RawClient("127.0.0.1", target.port or 0) as plain,
    ):
        tls.sendall(encode_command([b"BLPOP", b"k", b"0"]) + encode_command([b"PING"]))
        deadline = time.monotonic() + 5
        while plain.call("INFO", "clients")[1].find(b"blocked_clients:1") < 0:
            assert time.monotonic() < deadline, "the TLS client never blocked"
            time.sleep(0.01)
        assert plain.call("RPUSH", "k", "v") == (":", 1)
        want = b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n+PONG\r\n"
        got = b""
        while len(got) < len(want):
            chunk = tls.recv(4096)
            assert chunk, "the server closed the TLS connection"
            got += chunk
        assert got == want


def test_restore_wakes_a_waiter(h: Harness) -> None:
    """RESTORE creates the key whole (no push): the waiter is served from it as from any new list."""
    waiter, other = Conn(h), Conn(h)
    other.run("RPUSH src a b")
    out: list[bytes] = []
    h.dispatcher.execute_batch(other.client, [[b"DUMP", b"src"]], out)
    payload = b"".join(out).split(b"\r\n", 1)[1][:-2]
    waiter.run("BLPOP dst 0")
    out = []
    h.dispatcher.execute_batch(other.client, [[b"RESTORE", b"dst", b"0", payload]], out)
    assert out == [b"+OK\r\n"]
    assert waiter.pushed == [b"*2\r\n$3\r\ndst\r\n$1\r\na\r\n"]
    assert other.run("LRANGE dst 0 -1") == b"*1\r\n$1\r\nb\r\n"
