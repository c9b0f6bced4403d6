"""Handshake capacity that is the server's: new connections per request against each target, per
certificate key (ECDSA P-256, RSA-2048) and resumption kind (full, session ticket, TLS 1.2 session id),
with the server's CPU per connection and the rate one core of it could take.

The lab's Python client opens connections far more slowly than a server accepts them: where the server
had CPU to spare, the measured rate describes the client, so the row is marked client-bound and the
capacity is computed from the server's CPU per connection, not from the rate.
"""

from __future__ import annotations

import contextlib
import random
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.bench.crypto_floor import CryptoFloor
from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.matrix import SATURATED, target_spec
from lab.bench.results import Connection, HandshakeCapacity, LoadRun, Spread, TargetKind, Transport
from lab.pki import KeyType, LabPKI
from lab.targets import RunningTarget, start_target

KEY_TYPES: dict[str, KeyType] = {"ecdsa-p256": "ec", "rsa-2048": "rsa"}
# (transport, resumption, the generator's connection mode)
KINDS: tuple[tuple[Transport, str, Connection], ...] = (
    ("plain", "none", "new-full"),
    ("tls1.3", "full", "new-full"),
    ("tls1.3", "ticket", "new-resumed"),
    ("tls1.2", "full", "new-full"),
    ("tls1.2", "ticket", "new-resumed"),
    ("tls1.2", "session-id", "new-resumed-id"),
)
QUICK_KINDS = KINDS[:3]


@dataclass(frozen=True)
class CapacityCell:
    target: TargetKind
    key_type: str
    transport: Transport
    resumption: str
    connection: Connection


def capacity_cells(
    targets: Sequence[TargetKind], quick: bool, key_axis: bool = False
) -> tuple[CapacityCell, ...]:
    """Quick: plaintext and TLS 1.3 full/ticket; default: every kind. ECDSA P-256 only unless key_axis
    (RSA-2048 too). Plaintext once per target, with the ECDSA server: it has no certificate."""
    keys = tuple(KEY_TYPES) if key_axis else ("ecdsa-p256",)
    kinds = QUICK_KINDS if quick else KINDS
    return tuple(
        CapacityCell(t, k, tr, res, conn)
        for t in targets
        for k in keys
        for tr, res, conn in kinds
        if tr != "plain" or k == "ecdsa-p256"
    )


@contextlib.contextmanager
def key_targets(
    cells: Sequence[CapacityCell], workdir: Path, pkis: dict[str, LabPKI], notes: list[str]
) -> Iterator[dict[tuple[TargetKind, str], RunningTarget]]:
    """One server per (target, key type), each with its own PKI's certificate; stopped at the end."""
    running: dict[tuple[TargetKind, str], RunningTarget] = {}
    with contextlib.ExitStack() as stack:
        for kind, key in sorted({(c.target, c.key_type) for c in cells}):
            try:
                running[(kind, key)] = stack.enter_context(
                    start_target(target_spec(kind, "off"), workdir / f"{kind}-{key}", pkis[key])
                )
            except Exception as exc:  # data for the report: the other cells still run
                notes.append(f"handshake capacity: {kind} with a {key} certificate did not start: {exc}")
        yield running


def pkis_for(cells: Sequence[CapacityCell], directory: Path) -> dict[str, LabPKI]:
    return {k: LabPKI.create(directory / k, KEY_TYPES[k]) for k in sorted({c.key_type for c in cells})}


def run_capacity(
    cells: Sequence[CapacityCell],
    targets: dict[tuple[TargetKind, str], RunningTarget],
    pkis: dict[str, LabPKI],
    floor: CryptoFloor | None,
    repeats: int,
    seconds: float,
    step: Callable[[str], None],
) -> tuple[HandshakeCapacity, ...]:
    """Interleaved repeats (a shuffled order per repeat), 50 clients each opening a connection per request."""
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
                connections=50,
                seconds=seconds,
                warmup_s=0.1,
                ca=pkis[cell.key_type].ca_cert if tls else None,
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
    )
