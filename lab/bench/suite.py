"""One `tlslab bench` run: PKI, targets, the interleaved matrix, wire samples, then JSON, figures, summary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import platform
import shutil
import ssl
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from lab import procs
from lab.bench import crypto_floor, handshakes, session_cache, storm, syscall_trace
from lab.bench.attribution import attribute
from lab.bench.loadgen import LoadSpec, event_loop_name, run_load
from lab.bench.matrix import overheads, plan_for, run_plan, started_targets
from lab.bench.pinning import CpuPlan, pinned, plan_cpus
from lab.bench.progress import Steps, steps_of
from lab.bench.results import (
    TRANSPORTS,
    BenchReport,
    Cell,
    HostInfo,
    LoadRun,
    SyscallTrace,
    TargetKind,
    WireSample,
    write_json,
)
from lab.bench.summary import PUBLISHED, write_summary
from lab.bench.wire import sample_wire
from lab.pki import LabPKI
from lab.targets import RunningTarget
from server import resp


def _tool_version(binary: str) -> str | None:
    path = shutil.which(binary)
    if path is None:
        return None
    try:
        out = procs.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def host_info(cpu_plan: CpuPlan | None) -> HostInfo:
    return HostInfo(
        cpus=os.cpu_count() or 1,
        python=platform.python_version(),
        openssl=ssl.OPENSSL_VERSION,
        redis_server=_tool_version("redis-server"),
        redis_benchmark=_tool_version("redis-benchmark"),
        event_loop=event_loop_name(),
        pinning=cpu_plan.describe() if cpu_plan else "none (one CPU: clients and servers share it)",
        bundled_parser=parser_name(),
    )


def parser_name() -> str:
    """The bundled server's request parser, as this installation will run it: the C fast path is an
    optional build, and without it the ratios against redis-server are lower, so the results say which."""
    if resp.FAST_PARSE is resp.parse_simple:
        return (
            "pure Python (server/_resp_fast.c was not built: install gcc and the Python headers, then run "
            "make setup again)"
        )
    return "C fast path (server/_resp_fast.c)"


def contention_note() -> str | None:
    """Say so when the host was busier than its CPUs at the end of a run (other work competed)."""
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    if load <= cpus:
        return None
    return (
        f"load average {load:.1f} on {cpus} CPUs at the end of the run: other work competed with the servers "
        "and clients, so absolute rates are depressed and noisy; compare within the run"
    )


def trace_cells(targets: Sequence[TargetKind]) -> tuple[Cell, ...]:
    """The cells whose syscalls strace counts by name (default run only): the base cell (pipeline 1,
    16 B) per transport."""
    return tuple(Cell(t, tr, 1, 16) for t in targets for tr in TRANSPORTS)


def _traced_load(host: str, port: int, cell: Cell, ca: Path, seconds: float) -> LoadRun:
    spec = LoadSpec(
        host,
        port,
        cell.transport,
        cell.pipeline,
        cell.value_size,
        seconds=seconds,
        warmup_s=0.05,
        ca=ca if cell.transport != "plain" else None,
    )
    return run_load(spec)


def trace_syscalls(
    cells: Sequence[Cell], running: dict[TargetKind, RunningTarget], ca: Path, step: Callable[[str], None]
) -> tuple[SyscallTrace, ...]:
    out = []
    for cell in cells:
        target = running.get(cell.target)
        port = None if target is None else (target.port if cell.transport == "plain" else target.tls_port)
        if target is None or port is None:
            continue
        load = functools.partial(_traced_load, target.host, port, cell, ca)
        got = syscall_trace.trace(cell, target.pid, load)
        out.append(got)
        step(
            f"strace {cell.key}: "
            + (got.error or f"{got.all_per_request:.2f} syscalls per request ({got.requests:,} requests)")
        )
    return tuple(out)


def run_bench(
    targets: Sequence[TargetKind],
    quick: bool,
    out: Path,
    capture_dir: Path,
    run_id: str,
    progress: Steps | Callable[[str], None] = print,
    key_axis: bool = False,
    full_matrix: bool = False,
) -> BenchReport:
    """Run the plan; write results.json, figures/ and summary.md under `out`, the pcapng under capture_dir.

    After the matrix: the crypto floor (`openssl speed`), the handshake storm on the matrix's servers, then
    the handshake capacity sweep on servers of its own (one per certificate key)."""
    steps = steps_of(progress)
    # Servers run with their workdir as cwd: every path handed to them must be absolute.
    out, capture_dir = out.resolve(), capture_dir.resolve()
    started = time.monotonic()
    started_utc = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    plan = plan_for(targets, quick, full=full_matrix and not quick)
    notes: list[str] = []
    pki = LabPKI.create(out / "pki")
    wire: list[WireSample] = []
    cpu_plan = plan_cpus()
    hs_cells = handshakes.capacity_cells(targets, quick, key_axis)
    hs_repeats, hs_seconds = (1, 0.4) if quick else (2, 0.4)
    rates = storm.QUICK_RATES if quick else storm.RATES
    storm_seconds = 0.4 if quick else 0.6
    traced = trace_cells(targets) if not quick and syscall_trace.available() is None else ()
    steps.plan(
        len(plan.cells) * plan.repeats
        + len(hs_cells) * hs_repeats
        + len(rates) * len(targets)
        + len(traced)
    )
    ciphers: dict[str, str] = {}
    with (
        started_targets(plan.cells, out / "targets", pki, notes) as running,
        pinned(cpu_plan, [t.pid for t in running.values()]),
    ):
        results = run_plan(plan, running, pki.ca_cert, steps.step)
        for (kind, fsync), server in running.items():
            for transport in sorted({c.transport for c in plan.cells if c.transport != "plain"}):
                if fsync == "off" and server.tls_port is not None:
                    got = crypto_floor.negotiated_cipher(server.host, server.tls_port, transport, pki.ca_cert)
                    if got is not None:
                        ciphers[f"{kind}/{transport}"] = got
        names = ", ".join(sorted(set(ciphers.values()))) or "no cipher"
        steps.note(f"crypto floor: openssl speed for {names}")
        floor = crypto_floor.measure(
            set(ciphers.values()),
            {c.key_type for c in hs_cells},
            sizes=crypto_floor.QUICK_SIZES if quick else None,
        )
        if floor.error:
            notes.append(f"crypto floor: {floor.error}")
        storm_targets = {k: t for (k, f), t in running.items() if f == "off" and t.tls_port is not None}
        storm_points = storm.run_storm(storm_targets, pki.ca_cert, rates, storm_seconds, steps.step)
        traces = trace_syscalls(traced, storm_targets, pki.ca_cert, steps.step)
        if (why := syscall_trace.available()) is not None:
            notes.append(why)
        session_ids = tuple(
            session_cache.probe(kind, t.host, t.tls_port, pki.ca_cert)
            for kind, t in storm_targets.items()
            if t.tls_port is not None
        )
        for kind in targets:
            target = running.get((kind, "off"))
            cells = [c for c in plan.wire if c.target == kind]
            if target is None or not cells or target.port is None or target.tls_port is None:
                continue
            steps.note(f"wire sample on {kind}: {len(cells)} cells under capture")
            wire += sample_wire(
                cells,
                target.port,
                target.tls_port,
                pki.ca_cert,
                capture_dir / f"wire-{kind}.pcapng",
                target.pid,
            )
        # The matrix's servers carry the base key's certificate: the capacity sweep uses them for it, and
        # starts servers of its own only for the other keys.
        pkis = handshakes.pkis_for(hs_cells, out / "pki-keys", pki)
        shared = {(k, handshakes.BASE_KEY): t for k, t in storm_targets.items()}
        with (
            handshakes.key_targets(hs_cells, out / "targets-keys", pkis, notes, shared) as key_running,
            pinned(cpu_plan, [t.pid for k, t in key_running.items() if k not in shared]),
        ):
            capacity = handshakes.run_capacity(
                hs_cells, key_running, pkis, floor, hs_repeats, hs_seconds, steps.step
            )
    note = contention_note()
    if note:
        notes.append(note)
    for r in results:
        if r.agreement is not None and not r.agreement.within_tolerance:
            notes.append(
                f"{r.cell.key}: lab generator / redis-benchmark = {r.agreement.ratio:.2f}, outside ±15%: "
                f"{r.agreement.explanation}"
            )
        errors = [run.first_error for run in r.runs if run.errors and run.first_error]
        if errors:
            notes.append(f"{r.cell.key}: {len(errors)} run(s) had errors, first: {errors[0]}")
    report = BenchReport(
        run_id=run_id,
        started_utc=started_utc,
        seconds=0.0,
        quick=quick,
        targets=tuple(targets),
        host=host_info(cpu_plan),
        plan=plan.description,
        repeats=plan.repeats,
        run_seconds=plan.seconds,
        cells=results,
        overheads=overheads(results),
        wire=tuple(wire),
        notes=tuple(notes),
        published=PUBLISHED,
        figures=(),
        floor=floor,
        ciphers=tuple(sorted(ciphers.items())),
        attribution=attribute(results, floor, ciphers, traces),
        capacity=capacity,
        storm=storm_points,
        session_ids=session_ids,
    )
    from lab.bench.figures import draw_all  # matplotlib only once there is something to draw

    figures = draw_all(report, out / "figures")
    report = _finish(report, figures, time.monotonic() - started)
    write_json(report, out / "results.json")
    write_summary(report, out / "summary.md")
    return report


def _finish(report: BenchReport, figures: Sequence[Path], seconds: float) -> BenchReport:
    return dataclasses.replace(report, figures=tuple(str(f) for f in figures), seconds=round(seconds, 1))
