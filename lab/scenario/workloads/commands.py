"""The declarative workload: a scenario file lists the steps, no Python needed.

Steps run in order; each is exactly one of:
- `command`: run on the connection `conn` (of the first declared client, or of `client`), opened on first
  use and kept open, so connections interleave (WATCH on one, a write on another, EXEC on the first) and a
  later step can show that an old connection still works. Its reply is bound to `bind` (an observation
  field). An argument may hold an earlier reply, `{reply:NAME}` (a chained lookup: e-mail → id → object).
- `sleep`: wait that many seconds (an expiry running out).
- `peer-cert`: open a fresh TLS connection and record the certificate the server presented (serial,
  SHA-256 fingerprint, TLS version, days left, and which lab certificate it is).
- `issue-cert`: have the case's CA issue a new server certificate; later commands may name its files as
  {cert:NAME} and {key:NAME}.
Every name a placeholder, a `client` or a key uses is checked when the file is loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from lab.pki import SERVER_NAMES, CertFiles
from lab.scenario.evidence import Json, Secret
from lab.scenario.lifecycle.session import Session
from lab.scenario.schema import ClientConfig
from lab.scenario.strict import FieldError
from lab.scenario.workloads.dial import live, to_json
from lab.scenario.workloads.result import WorkloadResult

# {kind:NAME} in a command argument; the kinds and where their names come from
_PLACEHOLDER = re.compile(r"\{([a-z]+):([^{}]*)\}")
PLACEHOLDERS = {"reply": "a bind of an earlier command step", "cert": "an earlier issue-cert step",
                "key": "an earlier issue-cert step"}
MAX_SLEEP_S = 300.0  # a wait longer than this is a stuck scenario, not a demonstration
_KINDS = ("command", "sleep", "peer-cert", "issue-cert")
# the keys that belong to one kind of step (given with another, they would be silently ignored)
_ONLY_WITH = {"conn": "command", "client": "command", "bind": "command", "valid-days": "issue-cert"}


@dataclass(frozen=True)
class Step:
    command: tuple[str, ...] = ()
    conn: str = ""  # "": the connection named "default"
    client: str = ""  # a declared client's name ("": the first)
    bind: str = ""
    sleep: float | None = None  # seconds
    peer_cert: str = ""
    issue_cert: str = ""
    valid_days: int | None = None  # of the issued certificate (default 365)

    @property
    def kind(self) -> str:
        given = [k for k, v in zip(_KINDS, (self.command, self.sleep is not None, self.peer_cert,
                                             self.issue_cert), strict=True) if v]
        return given[0] if len(given) == 1 else ""

    def __post_init__(self) -> None:
        if not self.kind:
            raise FieldError("command", f"exactly one of {', '.join(_KINDS)} in each step")
        values = {"conn": self.conn, "client": self.client, "bind": self.bind,
                  "valid-days": self.valid_days is not None}
        for key, kind in _ONLY_WITH.items():
            if values[key] and self.kind != kind:
                raise FieldError(key, f"no {key} key in a {self.kind} step (it belongs to a {kind} step)")
        if self.sleep is not None and not 0 < self.sleep <= MAX_SLEEP_S:
            raise FieldError("sleep", f"a number of seconds > 0 and <= {MAX_SLEEP_S:g}", self.sleep)
        if self.valid_days is not None and self.valid_days < 1:
            raise FieldError("valid-days", "a number of days >= 1", self.valid_days)

    @property
    def connection(self) -> str:
        return self.conn or "default"

    @property
    def name(self) -> str:
        """The observation field this step reports ("" for none)."""
        return self.bind or self.peer_cert


@dataclass(frozen=True)
class Commands:
    steps: tuple[Step, ...]
    # label → value a passive observer must not read (traced in the capture and on disk)
    secrets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.steps:
            raise FieldError("steps", "at least one [[workload.steps]] entry")
        names = self.observes
        if len(set(names)) != len(names):
            raise FieldError("steps", "bind / peer-cert names that are all different", list(names))
        available: dict[str, set[str]] = {"reply": set(), "cert": set(), "key": set()}
        client_of: dict[str, str] = {}
        for i, step in enumerate(self.steps):
            for j, arg in enumerate(step.command):
                for kind, name in _PLACEHOLDER.findall(arg):
                    if kind not in PLACEHOLDERS:
                        raise FieldError(f"steps[{i}].command[{j}]", "placeholders of the kinds "
                                         + ", ".join(f"{{{k}:NAME}}" for k in PLACEHOLDERS), arg)
                    if name not in available[kind]:
                        known = ", ".join(sorted(available[kind])) or "none so far"
                        raise FieldError(f"steps[{i}].command[{j}]",
                                         f"{{{kind}:NAME}} naming {PLACEHOLDERS[kind]} ({known})", arg)
            if step.kind == "command":
                first = client_of.setdefault(step.connection, step.client)
                if step.client and step.client != first:
                    raise FieldError(f"steps[{i}].client", f'the client of connection "{step.connection}" '
                                     f'("{first or "the first declared"}"), or no client key', step.client)
                if step.bind:
                    available["reply"].add(step.bind)
            elif step.kind == "issue-cert":
                available["cert"].add(step.issue_cert)
                available["key"].add(step.issue_cert)

    @property
    def observes(self) -> tuple[str, ...]:
        """The observation fields this file's steps report (the loader checks expectations against them)."""
        return tuple(s.name for s in self.steps if s.name)

    @property
    def clients_named(self) -> tuple[tuple[str, str], ...]:
        """(key, name) of every `client` a step names: the loader checks each is a declared client."""
        return tuple((f"steps[{i}].client", s.client) for i, s in enumerate(self.steps) if s.client)


def _fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _file_fingerprint(path: Path) -> str:
    return _fingerprint(x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(Encoding.DER))


def _peer_cert(session: Session, issued: dict[str, CertFiles]) -> dict[str, Json]:
    pki = session.prepared.pki
    if pki is None:
        raise RuntimeError("peer-cert needs a TLS target with the lab PKI")
    host, port = session.endpoint("tls")
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    ctx.check_hostname = False  # the lab's certs name localhost; which cert was served is the question
    if session.keylog is not None:  # so the capture, decrypted, shows the same certificate
        ctx.keylog_filename = str(session.keylog)
    with socket.create_connection((host, port), timeout=5) as raw, ctx.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True) or b""
        version = tls.version()
    cert = x509.load_der_x509_certificate(der)
    known = {"server": pki.server, **issued}
    seen = _fingerprint(der)
    which = next((name for name, files in known.items() if _file_fingerprint(files.cert) == seen), None)
    left = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    return {"serial": format(cert.serial_number, "x"), "fingerprint": _fingerprint(der),
            "tls_version": version, "not_after": cert.not_valid_after_utc.isoformat(),
            "days_left": left.days, "cert": which}


def _expand(arg: str, issued: dict[str, CertFiles], replies: dict[str, Json]) -> str:
    """The argument with its placeholders filled in (the loader checked every name exists)."""

    def fill(m: re.Match[str]) -> str:
        kind, name = m.group(1), m.group(2)
        if kind == "reply":
            value = replies[name]
            if value is None or isinstance(value, list | dict):
                raise _Unfillable(f"{{reply:{name}}} is {_shape(value)}, not a value to look up with")
            return str(value)
        files = issued[name]
        return str(files.cert if kind == "cert" else files.key)

    return _PLACEHOLDER.sub(fill, arg)


class _Unfillable(Exception):
    """A chained lookup whose earlier reply holds nothing to chain (nil, an array)."""


def _shape(value: Json) -> str:
    return "nil" if value is None else "an array" if isinstance(value, list) else "a map"


def _client(session: Session, name: str) -> ClientConfig:
    if not session.case.clients:
        raise RuntimeError("the commands workload needs at least one [clients.NAME]")
    return session.case.client(name) if name else session.case.clients[0]


def commands(session: Session, p: Commands) -> WorkloadResult:
    observations: dict[str, Json] = {}
    issued: dict[str, CertFiles] = {}
    with contextlib.ExitStack() as stack:
        conns: dict[str, redis.Redis] = {}
        for step in p.steps:
            if step.sleep is not None:
                time.sleep(step.sleep)
            elif step.issue_cert:
                pki = session.prepared.pki
                if pki is None:
                    raise RuntimeError("issue-cert needs a TLS target with the lab PKI")
                days = step.valid_days if step.valid_days is not None else 365
                cert = pki.ca.issue(*SERVER_NAMES, purpose="server", valid_days=days)
                issued[step.issue_cert] = cert.write(pki.dir, f"server-{step.issue_cert}")
            elif step.peer_cert:
                observations[step.peer_cert] = _peer_cert(session, issued)
            else:
                reply = _run(session, step, conns, stack, issued, observations)
                if step.bind:
                    observations[step.bind] = reply
    return WorkloadResult((), observations, (*_passwords(session), *(Secret(label, value)
                                                                      for label, value in p.secrets.items())))


def _passwords(session: Session) -> tuple[Secret, ...]:
    """The server's password (requirepass, or what the clients send when it is kept as a hash) is a
    secret; a second, different password is labelled by its client."""
    found = [("", session.case.target.requirepass)] + [(c.name, c.password) for c in session.case.clients]
    out: list[Secret] = []
    for name, value in found:
        if value and value not in (s.value for s in out):
            out.append(Secret(f"password of {name}" if out else "password", value))
    return tuple(out)


def _run(session: Session, step: Step, conns: dict[str, redis.Redis], stack: contextlib.ExitStack,
         issued: dict[str, CertFiles], replies: dict[str, Json]) -> Json:
    """One command step's reply as JSON; a Redis error, or a chained lookup with nothing to chain, is the
    reply "(error) ..." (data an expectation judges, not a crash of the case)."""
    try:
        args = [_expand(a, issued, replies) for a in step.command]
    except _Unfillable as exc:
        return f"(error) not sent: {exc}"
    if step.connection not in conns:
        conns[step.connection] = stack.enter_context(live(session, _client(session, step.client)))
    try:
        reply: Any = conns[step.connection].execute_command(*args)
    except redis.RedisError as exc:
        return f"(error) {type(exc).__name__}: {exc}"
    return to_json(reply)
