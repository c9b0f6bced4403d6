"""The "fast and safe" note's data patterns, each run over the scenario's (TLS) client and measured.

Each workload returns the replies that prove its point as observations; the scenario's expectations
say what they must be (e.g. the second SADD of the same name adds 0).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lab.scenario.evidence import Json, Secret
from lab.scenario.lifecycle.session import Session
from lab.scenario.schema import ClientConfig
from lab.scenario.workloads.dial import live, run_client
from lab.scenario.workloads.result import WorkloadResult


def _app(session: Session) -> ClientConfig:
    """The first declared client does the work (the others, if any, are bystanders)."""
    return session.case.clients[0]


@dataclass(frozen=True)
class SetExExpiry:
    key: str = "session:42"
    value: str = "temporary data"
    ex: int = 1  # seconds (the note uses 3; 1 keeps the run short and shows the same thing)


def set_ex_expiry(session: Session, p: SetExExpiry) -> WorkloadResult:
    app = _app(session)
    first = run_client(
        session, app, [["SET", p.key, p.value, "EX", str(p.ex)], ["GET", p.key], ["TTL", p.key]]
    )
    time.sleep(p.ex + 0.3)  # past the deadline; GET then expires it lazily even if active expiry has not run
    second = run_client(session, app, [["GET", p.key], ["EXISTS", p.key]])
    r1, r2 = first.replies, second.replies
    return WorkloadResult(
        (first, second),
        {
            "set": r1[0] if r1 else None,
            "get_before": r1[1] if len(r1) > 1 else None,
            "ttl_before": r1[2] if len(r1) > 2 else None,
            "get_after": r2[0] if r2 else "(no reply)",
            "exists_after": r2[1] if len(r2) > 1 else None,
        },
    )


@dataclass(frozen=True)
class SecondaryIndex:
    user_id: str = "1"
    name: str = "Eve"
    email: str = "eve@example.com"


def secondary_index(session: Session, p: SecondaryIndex) -> WorkloadResult:
    user, index = f"user:{p.user_id}", f"user:email:{p.email}"
    obs = run_client(
        session,
        _app(session),
        [
            ["HSET", user, "name", p.name, "email", p.email],
            ["SET", index, p.user_id],
            ["GET", index],
            ["HGET", user, "name"],
            ["GET", "user:email:nobody@example.com"],
        ],
    )
    r = list(obs.replies) + [None] * 5
    found: Json = None
    if r[2] is not None:  # the lookup an application does: email → id → object
        found = run_client(session, _app(session), [["HGET", f"user:{r[2]}", "name"]]).replies[0]
    return WorkloadResult(
        (obs,),
        {"index_points_to": r[2], "found_name": found, "unknown_email": r[4]},
        (Secret("email", p.email),),
    )


@dataclass(frozen=True)
class WatchConflict:
    key: str = "user:1"
    field: str = "login_count"
    concurrent_increment: int = 10


def watch_conflict(session: Session, p: WatchConflict) -> WorkloadResult:
    """A watches the key, B changes it, A's EXEC returns nil and none of A's queued commands is applied.
    Then the same transaction without interference: EXEC applies it (the control)."""
    app = _app(session)
    with live(session, app) as a, live(session, app) as b:
        a.execute_command("HSET", p.key, p.field, "1")
        a.execute_command("WATCH", p.key)
        seen = a.execute_command("HGET", p.key, p.field)
        writer = b.execute_command("HINCRBY", p.key, p.field, str(p.concurrent_increment))
        a.execute_command("MULTI")
        queued = a.execute_command("HINCRBY", p.key, p.field, "1")
        exec_conflict = a.execute_command("EXEC")
        after_conflict = a.execute_command("HGET", p.key, p.field)
        a.execute_command("WATCH", p.key)
        a.execute_command("MULTI")
        a.execute_command("HINCRBY", p.key, p.field, "1")
        exec_clean = a.execute_command("EXEC")
        after_clean = a.execute_command("HGET", p.key, p.field)
    return WorkloadResult(
        (),
        {
            "seen_before": _text(seen),
            "concurrent_write": writer,
            "queued": _text(queued),
            "exec_with_conflict": exec_conflict,
            "value_after_conflict": _text(after_conflict),
            "exec_without_conflict": exec_clean,
            "value_after_clean": _text(after_clean),
        },
    )


def _text(value: object) -> Json:
    return value.decode() if isinstance(value, bytes) else value  # type: ignore[return-value]
