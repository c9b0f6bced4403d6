"""What a lab client is asked to do (ClientSpec) and what happened (ClientOutcome): frozen plain data."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from lab.errors import UserError
from lab.pki import LabPKI

Library = Literal["redis-py", "redis-cli"]
LIBRARIES: tuple[Library, ...] = ("redis-py", "redis-cli")
TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


class Posture(enum.StrEnum):
    """How much a client checks the server. The axis every MITM scenario varies."""

    PLAINTEXT = "plaintext"
    TLS_NO_VERIFY = "tls-no-verify"  # encrypts, trusts anyone (ssl_cert_reqs=none / redis-cli --insecure)
    TLS_CHAIN_ONLY = "tls-chain-only"  # trusts the CA, never checks the name: redis-cli's real behaviour
    TLS_FULL = "tls-full"  # CA chain + hostname
    TLS_PINNED = "tls-pinned"  # only the pinned server key (SPKI), checked before a byte of Redis is sent

    @property
    def tls(self) -> bool:
        return self is not Posture.PLAINTEXT


class ErrorKind(enum.StrEnum):
    """Why a session failed, the same words for every library (the library's own text is kept beside it)."""

    CONNECTION_REFUSED = "connection-refused"
    CERT_VERIFY_FAILED = "cert-verify-failed"
    PIN_MISMATCH = "pin-mismatch"
    TLS_ERROR = "tls-error"  # handshake or record failure other than verification (alerts, versions)
    CONNECTION_CLOSED = "connection-closed"  # the server hung up (e.g. mTLS without a client cert)
    TIMEOUT = "timeout"
    AUTH_FAILED = "auth-failed"
    POSTURE_UNSUPPORTED = "posture-unsupported"  # the library cannot do what was asked: nothing was run
    OTHER = "other"


@dataclass(frozen=True)
class ErrorReply:
    """An error reply from the server (e.g. NOAUTH): the server answered, the command failed."""

    message: str


Reply = str | int | float | bool | None | ErrorReply | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class ClientSpec:
    """A client: which library, which posture, which files. protocol None = the library's default
    (redis-py 8.1: RESP3, redis-cli 7.0: RESP2). server_hostname is the SNI and, for tls-full, the name
    checked. tls_min / tls_max force protocol versions ("TLSv1.2"...) for old-protocol tests.
    timeout: redis-py applies it to each socket operation; redis-cli 7.0 has no timeout option, so its whole
    session is stopped after timeout + 0.5 s."""

    library: Library = "redis-py"
    posture: Posture = Posture.TLS_FULL
    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    password: str | None = None
    username: str | None = None
    server_hostname: str = "localhost"
    pin: str | None = None
    tls_min: str | None = None
    tls_max: str | None = None
    timeout: float = 3.0
    protocol: int | None = None

    def __post_init__(self) -> None:
        if self.library not in LIBRARIES:
            raise UserError(f"unknown client library {self.library!r}; use one of: {', '.join(LIBRARIES)}")
        Posture(self.posture)  # a plain string is accepted when it names a posture
        if self.posture in (Posture.TLS_CHAIN_ONLY, Posture.TLS_FULL) and self.ca is None:
            raise UserError(f"posture {self.posture} verifies the server against a CA: give ca=<ca.crt>")
        if self.posture is Posture.TLS_PINNED and not (self.pin or "").startswith("sha256/"):
            raise UserError("posture tls-pinned needs pin='sha256/<base64>' "
                            "(lab.pki.spki_pin of the server cert)")
        if (self.cert is None) != (self.key is None):
            raise UserError("a client certificate needs both cert and key")
        for name in ("tls_min", "tls_max"):
            value = getattr(self, name)
            if value is not None and value not in TLS_VERSIONS:
                raise UserError(f"{name} {value!r} is not valid; use one of: {', '.join(TLS_VERSIONS)}")
        if self.protocol not in (None, 2, 3):
            raise UserError(f"protocol {self.protocol!r} is not valid; use 2 or 3 (or leave it unset)")
        if self.timeout <= 0:
            raise UserError(f"timeout must be > 0 seconds, got {self.timeout}")

    @classmethod
    def from_pki(cls, pki: LabPKI, library: Library, posture: Posture, client_cert: bool = False,
                 **kwargs: Any) -> ClientSpec:
        """A spec trusting the lab's CA (chain/full), pinning its server key (pinned), optionally with its
        client cert."""
        return cls(library=library, posture=Posture(posture), ca=pki.ca_cert, pin=pki.server_pin,
                   cert=pki.client.cert if client_cert else None, key=pki.client.key if client_cert else None,
                   **kwargs)


@dataclass(frozen=True)
class ClientOutcome:
    """One session's result. connected: the server answered us at least once (HELLO/AUTH during connect, or
    any command, error replies included). In TLS 1.3 a client finishes its handshake before the server has
    checked its cert, so a rejected client can look connected for a moment: here it is connected=False.
    tls_version / cipher: as negotiated (None for plaintext and where the library does not say)."""

    library: Library
    posture: Posture
    connected: bool
    error_class: ErrorKind | None
    error_text: str | None
    replies: tuple[Reply, ...]
    tls_version: str | None
    cipher: str | None
    elapsed_s: float
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.connected and self.error_class is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
