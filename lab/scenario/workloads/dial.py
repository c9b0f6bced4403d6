"""From a scenario's client declaration to a lab.clients session against the running case.

The only place that maps ClientConfig (scenario file) to ClientSpec (lab.clients): which CA, which client
cert, which password, which endpoint (through the attacker and the capture when there are any).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import redis

from lab.clients import ClientOutcome, ClientSpec, ErrorReply, Posture, run_session
from lab.clients.redispy import connection_pool
from lab.scenario.evidence import ClientObservation, Json
from lab.scenario.lifecycle.session import Session
from lab.scenario.schema import ClientConfig


def client_spec(session: Session, cfg: ClientConfig, protocol: int | None = None) -> ClientSpec:
    pki = session.prepared.pki
    password = (cfg.password or session.case.target.requirepass) if cfg.auth else None
    tls = cfg.posture != "plaintext"
    if tls and pki is None:
        raise RuntimeError(f"client {cfg.name!r} needs the lab PKI, but this case has no TLS files")
    return ClientSpec(
        library=cfg.library,
        posture=Posture(cfg.posture),
        ca=pki.ca_cert if tls and pki else None,
        cert=pki.client.cert if cfg.cert and pki else None,
        key=pki.client.key if cfg.cert and pki else None,
        password=password,
        pin=pki.server_pin if pki else None,
        tls_min=cfg.tls_min,
        tls_max=cfg.tls_max,
        protocol=protocol,
    )


def to_json(value: Any) -> Json:
    """A reply as JSON: bytes decoded, error replies as "(error) ...", containers recursively."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, ErrorReply):
        return f"(error) {value.message}"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def observe(cfg: ClientConfig, port: int | None, outcome: ClientOutcome) -> ClientObservation:
    return ClientObservation(
        name=cfg.name,
        library=cfg.library,
        posture=cfg.posture,
        port=port,
        connected=outcome.connected,
        error_class=str(outcome.error_class) if outcome.error_class else None,
        error_text=outcome.error_text,
        tls_version=outcome.tls_version,
        cipher=outcome.cipher,
        elapsed_s=round(outcome.elapsed_s, 4),
        replies=tuple(to_json(r) for r in outcome.replies),
    )


def run_client(session: Session, cfg: ClientConfig, commands: Sequence[Sequence[str]]) -> ClientObservation:
    """One session of `cfg` running `commands` on the port it dials; failure comes back as data."""
    if cfg.dials not in session.ports:  # the listener is closed (`port 0`): what a client meets is a refusal
        return ClientObservation(
            name=cfg.name, library=cfg.library, posture=cfg.posture, port=None, connected=False,
            error_class="connection-refused",
            error_text=f"the server has no {cfg.dials} listener (closed in its redis.conf)",
        )
    host, port = session.endpoint(cfg.dials)
    outcome = run_session(
        client_spec(session, cfg), host, port, commands=[list(c) for c in commands], keylog=session.keylog
    )
    return observe(cfg, session.server_port(cfg.dials), outcome)


def as_mapping(reply: Json) -> Json:
    """HGETALL as a mapping whatever the protocol: RESP3 sends a map, RESP2 a flat list of pairs."""
    if isinstance(reply, list) and len(reply) % 2 == 0:
        return {str(k): v for k, v in zip(reply[::2], reply[1::2], strict=True)}
    return reply


@contextlib.contextmanager
def live(session: Session, cfg: ClientConfig) -> Iterator[redis.Redis]:
    """An open redis-py connection with cfg's posture, for workloads that interleave clients or stream
    writes. Errors raise (redis.RedisError): the workload decides what a failure means."""
    if cfg.library != "redis-py":
        raise RuntimeError(f"client {cfg.name!r}: live connections are redis-py only, not {cfg.library}")
    host, port = session.endpoint(cfg.dials)
    pool = connection_pool(client_spec(session, cfg), host, port, session.keylog)
    try:
        yield redis.Redis(connection_pool=pool, single_connection_client=True)
    finally:
        pool.disconnect()
