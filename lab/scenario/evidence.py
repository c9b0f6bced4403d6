"""What one case of a scenario left behind, as frozen data: the input of `verify` and of the report.

Collected by the lifecycle from the target (start error, log), the clients (outcomes), the workload
(observations, secrets), the capture analysis and the data directory. Expectations read only this.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from lab.analysis.model import Excerpt

Json: TypeAlias = bool | int | float | str | Sequence["Json"] | Mapping[str, "Json"] | None

LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class ClientObservation:
    """How one client's session went (failure is data, never an exception)."""

    name: str
    library: str
    posture: str
    port: int | None
    connected: bool
    error_class: str | None = None
    error_text: str | None = None
    tls_version: str | None = None
    cipher: str | None = None
    elapsed_s: float = 0.0
    replies: tuple[Json, ...] = ()

    @property
    def error(self) -> str | None:
        if self.error_class is None and self.error_text is None:
            return None
        return f"{self.error_class or 'Error'}: {self.error_text or ''}".strip()


@dataclass(frozen=True)
class Secret:
    """A value a passive observer must not see; `label` is how expectations and reports name it."""

    label: str
    value: str


@dataclass(frozen=True)
class Exposure:
    """Where a secret was seen in clear: capture frames (and the server ports of their streams) or files."""

    label: str
    frames: tuple[int, ...] = ()  # readable by anyone on the path
    ports: tuple[int, ...] = ()
    files: tuple[str, ...] = ()
    decrypted_frames: tuple[int, ...] = ()  # readable only with the TLS key log
    excerpts: tuple[Excerpt, ...] = ()  # bytes around the first occurrences; here `secret` is the lab's value


class FileKind(enum.Enum):
    """What a file on the server's disk is to Redis."""

    AOF = "aof"  # an append-only file part (Redis 7: appendonlydir/, its base may be an RDB preamble)
    RDB = "rdb"  # the snapshot (dbfilename, written by SAVE / BGSAVE / `save` rules)
    CONFIG = "config"  # the redis.conf the server ran with
    TLS_KEY = "tls-key"  # the private key its tls-key-file names
    OTHER = "other"


@dataclass(frozen=True)
class DiskFile:
    """One file the server left on disk, as someone with access to the disk (a backup, a volume snapshot,
    another local user) finds it."""

    name: str  # relative to the data directory; the config and key by their file name
    kind: FileKind
    size: int
    mode: str  # octal permission bits, e.g. "0644"
    owner: str
    readable_by: tuple[str, ...]  # of "owner", "group", "others", from the mode
    secrets: tuple[str, ...] = ()  # labels of the secrets found in it byte for byte
    encrypted: bool | None = None  # a private key: does it need a passphrase (None: not a key)


@dataclass(frozen=True)
class StreamSummary:
    """One TCP stream as a passive observer (no key log) sees it."""

    server_port: int
    transport: str  # "plaintext" | "tls"
    tls_version: str | None = None
    cipher: str | None = None
    sni: str | None = None
    server_cert_visible: bool = False
    client_cert_visible: bool = False
    alerts: tuple[str, ...] = ()
    record_sizes: tuple[int, ...] = ()
    # serial and SHA-256 of the server's leaf as the capture holds it (TLS 1.3: read with the key log)
    server_cert_serial: str | None = None
    server_cert_sha256: str | None = None


@dataclass(frozen=True)
class CaptureEvidence:
    pcap: str
    keylog: str | None
    method: str
    packets: int
    streams: tuple[StreamSummary, ...] = ()
    exposures: tuple[Exposure, ...] = ()  # secrets in clear without the key log
    decrypted_commands: int = 0  # RESP commands readable with the key log (proves the capture holds the run)
    findings: tuple[Mapping[str, Json], ...] = ()


@dataclass(frozen=True)
class CaseEvidence:
    case: str
    target_kind: str
    ports: Mapping[str, int] = field(default_factory=dict)  # "plaintext"/"tls" → port
    started: bool = False
    start_error: str | None = None
    error: str | None = None  # the case crashed or timed out (not an unmet expectation: a broken run)
    log_text: str = ""
    clients: tuple[ClientObservation, ...] = ()
    observations: Mapping[str, Json] = field(default_factory=dict)
    secrets: tuple[Secret, ...] = ()
    capture: CaptureEvidence | None = None
    at_rest: tuple[Exposure, ...] = ()  # secrets found in the server's files after stop (by secret)
    disk: tuple[DiskFile, ...] = ()  # the same files one by one: kind, mode, secrets, key encryption
    duration_s: float = 0.0

    @property
    def log_tail(self) -> tuple[str, ...]:
        return tuple(self.log_text.splitlines()[-LOG_TAIL_LINES:])

    def client(self, name: str) -> ClientObservation | None:
        return next((c for c in self.clients if c.name == name), None)
