"""What a capture shows, as frozen dataclasses; JSON via `dataclasses.asdict` (`CaptureReport.to_dict`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

from lab.jsonable import plain
from lab.severity import Severity

Direction = Literal["c2s", "s2c"]
Transport = Literal["plaintext", "tls", "empty"]


class Confidence(StrEnum):
    """How sure the analysis is that a stream is Redis."""

    NONE = "none"  # not Redis (or nothing to judge)
    PORT = "port"  # only the server port says so (TLS without keys, an empty or silent stream)
    LIKELY = "likely"  # RESP-shaped requests, but no reply to confirm them
    CERTAIN = "certain"  # well-formed RESP requests answered with RESP replies


@dataclass(frozen=True)
class Problem:
    """Something in the capture that could not be read; the rest of the report stands."""

    frame: int
    what: str


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


@dataclass(frozen=True)
class CertInfo:
    """One X.509 certificate seen in a handshake (leaf first in a chain)."""

    subject: str
    issuer: str
    not_before: str  # ISO 8601, UTC
    not_after: str
    self_signed: bool  # issuer == subject and the signature verifies with the cert's own key
    frame: int
    visible_without_keys: bool  # TLS <= 1.2 sends certificates in clear; TLS 1.3 encrypts them
    key_type: str = ""  # "RSA-2048", "EC-secp256r1", "DSA-2048", "unknown (<oid>)"
    parse_error: str = ""  # set when fields could not be read (the other fields are then empty)
    serial: str = ""  # hex: which certificate this stream saw, as the issuing CA numbers it
    sha256: str = ""  # fingerprint of the DER bytes (what `openssl x509 -fingerprint -sha256` prints)


@dataclass(frozen=True)
class RespLine:
    """One RESP message: a client command or a server reply, with the frames that carried it."""

    direction: Direction
    first_frame: int
    last_frame: int
    kind: str  # the RESP type byte ("*", "+", "$", ...) or "inline"
    text: str  # human rendering: `SET k v`, `+OK`, `"value"`, `(error) ERR ...`
    args: tuple[str, ...] = ()  # a command's arguments (decoded, bytes escaped); empty for replies


@dataclass(frozen=True)
class TlsAlert:
    """A TLS alert as dissected (in clear, or decrypted); encrypted ones have name "encrypted"."""

    direction: Direction
    level: str  # "warning", "fatal", "alert" (level unknown), "" (encrypted)
    name: str  # tshark's description: "Unknown CA", "Bad Certificate", ...
    frame: int


@dataclass(frozen=True)
class RecordSize:
    """One TLS record (or, for plaintext, one TCP segment payload) on the wire."""

    frame: int
    direction: Direction
    length: int


@dataclass(frozen=True)
class StreamInfo:
    stream: int  # tshark's tcp.stream index
    client: Endpoint
    server: Endpoint
    transport: Transport
    redis: bool
    redis_evidence: str  # "port", "content", "port+content" or ""
    first_frame: int
    last_frame: int
    packets: int
    bytes_c2s: int
    bytes_s2c: int
    tls_version: str | None = None
    cipher: str | None = None
    sni: str | None = None
    server_certs: tuple[CertInfo, ...] = ()
    client_cert_present: bool | None = None  # None: not visible (TLS 1.3 without key log)
    client_certs: tuple[CertInfo, ...] = ()
    alerts: tuple[str, ...] = ()
    decrypted: bool = False
    client_hello_frame: int | None = None
    server_hello_frame: int | None = None
    transcript: tuple[RespLine, ...] = ()  # the first `transcript_limit` messages per direction
    transcript_note: str = ""  # why the transcript is partial (limit, not RESP, hole in the capture, ...)
    commands: int = 0  # every client message parsed, also beyond the kept transcript
    replies: int = 0
    auth_frames: tuple[int, ...] = ()  # every AUTH / HELLO AUTH, also beyond the kept transcript
    record_sizes: tuple[RecordSize, ...] = ()  # the first `record_limit` records
    records: int = 0  # all records (TLS) or payload segments (plaintext)
    problems: tuple[Problem, ...] = ()  # frames of this stream that could not be parsed
    tls_alerts: tuple[TlsAlert, ...] = ()  # the alerts above, as data
    resets: int = 0  # TCP segments with RST
    redis_confidence: Confidence = Confidence.NONE

    @property
    def server_cert(self) -> CertInfo | None:
        return self.server_certs[0] if self.server_certs else None


@dataclass(frozen=True)
class Excerpt:
    """The bytes around one occurrence of a secret, as the reader of that frame saw them (escaped text)."""

    frame: int  # the frame holding the secret's first byte
    before: str
    secret: str  # masked like SecretExposure.label: the report does not repeat the secret
    after: str
    decrypted: bool  # read only with the key log


@dataclass(frozen=True)
class SecretExposure:
    """A given secret and every frame where its bytes cross the wire in clear."""

    label: str  # the secret itself is not repeated in reports: a masked label
    frames: tuple[int, ...]
    streams: tuple[int, ...]
    decrypted_frames: tuple[int, ...] = ()  # seen only after decryption with the key log (not in clear)
    excerpts: tuple[Excerpt, ...] = ()  # the first few occurrences, bytes around the secret


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    title: str
    evidence: tuple[int, ...]  # frame numbers
    why: str
    fix: str
    stream: int | None = None


F = TypeVar("F")


@dataclass(frozen=True)
class CheckResult(Generic[F]):
    """sslyze-style: a check either completed (with zero or more findings) or failed, and failure is data.

    Generic over the finding: the observatory's checks report `Finding`s, the audit's `AuditFinding`s.
    """

    check: str
    status: Literal["completed", "error"]
    findings: tuple[F, ...] = ()
    error: str = ""


def run_check_modules(modules: tuple[ModuleType, ...], ctx: object) -> tuple[CheckResult[Any], ...]:
    """Run each check module's `check(ctx)`; one that raises becomes an error result, not lost findings."""
    results: list[CheckResult[Any]] = []
    for module in modules:
        try:
            findings = tuple(module.check(ctx))
        except Exception as exc:  # errors as data: one broken check must not hide the others' findings
            results.append(CheckResult(module.ID, "error", error=f"{type(exc).__name__}: {exc}"))
            continue
        results.append(CheckResult(module.ID, "completed", findings))
    return tuple(results)


@dataclass(frozen=True)
class Skipped:
    reason: str
    frames: int
    first_frame: int


@dataclass(frozen=True)
class ReadStats:
    packets: int  # frames read from the file
    tcp_packets: int
    truncated: bool  # the file ends in the middle of a packet: everything before it was analysed
    message: str = ""  # tshark's own words about the problem
    skipped: tuple[Skipped, ...] = ()  # frames not analysed, by reason (tunnel, IP fragment, not IP)


@dataclass(frozen=True)
class CaptureReport:
    path: Path
    keylog: Path | None
    read: ReadStats
    streams: tuple[StreamInfo, ...]
    exposures: tuple[SecretExposure, ...]
    checks: tuple[CheckResult, ...]
    seconds: float  # wall time of the analysis

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for c in self.checks for f in c.findings)

    @property
    def redis_streams(self) -> tuple[StreamInfo, ...]:
        return tuple(s for s in self.streams if s.redis)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["findings"] = [dataclasses.asdict(f) for f in self.findings]
        return plain(data)
