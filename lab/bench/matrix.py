"""The axes, the chosen subset of their product, and the interleaved repeats with medians and spread.

The full product (3 transports x 3 pipelines x 3 sizes x 3 connection modes x 3 fsync policies x 2 targets)
is 486 cells: far beyond a 5-minute budget. The plan instead sweeps one axis at a time around a base cell
(16 B values, pipeline 1, reused connections, no AOF), always with plaintext beside TLS so every TLS figure
has its own baseline measured in the same repeat.
"""

from __future__ import annotations

import contextlib
import random
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.redis_benchmark import BenchmarkSpec, requests_for, run_benchmark
from lab.bench.results import (
    AGREEMENT_TOLERANCE,
    TRANSPORTS,
    Agreement,
    BenchmarkRun,
    Cell,
    CellResult,
    Connection,
    Fsync,
    LoadRun,
    Overhead,
    Spread,
    TargetKind,
    Transport,
)
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target

SATURATED = 0.85  # fraction of a core above which the single-threaded server is the bottleneck
CLEAR_GAP = 0.15  # server busy fractions this far apart point at one side's client
PIPELINES = (1, 16, 64)
VALUE_SIZES = (16, 1024, 16384)
FSYNCS: tuple[Fsync, ...] = ("off", "everysec", "always")
PLAIN_TLS13: tuple[Transport, ...] = ("plain", "tls1.3")  # what redis-benchmark can cross-check
TLS_ONLY: tuple[Transport, ...] = ("tls1.2", "tls1.3")
NEW_MODES: tuple[Connection, ...] = ("new-full", "new-resumed")
REUSE_BENCH_SECONDS = 1.6  # redis-benchmark's run in a reused-connection cell: see bench_seconds()


@dataclass(frozen=True)
class Plan:
    cells: tuple[Cell, ...]
    crosscheck: tuple[Cell, ...]  # also measured with redis-benchmark, interleaved with the generator
    wire: tuple[Cell, ...]  # sampled under capture for bytes per op
    repeats: int
    seconds: float
    warmup_s: float
    connections: int
    description: tuple[str, ...]
    reuse_bench_s: float = REUSE_BENCH_SECONDS  # redis-benchmark's run in a reused-connection cell


def _target_cells(
    target: TargetKind, quick: bool, full: bool
) -> tuple[list[Cell], list[Cell], list[Cell]]:
    base = Cell(target, "plain", 1, 16)
    if quick:
        cells = [Cell(target, t, 1, 16) for t in PLAIN_TLS13]
        cells += [Cell(target, "plain", 1, 16, "new-full")]
        cells += [Cell(target, "tls1.3", 1, 16, c) for c in NEW_MODES]
        cross = [base, base.with_transport("tls1.3")]
        wire = [base, base.with_transport("tls1.3"), Cell(target, "tls1.3", 1, 16, "new-full")]
        return cells, cross, wire
    # Without `full`, pipeline 64 and appendfsync everysec (the two sweeps' least telling points: 64 goes on
    # where 16 points, everysec fsyncs off the event loop) stay out, to keep the run within 5 minutes.
    pipelines, fsyncs = (PIPELINES, FSYNCS[1:]) if full else (PIPELINES[:2], FSYNCS[2:])
    cells = [Cell(target, t, p, 16) for t in TRANSPORTS for p in pipelines]
    cells += [Cell(target, t, 1, d) for t in TRANSPORTS for d in VALUE_SIZES[1:]]
    cells += [Cell(target, "plain", 1, 16, "new-full")]
    cells += [Cell(target, t, 1, 16, c) for t in TLS_ONLY for c in NEW_MODES]
    cells += [Cell(target, t, 1, 16, "reuse", f) for t in PLAIN_TLS13 for f in fsyncs]
    # redis-benchmark at pipeline 1 only, to keep the default run within 5 minutes; `tlslab bench server`
    # runs it at -P 16 too
    cross = [Cell(target, t, 1, 16) for t in PLAIN_TLS13]
    cross += [Cell(target, t, 1, 16, "new-full") for t in PLAIN_TLS13]
    wire = [Cell(target, t, 1, d) for t in TRANSPORTS for d in VALUE_SIZES]
    wire += [Cell(target, t, 16, 16) for t in TRANSPORTS]
    wire += [Cell(target, "plain", 1, 16, "new-full")]
    wire += [Cell(target, t, 1, 16, c) for t in TLS_ONLY for c in NEW_MODES]
    return cells, cross, wire


def plan_for(targets: Sequence[TargetKind], quick: bool, full: bool = False) -> Plan:
    """quick: the --quick subset; full (default run only): also pipeline 64 and appendfsync everysec."""
    cells: list[Cell] = []
    cross: list[Cell] = []
    wire: list[Cell] = []
    for t in targets:
        c, x, w = _target_cells(t, quick, full)
        cells += c
        cross += x
        wire += w
    words: tuple[str, ...]
    if quick:
        words = (
            "quick subset: plaintext vs TLS 1.3 at pipeline 1 (16 B values, reused connections); "
            "a new connection per request: plaintext, TLS 1.3 full and resumed (no pipelining, no AOF cells)",
            "redis-benchmark cross-check at pipeline 1, plaintext and TLS 1.3 (0.8 s a run: its TLS "
            "connection set-up is ~7% of it); wire sample of 3 cells",
            "2 interleaved repeats of 0.4 s per cell",
        )
        return Plan(tuple(cells), tuple(cross), tuple(wire), 2, 0.4, 0.1, 50, words, reuse_bench_s=0.8)
    words = (
        "one axis at a time around the base cell (16 B, pipeline 1, reused connections, no AOF), "
        "each for plaintext / TLS 1.2 / TLS 1.3:",
        f"pipeline {', '.join(str(p) for p in (PIPELINES if full else PIPELINES[:2]))} at 16 B; "
        "value size 16 B, 1 KiB, 16 KiB at pipeline 1;",
        "a new connection per request: plaintext, TLS 1.2 and 1.3 full and resumed handshakes;",
        f"appendfsync {'everysec and always' if full else 'always'} (AOF on) for plaintext and TLS 1.3 "
        "('off' = no AOF, the base)" + ("" if full else "; pipeline 64 and everysec: --full-matrix") + ";",
        "redis-benchmark (-c 50, the same settings) beside plaintext and TLS 1.3 at pipeline 1, "
        "and with -k 0 for new connections (it cannot pin TLS 1.2 nor resume sessions);",
        "3 interleaved repeats of 0.5 s per cell in a shuffled order per repeat; medians and ranges reported",
    )
    return Plan(tuple(cells), tuple(cross), tuple(wire), 3, 0.5, 0.1, 50, words)


def target_spec(kind: TargetKind, fsync: Fsync) -> TargetSpec:
    """Both listeners on one server, so plaintext and TLS cells share the instance they are compared on."""
    return TargetSpec(
        kind=kind,
        plaintext=True,
        tls=True,
        tls_auth_clients="no",
        appendonly=fsync != "off",
        appendfsync="everysec" if fsync == "off" else fsync,
    )


@contextlib.contextmanager
def started_targets(
    cells: Sequence[Cell], workdir: Path, pki: LabPKI, notes: list[str]
) -> Iterator[dict[tuple[TargetKind, Fsync], RunningTarget]]:
    """Every (target, fsync) server the cells need, started once and stopped at the end, whatever happens.

    A target that cannot start is left out and said so in `notes` (the other target still runs).
    """
    running: dict[tuple[TargetKind, Fsync], RunningTarget] = {}
    failed: set[TargetKind] = set()
    with contextlib.ExitStack() as stack:
        for key in sorted({(c.target, c.appendfsync) for c in cells}):
            if key[0] in failed:
                continue
            try:
                running[key] = stack.enter_context(
                    start_target(target_spec(*key), workdir / f"{key[0]}-fsync-{key[1]}", pki)
                )
            except Exception as exc:  # TargetStartError, UserError: data for the report
                failed.add(key[0])
                notes.append(f"target {key[0]} (fsync {key[1]}) did not start, its cells were skipped: {exc}")
        yield running


def _port(cell: Cell, target: RunningTarget) -> int:
    """The target's port for this cell's transport."""
    port = target.port if cell.transport == "plain" else target.tls_port
    assert port is not None
    return port


def _load_spec(cell: Cell, target: RunningTarget, plan: Plan, ca: Path) -> LoadSpec:
    tls = cell.transport != "plain"
    return LoadSpec(
        target.host,
        _port(cell, target),
        cell.transport,
        cell.pipeline,
        cell.value_size,
        cell.connection,
        connections=plan.connections,
        seconds=plan.seconds,
        warmup_s=plan.warmup_s,
        ca=ca if tls else None,
    )


def bench_seconds(cell: Cell, plan: Plan) -> float:
    """How long redis-benchmark should run in a cell (SET and GET together).

    redis-benchmark times its connection set-up: each of its tests opens its 50 connections inside the
    measured time, where the generator connects before its window. Over TLS that is 50 handshakes at
    560-770 µs of the bundled server's CPU each (measured in the new-connection cells), 7-10% of a 0.4 s
    test; at least REUSE_BENCH_SECONDS (0.8 s a test) keeps it to 2-4%. With a new connection per request
    the set-up is the workload itself, and the cell's own duration is kept."""
    own = plan.seconds + plan.warmup_s
    return own if cell.connection != "reuse" else max(own, plan.reuse_bench_s)


def _bench_spec(cell: Cell, target: RunningTarget, plan: Plan, ca: Path, lab_ops: float) -> BenchmarkSpec:
    tls = cell.transport != "plain"
    # Sized from the generator's rate just measured (or in the previous repeat).
    n = requests_for(max(lab_ops, 100.0), bench_seconds(cell, plan))
    return BenchmarkSpec(
        target.host,
        _port(cell, target),
        cell.transport,
        cell.pipeline,
        cell.value_size,
        n,
        cell.connection,
        clients=plan.connections,
        ca=ca if tls else None,
    )


def run_plan(
    plan: Plan,
    targets: dict[tuple[TargetKind, Fsync], RunningTarget],
    ca: Path,
    progress: Callable[[str], None],
) -> tuple[CellResult, ...]:
    """All repeats, interleaved: each repeat visits every cell once in its own shuffled order."""
    cells = [c for c in plan.cells if (c.target, c.appendfsync) in targets]
    runs: dict[Cell, list[LoadRun]] = {c: [] for c in cells}
    bench: dict[Cell, list[BenchmarkRun]] = {c: [] for c in cells}
    cross = set(plan.crosscheck)
    for r in range(plan.repeats):
        order = list(cells)
        random.Random(r).shuffle(order)  # fixed seeds: the same plan visits cells in the same orders
        for i, cell in enumerate(order, 1):
            target = targets[(cell.target, cell.appendfsync)]
            # In a cross-checked cell the two clients run back to back, and which goes first alternates
            # per repeat: a server warmed (or a host slowed) by the first run favours neither for good.
            b = None
            if cell in cross and r % 2 == 1:
                b = run_benchmark(_bench_spec(cell, target, plan, ca, runs[cell][-1].ops_per_s), target.pid)
            run = run_load(_load_spec(cell, target, plan, ca), target.pid)
            if cell in cross and b is None:
                b = run_benchmark(_bench_spec(cell, target, plan, ca, run.ops_per_s), target.pid)
            runs[cell].append(run)
            line = (
                f"repeat {r + 1}/{plan.repeats} cell {i}/{len(order)} {cell.key}: {run.ops_per_s:,.0f} ops/s"
            )
            if b is not None:
                bench[cell].append(b)
                line += f"; redis-benchmark {b.mixed_ops_per_s or 0:,.0f}"
            progress(line)
    return tuple(summarize(c, runs[c], bench[c]) for c in cells)


def _median(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def summarize(cell: Cell, runs: Sequence[LoadRun], bench: Sequence[BenchmarkRun]) -> CellResult:
    good = [r for r in runs if r.ops > 0]
    ops = Spread.of([r.ops_per_s for r in good])
    new_conn = cell.connection != "reuse"
    resumed = None
    if new_conn and cell.transport != "plain":
        total = sum(r.connections for r in good)
        resumed = sum(r.resumed for r in good) / total if total else None
    middle = sorted(good, key=lambda r: r.ops_per_s)[len(good) // 2] if good else None
    rb = Spread.of([b.mixed_ops_per_s for b in bench if b.mixed_ops_per_s is not None])
    return CellResult(
        cell=cell,
        runs=tuple(runs),
        ops_per_s=ops,
        p50_us=_median([r.latency.p50_us for r in good]),
        p99_us=_median([r.latency.p99_us for r in good]),
        p999_us=_median([r.latency.p999_us for r in good]),
        latency_curve=middle.latency.curve if middle else (),
        cpu_us_per_op=_median([r.cpu_us_per_op for r in good]),
        connect_p50_us=_median([r.connect.p50_us if r.connect else None for r in good]) if new_conn else None,
        new_connections_per_s=_median([r.connections / r.seconds for r in good]) if new_conn else None,
        resumed_fraction=resumed,
        redis_benchmark=tuple(bench),
        redis_benchmark_ops_per_s=rb,
        agreement=agreement(ops.median if ops else None, rb.median if rb else None, runs, bench),
    )


def agreement(
    lab: float | None, rb: float | None, runs: Sequence[LoadRun], bench: Sequence[BenchmarkRun]
) -> Agreement | None:
    """The ratio is the median of paired ratios (runs and bench are in repeat order, and the two ran back
    to back in each repeat), lab / rb without pairs; outside ±15%, say why, from what each client and the
    server used of their CPUs."""
    if lab is None or rb is None or rb <= 0:
        return None
    paired = Spread.of(
        [
            run.ops_per_s / b.mixed_ops_per_s
            for run, b in zip(runs, bench, strict=False)
            if run.ops > 0 and b.mixed_ops_per_s
        ]
    )
    ratio = paired.median if paired else lab / rb
    within = abs(ratio - 1) <= AGREEMENT_TOLERANCE
    rates = [b.mixed_ops_per_s for b in bench if b.mixed_ops_per_s is not None]
    spread = (max(rates) - min(rates)) / rb if len(rates) > 1 else None
    in_range = min(rates) <= lab <= max(rates) if len(rates) > 1 else None
    why = None
    if not within:
        good = [r for r in runs if r.ops > 0]
        lab_busy = _median([r.server_busy for r in good])
        rb_busy = _median([b.server_busy for b in bench])
        slower = "the lab generator" if ratio < 1 else "redis-benchmark"
        if lab_busy is not None and rb_busy is not None:
            why = (
                f"{slower} was slower; the server used {lab_busy:.0%} of a core under the lab generator "
                f"and {rb_busy:.0%} under redis-benchmark: "
            )
            slower_busy = lab_busy if ratio < 1 else rb_busy
            clients = [r.client_busy for r in good] if ratio < 1 else [b.client_busy for b in bench]
            slower_client = _median(clients)
            if min(lab_busy, rb_busy) >= SATURATED:
                why += "the server was saturated under both" + _work_per_request(good, bench)
            elif slower_client is not None and slower_client >= SATURATED:
                why += (
                    f"{slower}'s own client was the limit: it used {slower_client:.0%} of its CPU while the "
                    f"server had {1 - slower_busy:.0%} of a core to spare"
                )
            elif max(lab_busy, rb_busy) - slower_busy >= CLEAR_GAP:
                why += (
                    f"the server idled more under {slower}, so {slower}'s own client was the limit "
                    "(both clients ran on the same CPUs)"
                )
            else:
                why += (
                    "the server was starved under both alike: other work on the host took the CPU, "
                    "so the difference is the noise of a contended machine, not either client"
                )
        else:
            why = f"{slower} was slower; no server CPU figure to tell which side was the bottleneck"
        if in_range and spread is not None:
            why = (
                f"inside redis-benchmark's own range: its runs in this cell spread {spread:.0%}, more than "
                f"the ±15% asked for, so this machine cannot tell the two apart here. {why}"
            )
    return Agreement(lab, rb, ratio, within, why, spread, in_range, paired)


def _work_per_request(runs: Sequence[LoadRun], bench: Sequence[BenchmarkRun]) -> str:
    """With the server saturated under both clients, its CPU per request tells whether it was asked for
    more work under one of them (CLEAR_GAP apart) or the two differ by noise."""
    lab_cpu = _median([r.cpu_us_per_op for r in runs])
    rb_cpu = _median([b.cpu_us_per_op for b in bench])
    if lab_cpu is None or rb_cpu is None:
        return ", so the difference is the request mix or noise"
    said = (
        f", and spent {lab_cpu:.2f} µs of CPU per request under the lab generator and {rb_cpu:.2f} µs under "
        "redis-benchmark"
    )
    if abs(rb_cpu / lab_cpu - 1) < CLEAR_GAP:
        return said + ": the same work per request, so the difference is noise"
    more = "redis-benchmark" if rb_cpu > lab_cpu else "the lab generator"
    return (
        said + f": the server did more work per request under {more} (redis-benchmark's figure includes "
        "its connection set-ups and runs SET and GET as separate phases; the generator interleaves them)"
    )


def overheads(results: Sequence[CellResult]) -> tuple[Overhead, ...]:
    """Every TLS cell against the plaintext cell with the same other settings (new-resumed vs plain new)."""
    by_cell = {r.cell: r for r in results}
    out = []
    for r in results:
        if r.cell.transport == "plain" or r.ops_per_s is None:
            continue
        plain_conn: Connection = "new-full" if r.cell.connection != "reuse" else "reuse"
        base_cell = Cell(
            r.cell.target, "plain", r.cell.pipeline, r.cell.value_size, plain_conn, r.cell.appendfsync
        )
        base = by_cell.get(base_cell)
        if base is None or base.ops_per_s is None or base.ops_per_s.median <= 0:
            continue
        out.append(
            Overhead(
                tls_cell=r.cell,
                plain_ops_per_s=base.ops_per_s.median,
                tls_ops_per_s=r.ops_per_s.median,
                throughput_change_pct=(r.ops_per_s.median / base.ops_per_s.median - 1) * 100,
                p50_change_pct=_pct(r.p50_us, base.p50_us),
                cpu_change_pct=_pct(r.cpu_us_per_op, base.cpu_us_per_op),
            )
        )
    return tuple(out)


def _pct(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return (value / base - 1) * 100
