"""Transactions through redis-py (MULTI/EXEC pipelines, WATCH optimistic locking) and raw replies."""

from __future__ import annotations

import threading

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.targets import RunningTarget
from tests.server.rawresp import RawClient


def client(target: RunningTarget, protocol: int) -> redis.Redis:
    port = target.port or 0
    return redis.Redis(port=port, protocol=protocol, socket_timeout=5, retry=Retry(NoBackoff(), 0))


@pytest.mark.parametrize("protocol", [2, 3])
def test_pipeline_transaction(bundled: RunningTarget, protocol: int) -> None:
    r = client(bundled, protocol)
    with r.pipeline(transaction=True) as p:
        p.set(f"tx:a{protocol}", "1")
        p.incr(f"tx:a{protocol}")
        p.hset(f"tx:h{protocol}", "f", "v")
        p.hgetall(f"tx:h{protocol}")
        assert p.execute() == [True, 2, 1, {b"f": b"v"}]


@pytest.mark.parametrize("protocol", [2, 3])
def test_watch_conflict_raises_watch_error(bundled: RunningTarget, protocol: int) -> None:
    r, other = client(bundled, protocol), client(bundled, protocol)
    r.set("tx:balance", 100)
    with r.pipeline(transaction=True) as p:
        p.watch("tx:balance")
        balance = int(p.get("tx:balance") or 0)
        other.set("tx:balance", 0)  # a concurrent writer wins
        p.multi()
        p.set("tx:balance", balance - 30)
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.get("tx:balance") == b"0"


def test_concurrent_increments_with_watch_lose_nothing(bundled: RunningTarget) -> None:
    client(bundled, 2).set("tx:counter", 0)

    def worker() -> None:
        r = client(bundled, 2)

        def add(p: redis.client.Pipeline) -> None:
            value = int(p.get("tx:counter") or 0)
            p.multi()
            p.set("tx:counter", value + 1)

        for _ in range(50):
            r.transaction(add, "tx:counter")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert client(bundled, 2).get("tx:counter") == b"200"


def test_queueing_error_aborts_and_runtime_error_does_not(bundled: RunningTarget) -> None:
    with RawClient("127.0.0.1", bundled.port or 0) as raw:
        assert raw.pipeline([["MULTI"], ["SET", "tx:x", "1"], ["NOSUCH"], ["EXEC"]]) == [
            ("+", b"OK"),
            ("+", b"QUEUED"),
            ("-", b"ERR unknown command 'NOSUCH', with args beginning with: "),
            ("-", b"EXECABORT Transaction discarded because of previous errors."),
        ]
        assert raw.call("GET", "tx:x") == ("$", None)
        assert raw.pipeline([["MULTI"], ["SET", "tx:x", "abc"], ["INCR", "tx:x"], ["EXEC"]])[3] == (
            "*", (("+", b"OK"), ("-", b"ERR value is not an integer or out of range")),
        )


def test_discard_and_unwatch(bundled: RunningTarget) -> None:
    with RawClient("127.0.0.1", bundled.port or 0) as raw, RawClient("127.0.0.1", bundled.port or 0) as other:
        discarded = raw.pipeline([["WATCH", "tx:w"], ["MULTI"], ["SET", "tx:w", "1"], ["DISCARD"]])
        assert discarded[3] == ("+", b"OK")
        other.call("SET", "tx:w", "2")
        assert raw.pipeline([["MULTI"], ["GET", "tx:w"], ["EXEC"]])[2] == ("*", (("$", b"2"),))  # unwatched
        raw.call("WATCH", "tx:w")
        raw.call("UNWATCH")
        other.call("SET", "tx:w", "3")
        assert raw.pipeline([["MULTI"], ["GET", "tx:w"], ["EXEC"]])[2] == ("*", (("$", b"3"),))
