"""Handshake capacity that is the server's: new connections per request against each target, per
certificate key (ECDSA P-256, RSA-2048, RSA-4096) and resumption kind (full, session ticket, TLS 1.2
session id with the client closing first, and with the client sending QUIT so that the server closes),
with the server's CPU per connection and the rate one core of it could take.

The lab's Python client opens connections far more slowly than a server accepts them: where the server
had CPU to spare, the measured rate describes the client, so the row is marked client-bound and the
capacity is computed from the server's CPU per connection, not from the rate.
"""

from __future__ import annotations

import contextlib
import random
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.bench.crypto_floor import CryptoFloor
from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.matrix import SATURATED, target_spec
from lab.bench.results import Connection, HandshakeCapacity, LoadRun, Spread, TargetKind, Transport
from lab.pki import KeyType, LabPKI
from lab.targets import RunningTarget, start_target

KEY_TYPES: dict[str, KeyType] = {"ecdsa-p256": "ec", "rsa-2048": "rsa", "rsa-4096": "rsa4096"}
BASE_KEY = "ecdsa-p256"
CLIENTS = 50
# An RSA-4096 signature costs the server ~5 ms: 50 clients' first connections alone outlast the window,
# and none completes inside it; 10 clients keep several rounds of handshakes in the window.
KEY_CLIENTS = {"rsa-4096": 10}
# Who closes a session-id connection decides whether it resumes on redis-server (see session_cache.py).
SESSION_ID_QUIT = "session-id-quit"
# (transport, resumption, the generator's connection mode)
KINDS: tuple[tuple[Transport, str, Connection], ...] = (
    ("plain", "none", "new-full"),
    ("tls1.3", "full", "new-full"),
    ("tls1.3", "ticket", "new-resumed"),
    ("tls1.2", "full", "new-full"),
    ("tls1.2", "ticket", "new-resumed"),
    ("tls1.2", "session-id", "new-resumed-id"),
    ("tls1.2", SESSION_ID_QUIT, "new-resumed-id"),
)
QUICK_KINDS = KINDS[:3]
# Only a full handshake signs with the certificate's key: resumed ones cost the same whatever the key.
FULL_KINDS = tuple(k for k in KINDS if k[1] == "full")


@dataclass(frozen=True)
class CapacityCell:
    target: TargetKind
    key_type: str
    transport: Transport
    resumption: str
    connection: Connection

    @property
    def quit_first(self) -> bool:
        return self.resumption == SESSION_ID_QUIT

    @property
    def clients(self) -> int:
        return KEY_CLIENTS.get(self.key_type, CLIENTS) if self.transport != "plain" else CLIENTS


def capacity_cells(
    targets: Sequence[TargetKind], quick: bool, key_axis: bool = False
) -> tuple[CapacityCell, ...]:
    """Quick: ECDSA P-256 only, plaintext and TLS 1.3 full/ticket. Default: every kind with ECDSA P-256,
    and the full handshakes (TLS 1.3 and 1.2) with RSA-2048 and RSA-4096. key_axis: every kind with
    every key. Plaintext once per target, with the ECDSA server: it has no certificate."""
    if quick:
        return tuple(CapacityCell(t, BASE_KEY, *kind) for t in targets for kind in QUICK_KINDS)
    return tuple(
        CapacityCell(t, k, tr, res, conn)
        for t in targets
        for k in KEY_TYPES
        for tr, res, conn in (KINDS if k == BASE_KEY or key_axis else FULL_KINDS)
        if tr != "plain" or k == BASE_KEY
    )


@contextlib.contextmanager
def key_targets(
    cells: Sequence[CapacityCell],
    workdir: Path,
    pkis: dict[str, LabPKI],
    notes: list[str],
    shared: Mapping[tuple[TargetKind, str], RunningTarget] | None = None,
) -> Iterator[dict[tuple[TargetKind, str], RunningTarget]]:
    """One server per (target, key type), each with its own PKI's certificate; stopped at the end.
    `shared`: servers already running with the right certificate (the matrix's), used as they are."""
    running: dict[tuple[TargetKind, str], RunningTarget] = dict(shared or {})
    with contextlib.ExitStack() as stack:
        for kind, key in sorted({(c.target, c.key_type) for c in cells} - set(running)):
            try:
                running[(kind, key)] = stack.enter_context(
                    start_target(target_spec(kind, "off"), workdir / f"{kind}-{key}", pkis[key])
                )
            except Exception as exc:  # data for the report: the other cells still run
                notes.append(f"handshake capacity: {kind} with a {key} certificate did not start: {exc}")
        yield running


def pkis_for(cells: Sequence[CapacityCell], directory: Path, base: LabPKI) -> dict[str, LabPKI]:
    """A PKI per certificate key of the cells; `base` (ECDSA P-256, the matrix's) for the base key."""
    keys = sorted({c.key_type for c in cells} - {BASE_KEY})
    return {BASE_KEY: base} | {k: LabPKI.create(directory / k, KEY_TYPES[k]) for k in keys}


def run_capacity(
    cells: Sequence[CapacityCell],
    targets: dict[tuple[TargetKind, str], RunningTarget],
    pkis: dict[str, LabPKI],
    floor: CryptoFloor | None,
    repeats: int,
    seconds: float,
    step: Callable[[str], None],
) -> tuple[HandshakeCapacity, ...]:
    """Interleaved repeats (a shuffled order per repeat), the cell's clients each opening a connection per
    request (50; 10 with RSA-4096)."""
    live = [c for c in cells if (c.target, c.key_type) in targets]
    runs: dict[CapacityCell, list[LoadRun]] = {c: [] for c in live}
    for r in range(repeats):
        order = list(live)
        random.Random(100 + r).shuffle(order)
        for cell in order:
            target = targets[(cell.target, cell.key_type)]
            tls = cell.transport != "plain"
            port = target.tls_port if tls else target.port
            assert port is not None
            spec = LoadSpec(
                target.host,
                port,
                cell.transport,
                1,
                16,
                cell.connection,
                connections=cell.clients,
                seconds=seconds,
                warmup_s=0.1,
                ca=pkis[cell.key_type].ca_cert if tls else None,
                quit_first=cell.quit_first,
            )
            run = run_load(spec, target.pid)
            runs[cell].append(run)
            step(
                f"handshakes {r + 1}/{repeats} {cell.target} {cell.key_type} {cell.transport} "
                f"{cell.resumption}: {run.connections / run.seconds if run.seconds else 0:,.0f} conn/s"
            )
    return tuple(summarize(c, runs[c], floor) for c in live)


def _median(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def summarize(cell: CapacityCell, runs: Sequence[LoadRun], floor: CryptoFloor | None) -> HandshakeCapacity:
    good = [r for r in runs if r.connections > 0 and r.seconds > 0]
    cpu = _median(
        [r.server_cpu_s / r.connections * 1e6 if r.server_cpu_s is not None else None for r in good]
    )
    total = sum(r.connections for r in good)
    resumed = sum(r.resumed for r in good) / total if total and cell.transport != "plain" else None
    server_busy = _median([r.server_busy for r in good])
    hs_floor = None
    if floor is not None and cell.transport != "plain":
        hs_floor = floor.handshake_us(cell.key_type, cell.transport, cell.resumption != "full")
    return HandshakeCapacity(
        target=cell.target,
        key_type=cell.key_type,
        transport=cell.transport,
        resumption=cell.resumption,
        runs=tuple(runs),
        connections_per_s=Spread.of([r.connections / r.seconds for r in good]),
        resumed_fraction=resumed,
        server_cpu_us=cpu,
        capacity_per_core=1e6 / cpu if cpu else None,
        floor_us=hs_floor,
        server_busy=server_busy,
        client_busy=_median([r.client_busy for r in good]),
        client_bound=server_busy is not None and server_busy < SATURATED,
        clients=cell.clients,
    )
