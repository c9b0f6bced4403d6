"""Durability trials on the AOF: crash the server (kill -9) and count what survived the restart.

A kill -9 ends the process, not the machine: whatever the server wrote (write(2)) before replying is in the
kernel's page cache and reaches the file anyway. So no acknowledged write is lost under any appendfsync
policy; the policies differ only when the machine itself goes down (power loss), which a lab cannot do.
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import redis

from lab.scenario.evidence import Json, Secret
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.dial import live
from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class Kill9Trial:
    writers: int = 2  # concurrent connections, each INCRementing its own counter
    seconds: float = 1.0  # of write load before the kill


class _Writer(threading.Thread):
    """INCR one counter as fast as acknowledgements come; remembers the last acknowledged value."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        super().__init__(name=f"writer-{key}", daemon=True)
        self.client, self.key = client, key
        self.acked, self.error = 0, ""
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.acked = int(self.client.execute_command("INCR", self.key))
        except (redis.RedisError, OSError) as exc:  # the kill: the connection drops mid-load
            self.error = type(exc).__name__


def kill9_trial(session: Session, p: Kill9Trial) -> WorkloadResult:
    cfg = session.case.clients[0]
    with ExitStack() as stack:
        writers = [_Writer(stack.enter_context(live(session, cfg)), f"counter:{i}") for i in range(p.writers)]
        try:
            for w in writers:
                w.start()
            time.sleep(p.seconds)
            session.restart()  # SIGKILL while the writers are mid-flight, then start again on the same AOF
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(timeout=10)
    with live(session, cfg) as client:
        persisted = [int(client.execute_command("GET", w.key) or 0) for w in writers]
    acked = [w.acked for w in writers]
    lost = sum(max(a - s, 0) for a, s in zip(acked, persisted, strict=True))
    # persisted > acked: the server applied a write whose reply the kill cut off (in flight, not lost)
    in_flight = sum(max(s - a, 0) for a, s in zip(acked, persisted, strict=True))
    return WorkloadResult(
        (),
        {
            "appendfsync": session.case.target.appendfsync,
            "acked": sum(acked),
            "persisted": sum(persisted),
            "lost": lost,
            "applied_but_unacked": in_flight,
            "writer_errors": [w.error for w in writers],
        },
    )


@dataclass(frozen=True)
class AofReplay:
    ttl_seconds: int = 300


def _state(client: redis.Redis) -> dict[str, dict[str, Json]]:
    """Every key with its type, value and remaining TTL in ms (-1: none), as a restart must reproduce it."""
    out: dict[str, dict[str, Json]] = {}
    for raw in sorted(client.execute_command("KEYS", "*")):
        key = raw.decode()
        kind = client.execute_command("TYPE", key)
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        value: Json
        if kind == "string":
            value = client.execute_command("GET", key).decode()
        elif kind == "hash":
            pairs = client.execute_command("HGETALL", key)
            items = pairs.items() if isinstance(pairs, dict) else zip(pairs[::2], pairs[1::2], strict=True)
            value = {k.decode(): v.decode() for k, v in sorted(items)}
        elif kind == "set":
            value = sorted(m.decode() for m in client.execute_command("SMEMBERS", key))
        else:
            value = f"({kind})"
        out[key] = {"type": kind, "value": value, "pttl": int(client.execute_command("PTTL", key))}
    return out


def aof_replay(session: Session, p: AofReplay) -> WorkloadResult:
    """Write the note's data model with TTLs, crash the server, and compare the state after AOF replay."""
    cfg = session.case.clients[0]
    with live(session, cfg) as c:
        c.execute_command("SET", "session:42", "token-abc", "EX", str(p.ttl_seconds))
        c.execute_command("HSET", "user:1", "name", "Eve", "email", "eve@example.com", "login_count", "1")
        c.execute_command("HINCRBY", "user:1", "login_count", "4")
        c.execute_command("SET", "user:email:eve@example.com", "1")
        c.execute_command("SADD", "usernames", "eve", "mallory", "eve")
        c.execute_command("SET", "cache:page", "<html>", "PX", str(p.ttl_seconds * 2000))
        c.execute_command("EXPIRE", "usernames", str(p.ttl_seconds))
        c.execute_command("SET", "gone", "x")
        c.execute_command("DEL", "gone")
        c.execute_command("SET", "kept", "v", "EX", "100")
        c.execute_command("PERSIST", "kept")
        before = _state(c)
    t_kill = time.monotonic()
    session.restart()
    with live(session, cfg) as c:
        after = _state(c)
    elapsed_ms = (time.monotonic() - t_kill) * 1000
    mismatches = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b is None or a is None or b["type"] != a["type"] or b["value"] != a["value"]:
            mismatches.append(key)
            continue
        tb, ta = b["pttl"], a["pttl"]
        assert isinstance(tb, int) and isinstance(ta, int)
        # The AOF stores absolute deadlines: after replay the TTL is the old one minus the time that passed.
        if (tb < 0) != (ta < 0) or (tb >= 0 and not tb - elapsed_ms - 1000 <= ta <= tb):
            mismatches.append(key)
    return WorkloadResult(
        (),
        {
            "keys_before": len(before),
            "keys_after": len(after),
            "mismatched_keys": mismatches,
            "mismatches": len(mismatches),
            "keys_with_ttl": sum(1 for v in before.values() if v["pttl"] != -1),
            "state_before": before,
            "state_after": after,
        },
        (Secret("email", "eve@example.com"),),
    )
