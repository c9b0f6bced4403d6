"""The declarative workload: a scenario file lists the steps, no Python needed.

Steps run in order. `conn` names a connection (of the first declared client, or of `client`), opened on
first use and kept open, so a later step can show that an old connection still works. A `command`'s
reply is bound to `bind` (an observation field). `peer-cert` opens a fresh TLS connection and records
the certificate the server presented (serial, SHA-256 fingerprint, TLS version, days left, and which
lab certificate it is). `issue-cert` has the case's CA issue a new server certificate; later commands
may name its files as {cert:NAME} and {key:NAME}.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import socket
import ssl
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


@dataclass(frozen=True)
class Step:
    command: tuple[str, ...] = ()
    conn: str = "default"
    client: str = ""  # a declared client's name ("": the first)
    bind: str = ""
    peer_cert: str = ""
    issue_cert: str = ""
    valid_days: int = 365

    def __post_init__(self) -> None:
        kinds = [bool(self.command), bool(self.peer_cert), bool(self.issue_cert)]
        if sum(kinds) != 1:
            raise FieldError("command", "exactly one of command, peer-cert, issue-cert in each step")
        if self.valid_days < 1:
            raise FieldError("valid-days", "a number of days >= 1", self.valid_days)


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

    @property
    def observes(self) -> tuple[str, ...]:
        """The observation fields this file's steps report (the loader checks expectations against them)."""
        return tuple(s.bind or s.peer_cert for s in self.steps if s.bind or s.peer_cert)


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


def _expand(arg: str, issued: dict[str, CertFiles]) -> str:
    for name, files in issued.items():
        arg = arg.replace(f"{{cert:{name}}}", str(files.cert)).replace(f"{{key:{name}}}", str(files.key))
    return arg


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
            if step.issue_cert:
                pki = session.prepared.pki
                if pki is None:
                    raise RuntimeError("issue-cert needs a TLS target with the lab PKI")
                cert = pki.ca.issue(*SERVER_NAMES, purpose="server", valid_days=step.valid_days)
                issued[step.issue_cert] = cert.write(pki.dir, f"server-{step.issue_cert}")
            elif step.peer_cert:
                observations[step.peer_cert] = _peer_cert(session, issued)
            else:
                if step.conn not in conns:
                    conns[step.conn] = stack.enter_context(live(session, _client(session, step.client)))
                reply: Any
                try:
                    reply = conns[step.conn].execute_command(*(_expand(a, issued) for a in step.command))
                except redis.RedisError as exc:
                    reply = f"(error) {type(exc).__name__}: {exc}"
                if step.bind:
                    observations[step.bind] = to_json(reply)
    password = session.case.target.requirepass
    secrets = (*((Secret("password", password),) if password else ()),
               *(Secret(label, value) for label, value in p.secrets.items()))
    return WorkloadResult((), observations, secrets)

