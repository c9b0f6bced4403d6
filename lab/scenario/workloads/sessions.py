"""Workloads where every declared client runs one short session, in the order the file declares them."""

from __future__ import annotations

from dataclasses import dataclass

from lab.scenario.evidence import Secret
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.dial import run_client
from lab.scenario.workloads.result import WorkloadResult


def _password(session: Session) -> tuple[Secret, ...]:
    password = session.case.target.requirepass
    return (Secret("password", password),) if password else ()


@dataclass(frozen=True)
class Ping:
    """Connect (authenticating when the server has a password) and PING: who gets through?"""


def ping(session: Session, _p: Ping) -> WorkloadResult:
    clients = tuple(run_client(session, c, [["PING"]]) for c in session.case.clients)
    connected = sum(c.connected for c in clients)
    return WorkloadResult(
        clients, {"connected": connected, "refused": len(clients) - connected}, _password(session)
    )


@dataclass(frozen=True)
class AuthAndHset:
    """Authenticate and store a user object, then read it back: the password and the e-mail are secrets."""

    key: str = "user:1"
    name: str = "Eve"
    email: str = "eve@example.com"


def auth_and_hset(session: Session, p: AuthAndHset) -> WorkloadResult:
    commands = [["HSET", p.key, "name", p.name, "email", p.email, "login_count", "1"], ["HGETALL", p.key]]
    clients = tuple(run_client(session, c, commands) for c in session.case.clients)
    stored = [
        c.name
        for c in clients
        if c.connected
        and len(c.replies) == 2
        and isinstance(c.replies[1], dict)
        and c.replies[1].get("email") == p.email
    ]
    return WorkloadResult(
        clients,
        {"connected": sum(c.connected for c in clients), "stored_by": list(stored)},
        (*_password(session), Secret("email", p.email)),
    )
