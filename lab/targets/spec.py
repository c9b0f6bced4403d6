"""TargetSpec: the server under test, described once, started the same way on both targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lab.errors import UserError

TargetKind = Literal["bundled", "redis-server"]
AuthClients = Literal["no", "optional", "yes"]
AppendFsync = Literal["always", "everysec", "no"]

KINDS: tuple[TargetKind, ...] = ("bundled", "redis-server")
_AUTH_CLIENTS = ("no", "optional", "yes")
_FSYNC = ("always", "everysec", "no")
_TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class TargetSpec:
    """A server's network, TLS, auth and persistence posture, rendered into one redis.conf for either target.

    plaintext / tls: which listeners exist (Redis `port` / `tls-port`; both off is refused).
    tls_auth_clients: Redis's default is "yes" (client cert required); the lab default is "no" so that a
      spec asks for mTLS explicitly. "yes"/"optional" configure the lab CA as tls-ca-cert-file.
    tls_protocols, tls_ciphers, tls_ciphersuites: None leaves the server's default (TLSv1.2 + TLSv1.3).
    users: ACL `user` lines without the leading word, e.g. "alice on >secret ~* +@all".
    extra: further (directive, value) pairs, appended last so they win; the value is written as given
      (it may hold several arguments, e.g. ("save", "900 1")).

    A spec means the same on both targets: tests/lab/targets/test_process.py runs each case on both.
    Where the servers differ, the difference is listed here:
    - start-up errors are worded by each server's TLS library binding: an RSA-1024 cert is "ee key too
      small" from redis-server and "EE_KEY_TOO_SMALL" from the bundled server (both refuse to start).
    - a TLS ClientHello on the plaintext port: redis-server waits for a newline unless the hello's random
      bytes hold one (client timeout, else "wrong version number"); the bundled server answered at once in
      our runs ("wrong version number"). Tests accept both.
    """

    kind: TargetKind = "bundled"
    plaintext: bool = True
    tls: bool = False
    tls_auth_clients: AuthClients = "no"
    tls_protocols: str | None = None
    tls_ciphers: str | None = None
    tls_ciphersuites: str | None = None
    tls_session_caching: bool = True
    requirepass: str | None = None
    users: tuple[str, ...] = ()
    appendonly: bool = False
    appendfsync: AppendFsync = "everysec"
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UserError(f"unknown target kind {self.kind!r}; use one of: {', '.join(KINDS)}")
        if not (self.plaintext or self.tls):
            raise UserError("a target with neither a plaintext nor a TLS port cannot be reached; "
                            "set plaintext: true or tls: true")
        if self.tls_auth_clients not in _AUTH_CLIENTS:
            raise UserError(f"tls_auth_clients {self.tls_auth_clients!r} is not valid; "
                            "use no, optional or yes")
        if self.appendfsync not in _FSYNC:
            raise UserError(f"appendfsync {self.appendfsync!r} is not valid; use always, everysec or no")
        if self.tls_protocols is not None:
            bad = [p for p in self.tls_protocols.split() if p not in _TLS_VERSIONS]
            if bad or not self.tls_protocols.split():
                raise UserError(f"tls_protocols {self.tls_protocols!r} is not valid; "
                                f"use a space-separated subset of: {' '.join(_TLS_VERSIONS)}")
        for directive, value in self.extra:
            if not directive or any(c.isspace() for c in directive):
                raise UserError(f"extra directive {directive!r} is not a single word; "
                                "write it as (name, value)")
            if "\n" in value or "\r" in value:
                raise UserError(f"extra value for {directive!r} contains a line break; "
                                "write one directive per pair")
        for rule in self.users:
            if "\n" in rule or "\r" in rule or not rule.split():
                raise UserError(f"user rule {rule!r} must be one non-empty line, "
                                "e.g. 'alice on >secret ~* +@all'")
