"""The results of `tlslab bench`, as frozen dataclasses; the JSON file is `dataclasses.asdict` of these.

Everything the figures and the written summary show is computed once, here or in matrix.py, and stored:
the report never re-measures.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lab.jsonable import plain

if TYPE_CHECKING:
    from lab.bench.crypto_floor import CryptoFloor
    from lab.bench.session_cache import SessionIdProbe

TargetKind = Literal["bundled", "redis-server"]
Transport = Literal["plain", "tls1.2", "tls1.3"]
# reuse: long-lived connections; new-full: a new connection (and full TLS handshake) per request;
# new-resumed: a new connection per request that resumes the previous TLS session (abbreviated handshake),
# by session ticket; new-resumed-id: the same by TLS 1.2 session id (the client offers no ticket extension).
Connection = Literal["reuse", "new-full", "new-resumed", "new-resumed-id"]
# "off" = no AOF at all (appendonly no); the other two are the appendfsync policy with appendonly yes.
Fsync = Literal["off", "everysec", "always"]

TRANSPORTS: tuple[Transport, ...] = ("plain", "tls1.2", "tls1.3")
TARGETS: tuple[TargetKind, ...] = ("bundled", "redis-server")
AGREEMENT_TOLERANCE = 0.15  # the lab generator must be within ±15% of redis-benchmark


@dataclass(frozen=True, order=True)
class Cell:
    """One point of the matrix: what was measured, against which target."""

    target: TargetKind
    transport: Transport
    pipeline: int
    value_size: int
    connection: Connection = "reuse"
    appendfsync: Fsync = "off"

    @property
    def key(self) -> str:
        return (
            f"{self.target}/{self.transport}/P{self.pipeline}/{self.value_size}B/"
            f"{self.connection}/fsync-{self.appendfsync}"
        )

    def with_transport(self, transport: Transport) -> Cell:
        return dataclasses.replace(self, transport=transport)


@dataclass(frozen=True)
class Latency:
    """Percentiles of one HDR histogram, in microseconds."""

    count: int
    p50_us: float
    p99_us: float
    p999_us: float
    max_us: float
    # (percentile, microseconds) along the distribution: what the latency CDF figure draws.
    curve: tuple[tuple[float, float], ...] = ()


def _busy(cpu_s: float | None, seconds: float) -> float | None:
    """CPU seconds over wall seconds: the fraction of one core used (None when either is unknown)."""
    return cpu_s / seconds if cpu_s is not None and seconds > 0 else None


@dataclass(frozen=True)
class LoadRun:
    """One run of the lab's load generator (all worker processes together)."""

    ops: int
    seconds: float
    ops_per_s: float
    errors: int
    first_error: str | None
    latency: Latency  # per request (SET or GET), from the write of its pipeline batch to its reply
    connections: int  # connections opened during the measured window (new-connection modes)
    connect: Latency | None  # TCP connect + TLS handshake, per new connection
    resumed: int  # TLS handshakes that resumed a session (ssl_object.session_reused)
    processes: int
    server_cpu_s: float | None  # utime+stime of the server process over the window
    replies: int = 0  # every reply received, in the window or not: what went over the wire
    client_cpu_s: float | None = None  # the workers' own CPU over the window, all processes together
    # the server's read- and write-type syscalls over the window (/proc/<pid>/io syscr, syscw)
    server_reads: int | None = None
    server_writes: int | None = None

    @property
    def client_busy(self) -> float | None:
        """Fraction of its CPU each worker used during the window (1.0: the generator was the limit)."""
        return _busy(self.client_cpu_s, self.seconds * self.processes)

    @property
    def server_busy(self) -> float | None:
        """Fraction of one core the server used during the window."""
        return _busy(self.server_cpu_s, self.seconds)

    @property
    def cpu_us_per_op(self) -> float | None:
        if self.server_cpu_s is None or self.ops == 0:
            return None
        return self.server_cpu_s / self.ops * 1e6

    @property
    def syscalls_per_op(self) -> tuple[float, float] | None:
        """The server's (reads, writes) per request over the window."""
        if self.server_reads is None or self.server_writes is None or self.ops == 0:
            return None
        return self.server_reads / self.ops, self.server_writes / self.ops


@dataclass(frozen=True)
class BenchmarkRow:
    """One line of `redis-benchmark --csv`."""

    test: str
    rps: float
    avg_ms: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class BenchmarkRun:
    """One redis-benchmark invocation (the cross-check) and its parsed CSV."""

    argv: tuple[str, ...]
    rows: tuple[BenchmarkRow, ...]
    seconds: float
    error: str | None
    server_cpu_s: float | None = None  # over the whole invocation (start-up included)
    client_cpu_s: float | None = None  # redis-benchmark's own CPU (a single thread), same span

    @property
    def client_busy(self) -> float | None:
        """Fraction of one core redis-benchmark used while it ran."""
        return _busy(self.client_cpu_s, self.seconds)

    @property
    def server_busy(self) -> float | None:
        """Fraction of one core the server used while redis-benchmark ran."""
        return _busy(self.server_cpu_s, self.seconds)

    @property
    def mixed_ops_per_s(self) -> float | None:
        """Throughput of a 1:1 SET/GET mix: N SETs then N GETs take N/set + N/get seconds."""
        rates = [r.rps for r in self.rows if r.rps > 0]
        if self.error is not None or not rates:
            return None
        return len(rates) / sum(1 / r for r in rates)

    @property
    def cpu_us_per_op(self) -> float | None:
        """The server's CPU per request over the whole invocation (its connection set-ups included)."""
        if self.server_cpu_s is None or self.error is not None or "-n" not in self.argv or not self.rows:
            return None
        requests = int(self.argv[self.argv.index("-n") + 1]) * len(self.rows)
        return self.server_cpu_s / requests * 1e6 if requests else None


@dataclass(frozen=True)
class Spread:
    """Median and range of repeated measurements; rel_range = (max - min) / median."""

    median: float
    low: float
    high: float
    n: int

    @property
    def rel_range(self) -> float:
        return (self.high - self.low) / self.median if self.median else 0.0

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread | None:
        vals = [v for v in values if v == v]  # drop NaN
        if not vals:
            return None
        return cls(statistics.median(vals), min(vals), max(vals), len(vals))


@dataclass(frozen=True)
class Agreement:
    """Lab generator vs redis-benchmark at the same settings."""

    lab_ops_per_s: float
    redis_benchmark_ops_per_s: float
    ratio: float  # lab / redis-benchmark: the median of the per-repeat ratios (the two ran back to back)
    within_tolerance: bool
    explanation: str | None  # why, when outside ±15%
    # redis-benchmark against itself: (high - low) / median of its runs in this cell, and whether the
    # generator's median lies between its lowest and highest run. A spread over 30% (±15%) means that the
    # ±15% verdict is finer than this machine can measure in the cell.
    reference_spread: float | None = None
    within_reference_range: bool | None = None
    paired: Spread | None = None  # the per-repeat ratios: median, lowest, highest


@dataclass(frozen=True)
class CellResult:
    """All repeats of one cell, with medians and spread."""

    cell: Cell
    runs: tuple[LoadRun, ...]
    ops_per_s: Spread | None
    p50_us: float | None
    p99_us: float | None
    p999_us: float | None
    latency_curve: tuple[tuple[float, float], ...]  # of the run with the median throughput
    cpu_us_per_op: float | None
    connect_p50_us: float | None  # handshake (connect) time, new-connection modes
    new_connections_per_s: float | None
    resumed_fraction: float | None
    redis_benchmark: tuple[BenchmarkRun, ...]
    redis_benchmark_ops_per_s: Spread | None
    agreement: Agreement | None


@dataclass(frozen=True)
class WireSample:
    """Bytes on the wire per op, from a capture of a small sample of one cell."""

    cell: Cell
    ops: int
    connections: int
    packets: int
    client_to_server_bytes: int  # TCP payload bytes (TLS records included)
    server_to_client_bytes: int
    c2s_per_op: float
    s2c_per_op: float
    resp_c2s_per_op: float  # the RESP bytes the generator wrote / read: the plaintext floor
    resp_s2c_per_op: float
    tls_records: int  # TLS records in both directions (0 for plaintext)
    record_overhead_bytes: int  # per record: 22 for TLS 1.3 AES-GCM, 29 for TLS 1.2 AES-GCM, 0 plain
    floor_per_op: float  # RESP bytes + records x overhead, per op (both directions)
    capture_method: str
    error: str | None


@dataclass(frozen=True)
class Overhead:
    """TLS cost against plaintext at otherwise equal settings (medians)."""

    tls_cell: Cell
    plain_ops_per_s: float
    tls_ops_per_s: float
    throughput_change_pct: float  # negative = TLS slower
    p50_change_pct: float | None
    cpu_change_pct: float | None


READ_CALLS = frozenset({"read", "readv", "recvfrom", "recvmsg", "recvmmsg"})
WRITE_CALLS = frozenset({"write", "writev", "sendto", "sendmsg", "sendmmsg"})


@dataclass(frozen=True)
class SyscallTrace:
    """The server's syscalls by name over a short traced run of one cell (syscall_trace.py)."""

    cell: Cell
    source: str  # how they were counted, e.g. "strace -c -f -p 1234"
    requests: int  # every reply of the traced run
    calls: tuple[tuple[str, int], ...]  # (syscall, calls), most first
    error: str | None
    # per request (None when not counted): read-type, write-type, every syscall
    reads_per_request: float | None
    writes_per_request: float | None
    all_per_request: float | None

    @classmethod
    def of(
        cls, cell: Cell, source: str, requests: int, calls: tuple[tuple[str, int], ...], error: str | None
    ) -> SyscallTrace:
        def per(names: frozenset[str] | None) -> float | None:
            if error is not None or not requests:
                return None
            return sum(n for name, n in calls if names is None or name in names) / requests

        return cls(cell, source, requests, calls, error, per(READ_CALLS), per(WRITE_CALLS), per(None))

    def top(self, n: int = 4) -> tuple[tuple[str, float], ...]:
        """The n most frequent syscalls, per request."""
        if self.error is not None or not self.requests:
            return ()
        return tuple((name, calls / self.requests) for name, calls in self.calls[:n])


@dataclass(frozen=True)
class Attribution:
    """Where a TLS cell's extra server CPU per request goes: the AEAD floor measured by `openssl speed` for
    the negotiated cipher at the cell's record sizes, and the rest (record framing, OpenSSL's state
    machine, buffers, the event loop); beside it the server's syscalls per request, both transports."""

    tls_cell: Cell
    cipher: str | None
    plain_cpu_us: float
    tls_cpu_us: float
    extra_cpu_us: float  # tls - plain, per request
    floor_us: float | None  # the AEAD work per request (open the request record, seal the reply's)
    rest_us: float | None  # extra - floor
    plain_syscalls: tuple[float, float] | None  # (reads, writes) per request, /proc/<pid>/io syscr/syscw
    tls_syscalls: tuple[float, float] | None
    # by name, from strace over a short extra run (None: not traced; its source and errors inside)
    plain_trace: SyscallTrace | None = None
    tls_trace: SyscallTrace | None = None


@dataclass(frozen=True)
class HandshakeCapacity:
    """New connections against one target with one certificate key and one resumption kind: the server's
    CPU per connection (handshake, one request, close) and the rate one core of it could take."""

    target: TargetKind
    key_type: str  # ecdsa-p256 | rsa-2048 | rsa-4096
    transport: Transport
    # none (plaintext) | full | ticket | session-id (the client closes) | session-id-quit (after QUIT the
    # server closes)
    resumption: str
    runs: tuple[LoadRun, ...]
    connections_per_s: Spread | None  # what the lab's client achieved
    resumed_fraction: float | None
    server_cpu_us: float | None  # median server CPU per new connection
    capacity_per_core: float | None  # 1e6 / server_cpu_us: connections per second one core could take
    floor_us: float | None  # the handshake's asymmetric crypto (openssl speed)
    server_busy: float | None  # fraction of one core the server used (median)
    client_busy: float | None  # fraction of its CPU each client worker used (median)
    client_bound: bool  # the server had CPU to spare: the rate measured the client, the capacity is computed
    clients: int = 50  # concurrent clients, each opening one connection after another

    @property
    def measured(self) -> bool:
        """At least one connection completed inside a window (else every figure of the row is None)."""
        return self.server_cpu_us is not None

class StormLimit(enum.Enum):
    """Whether a storm step reached its arrival rate, and if not, which side held it back."""

    REACHED = "reached"  # at least 90% of the asked rate
    CLIENT = "client"  # short, and the server had CPU to spare: the lab's arrival process was the limit
    SERVER = "server"  # short, with the server at its core's limit: the server's handshake capacity


REACHED_SHARE = 0.9


@dataclass(frozen=True)
class StormPoint:
    """Established clients' latency while new TLS connections arrive at `rate_asked` per second."""

    target: TargetKind
    rate_asked: float
    rate_achieved: float  # handshakes completed per second in the window
    handshake_errors: int
    established: LoadRun
    p50_us: float
    p99_us: float
    p999_us: float
    arrival_busy: float | None = None  # the arrival process's CPU over its window, fraction of a core
    limit: StormLimit = StormLimit.REACHED

    @property
    def client_bound(self) -> bool:
        return self.limit is StormLimit.CLIENT


@dataclass(frozen=True)
class Published:
    """A published figure to set beside ours, with its source."""

    claim: str
    source: str


@dataclass(frozen=True)
class HostInfo:
    cpus: int
    python: str
    openssl: str
    redis_server: str | None
    redis_benchmark: str | None
    event_loop: str
    pinning: str = "none"  # CpuPlan.describe(), or why nothing was pinned
    bundled_parser: str = "unknown"  # which request parser the bundled server runs (suite.parser_name())


@dataclass(frozen=True)
class BenchReport:
    run_id: str
    started_utc: str
    seconds: float
    quick: bool
    targets: tuple[TargetKind, ...]
    host: HostInfo
    plan: tuple[str, ...]  # what subset of the axes was run, in words
    repeats: int
    run_seconds: float
    cells: tuple[CellResult, ...]
    overheads: tuple[Overhead, ...]
    wire: tuple[WireSample, ...]
    notes: tuple[str, ...]
    published: tuple[Published, ...]
    figures: tuple[str, ...]
    floor: CryptoFloor | None = None
    ciphers: tuple[tuple[str, str], ...] = ()  # (target/transport, negotiated cipher)
    attribution: tuple[Attribution, ...] = ()
    capacity: tuple[HandshakeCapacity, ...] = ()
    storm: tuple[StormPoint, ...] = ()
    session_ids: tuple[SessionIdProbe, ...] = ()  # per target: does a TLS 1.2 session id resume, who closes

    def to_dict(self) -> dict[str, object]:
        return plain(dataclasses.asdict(self))


def write_json(obj: object, path: Path) -> Path:
    """Write a results dataclass as indented JSON (creating the folder)."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"expected a results dataclass instance, got {type(obj).__name__}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain(dataclasses.asdict(obj)), indent=2, sort_keys=False) + "\n")
    return path


@dataclass(frozen=True)
class RatioRow:
    """`tlslab bench server`: one redis-benchmark setting and test, bundled vs redis-server.

    The ratio is the median of paired ratios: in each repeat the two servers run back to back, and
    bundled / redis-server is taken within the pair. This host's speed drifts over seconds (steal time),
    and a pair shares its moment where two medians each pick their own."""

    setting: str  # e.g. "-P 1 --tls"
    test: str  # SET | GET
    bundled_rps: Spread | None
    redis_rps: Spread | None
    ratio: float | None  # median of the paired bundled / redis-server ratios
    goal: float
    met: bool | None  # None: not measured (a server did not run)
    paired: Spread | None = None  # the paired ratios themselves: median, lowest, highest


@dataclass(frozen=True)
class MemoryRow:
    """RSS after loading `keys` keys with `value_size`-byte values into an empty server."""

    keys: int
    value_size: int
    bundled_rss_bytes: int | None
    redis_rss_bytes: int | None
    bundled_baseline_bytes: int | None
    redis_baseline_bytes: int | None
    ratio: float | None
    goal: float
    met: bool | None
    error: str | None


@dataclass(frozen=True)
class TypeMemoryRow:
    """RSS after one key of `type` grows to `elements` elements, on a fresh server."""

    type: str
    elements: int
    bundled_rss_bytes: int | None
    redis_rss_bytes: int | None
    bundled_baseline_bytes: int | None
    redis_baseline_bytes: int | None
    ratio: float | None
    error: str | None


@dataclass(frozen=True)
class ServerCpuRow:
    """`tlslab bench server`: the server's CPU per request in one setting (from /proc over each
    redis-benchmark run, SET and GET together), in microseconds. Under -k 0 every request is a new TLS
    connection, so this is the cost of an accept + handshake + reply: a figure the host's load moves far
    less than a rate, since a loaded host slows both the client and the server."""

    setting: str
    bundled_us: Spread | None  # over the repeats
    redis_us: Spread | None
    paired: Spread | None  # bundled / redis-server within each repeat


@dataclass(frozen=True)
class ServerBenchReport:
    run_id: str
    started_utc: str
    seconds: float
    quick: bool
    host: HostInfo
    repeats: int
    rows: tuple[RatioRow, ...]
    memory: MemoryRow
    runs: tuple[BenchmarkRun, ...]
    notes: tuple[str, ...]
    type_memory: tuple[TypeMemoryRow, ...] = ()
    server_cpu: tuple[ServerCpuRow, ...] = ()
