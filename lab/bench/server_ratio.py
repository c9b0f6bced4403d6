"""`tlslab bench server`: the bundled server against redis-server with redis-benchmark, in one run (issue 2).

redis-benchmark -c 50 -d 16 -t set,get at -P 1 and -P 16, plaintext and --tls, plus -k 0 --tls (a new TLS
connection per request); runs alternate between the two servers, which of them goes first flipping with
each repeat, and the table holds the median of the paired ratios bundled / redis-server against the
goals. Then memory: RSS after loading 1M keys with 16-byte values, and per data type (lab.bench.type_memory).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab.bench.cpu import rss_bytes
from lab.bench.pinning import pinned, plan_cpus
from lab.bench.redis_benchmark import BenchmarkSpec, run_benchmark
from lab.bench.results import (
    BenchmarkRun,
    MemoryRow,
    RatioRow,
    ServerBenchReport,
    ServerCpuRow,
    Spread,
    TargetKind,
    Transport,
    write_json,
)
from lab.bench.suite import contention_note, host_info
from lab.bench.type_memory import measure_type_memory, render_type_memory
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target

MEMORY_GOAL = 3.0  # bundled RSS ≤ 3 x redis-server's


@dataclass(frozen=True)
class Setting:
    name: str
    pipeline: int
    transport: Transport
    new_connections: bool
    requests: int  # per test, default run
    goal: float


SETTINGS = (
    Setting("-P 1", 1, "plain", False, 60_000, 0.8),
    Setting("-P 1 --tls", 1, "tls1.3", False, 40_000, 0.8),
    Setting("-P 16", 16, "plain", False, 400_000, 0.4),
    Setting("-P 16 --tls", 16, "tls1.3", False, 300_000, 0.4),
    Setting("-k 0 --tls", 1, "tls1.3", True, 1_500, 1.0),
)


def _spec(setting: Setting, target: RunningTarget, ca: Path, quick: bool) -> BenchmarkSpec:
    tls = setting.transport != "plain"
    port = target.tls_port if tls else target.port
    assert port is not None
    n = _requests(setting, quick)
    return BenchmarkSpec(
        target.host,
        port,
        setting.transport,
        setting.pipeline,
        16,
        n,
        "new-full" if setting.new_connections else "reuse",
        clients=50,
        ca=ca if tls else None,
    )


def _requests(setting: Setting, quick: bool) -> int:
    """redis-benchmark -n: requests per test."""
    return max(300, setting.requests // 5) if quick else setting.requests


def _rps(runs: list[BenchmarkRun], test: str) -> Spread | None:
    return Spread.of([v for b in runs if (v := _test_rps(b, test)) is not None])


def _test_rps(run: BenchmarkRun, test: str) -> float | None:
    if run.error is not None:
        return None
    return next((row.rps for row in run.rows if row.test == test), None)


def paired_ratios(bundled: list[BenchmarkRun], redis: list[BenchmarkRun], test: str) -> list[float]:
    """bundled / redis-server within each repeat (the lists are in repeat order); a repeat where either
    side failed gives no pair."""
    out = []
    for b, r in zip(bundled, redis, strict=False):
        b_rps, r_rps = _test_rps(b, test), _test_rps(r, test)
        if b_rps is not None and r_rps:
            out.append(b_rps / r_rps)
    return out


def cpu_per_request(run: BenchmarkRun, requests: int) -> float | None:
    """The server's CPU microseconds per request in one run of `requests` requests (all tests)."""
    if run.error is not None or run.server_cpu_s is None or not requests:
        return None
    return run.server_cpu_s / requests * 1e6


def server_cpu_row(
    name: str, bundled: list[BenchmarkRun], redis: list[BenchmarkRun], requests: int
) -> ServerCpuRow:
    """CPU per request of both servers over the repeats, and their ratio within each repeat."""
    b_us = [cpu_per_request(run, requests) for run in bundled]
    r_us = [cpu_per_request(run, requests) for run in redis]
    pairs = [b / r for b, r in zip(b_us, r_us, strict=False) if b is not None and r]
    return ServerCpuRow(
        name,
        Spread.of([v for v in b_us if v is not None]),
        Spread.of([v for v in r_us if v is not None]),
        Spread.of(pairs),
    )


def run_order(kinds: list[TargetKind], repeat: int) -> list[TargetKind]:
    """Who goes first alternates per repeat, so neither server always runs right after the other."""
    return kinds if repeat % 2 == 0 else kinds[::-1]


def load_keys(
    host: str, port: int, keys: int, value_size: int, batch: int = 10_000, timeout: float = 30.0
) -> None:
    """SET key:000000000..key:<keys-1> to value_size bytes, pipelined in batches, over plaintext."""
    value = b"v" * value_size
    with socket.create_connection((host, port), timeout=timeout) as sock:
        for start in range(0, keys, batch):
            count = min(batch, keys - start)
            payload = b"".join(
                b"*3\r\n$3\r\nSET\r\n$13\r\nkey:%09d\r\n$%d\r\n%s\r\n" % (i, value_size, value)
                for i in range(start, start + count)
            )
            sock.sendall(payload)
            want, got = count * 5, 0  # each reply is +OK\r\n
            while got < want:
                chunk = sock.recv(1 << 16)
                if not chunk:
                    raise ConnectionError(f"server closed the connection after {start + got // 5} keys")
                if chunk.startswith(b"-"):
                    raise ConnectionError(f"server refused SET: {chunk[:120]!r}")
                got += len(chunk)


def measure_memory(targets: dict[TargetKind, RunningTarget], keys: int, value_size: int) -> MemoryRow:
    rss: dict[TargetKind, int | None] = {}
    base: dict[TargetKind, int | None] = {}
    error = None
    for kind, target in targets.items():
        assert target.port is not None
        base[kind] = rss_bytes(target.pid)
        try:
            load_keys(target.host, target.port, keys, value_size)
        except OSError as exc:
            error = f"{kind}: loading {keys} keys failed: {exc}"
            rss[kind] = None
            continue
        time.sleep(0.2)  # let the allocator settle before reading RSS
        rss[kind] = rss_bytes(target.pid)
    b, r = rss.get("bundled"), rss.get("redis-server")
    ratio = b / r if b and r else None
    return MemoryRow(
        keys,
        value_size,
        b,
        r,
        base.get("bundled"),
        base.get("redis-server"),
        ratio,
        MEMORY_GOAL,
        None if ratio is None else ratio <= MEMORY_GOAL,
        error,
    )


def run_server_bench(
    out: Path, quick: bool = False, progress: Callable[[str], None] = print
) -> ServerBenchReport:
    """Both servers up at once, the settings interleaved across them, then memory; writes JSON + markdown."""
    out = out.resolve()  # servers run with their workdir as cwd
    started, started_utc = time.monotonic(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    repeats = 1 if quick else 7  # noisy VM: one run's paired ratios spread from 0.6 to 1.3 in a cell
    keys = 100_000 if quick else 1_000_000
    pki = LabPKI.create(out / "pki")
    notes: list[str] = []
    if quick:
        notes.append(f"quick run: requests / 5, 1 repeat, memory with {keys:,} keys instead of 1,000,000")
    runs: dict[tuple[str, TargetKind], list[BenchmarkRun]] = {}
    cpu_plan = plan_cpus()
    with contextlib.ExitStack() as stack:
        targets: dict[TargetKind, RunningTarget] = {}
        for kind in ("bundled", "redis-server"):
            spec = TargetSpec(kind=kind, plaintext=True, tls=True, tls_auth_clients="no")
            try:
                targets[kind] = stack.enter_context(start_target(spec, out / "targets" / kind, pki))
            except Exception as exc:  # the other server still runs; the table says "not measured"
                notes.append(f"{kind} did not start: {exc}")
        stack.enter_context(pinned(cpu_plan, [t.pid for t in targets.values()]))
        for r in range(repeats):
            for setting in SETTINGS:
                for kind in run_order(list(targets), r):
                    target = targets[kind]
                    b = run_benchmark(_spec(setting, target, pki.ca_cert, quick), target.pid)
                    runs.setdefault((setting.name, kind), []).append(b)
                    rates = ", ".join(f"{row.test} {row.rps:,.0f}" for row in b.rows) or b.error
                    progress(f"repeat {r + 1}/{repeats} {setting.name} {kind}: {rates}")
                    if b.error:
                        notes.append(f"{setting.name} on {kind}: {b.error}")
        progress(f"memory: loading {keys:,} keys of 16 B into each server")
        memory = measure_memory(targets, keys, 16)
    progress(f"memory per type: one key of {keys:,} elements, fresh servers")
    type_memory = measure_type_memory(out / "type-memory", keys, progress)
    note = contention_note()
    if note:
        notes.append(note)
    rows = []
    for setting in SETTINGS:
        for test in ("SET", "GET"):
            b_runs = runs.get((setting.name, "bundled"), [])
            r_runs = runs.get((setting.name, "redis-server"), [])
            paired = Spread.of(paired_ratios(b_runs, r_runs, test))
            ratio = paired.median if paired else None
            rows.append(
                RatioRow(
                    setting.name,
                    test,
                    _rps(b_runs, test),
                    _rps(r_runs, test),
                    ratio,
                    setting.goal,
                    None if ratio is None else ratio >= setting.goal,
                    paired,
                )
            )
    server_cpu = tuple(
        server_cpu_row(
            setting.name,
            runs.get((setting.name, "bundled"), []),
            runs.get((setting.name, "redis-server"), []),
            _requests(setting, quick) * 2,  # -t set,get
        )
        for setting in SETTINGS
    )
    report = ServerBenchReport(
        run_id=out.parent.name if out.name == "bench" else out.name,
        started_utc=started_utc,
        seconds=round(time.monotonic() - started, 1),
        quick=quick,
        host=host_info(cpu_plan),
        repeats=repeats,
        rows=tuple(rows),
        memory=memory,
        runs=tuple(b for lst in runs.values() for b in lst),
        notes=tuple(notes),
        type_memory=type_memory,
        server_cpu=server_cpu,
    )
    write_json(report, out / "server-ratios.json")
    (out / "server-ratios.md").write_text(render_ratios(report))
    return report


def _n(s: Spread | None) -> str:
    return "-" if s is None else f"{s.median:,.0f}"


def render_ratios(report: ServerBenchReport) -> str:
    lines = [
        f"# Bundled server vs redis-server — run {report.run_id}",
        "",
        f"redis-benchmark -c 50 -d 16 -t set,get, {report.repeats} interleaved repeat(s); "
        f"{report.host.cpus} CPUs, {report.host.pinning}. In each repeat the two servers run back to back "
        "(who goes first alternates); ratio = the median over repeats of bundled / redis-server within a "
        "repeat, with the lowest and highest of those paired ratios. The rps columns are medians. "
        f"The bundled server's request parser: {report.host.bundled_parser}.",
        "",
        "| setting | test | bundled rps | redis-server rps | ratio | paired range | goal | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report.rows:
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}"
        spread = "-" if r.paired is None else f"{r.paired.low:.2f} to {r.paired.high:.2f}"
        lines.append(
            f"| {r.setting} | {r.test} | {_n(r.bundled_rps)} | {_n(r.redis_rps)} | {ratio} | {spread} | "
            f"≥ {r.goal} | {met} |"
        )
    m = report.memory

    def mib(v: int | None) -> str:
        return "-" if v is None else f"{v / 2**20:,.1f} MiB"

    lines += [
        "",
        f"Memory after loading {m.keys:,} keys with {m.value_size}-byte values: "
        f"bundled {mib(m.bundled_rss_bytes)}"
        f" (empty: {mib(m.bundled_baseline_bytes)}), redis-server {mib(m.redis_rss_bytes)} "
        f"(empty: {mib(m.redis_baseline_bytes)}); ratio "
        f"{'-' if m.ratio is None else f'{m.ratio:.2f}'} (goal ≤ {m.goal})"
        + ("" if m.error is None else f"; error: {m.error}"),
        *render_type_memory(report.type_memory),
        *render_server_cpu(report.server_cpu),
        "",
    ]
    if report.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in report.notes] + [""]
    return "\n".join(lines)


def render_server_cpu(rows: tuple[ServerCpuRow, ...]) -> list[str]:
    if not rows:
        return []

    def us(v: Spread | None) -> str:
        return "-" if v is None else f"{v.median:,.0f} µs"

    lines = [
        "",
        "Server CPU per request (from /proc over each run, SET and GET together; under -k 0 each request "
        "is a new TLS connection): medians over the repeats, ratio = median of bundled / redis-server "
        "within a repeat.",
        "",
        "| setting | bundled | redis-server | ratio | paired range |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        p = row.paired
        ratio, spread = ("-", "-") if p is None else (f"{p.median:.2f}", f"{p.low:.2f} to {p.high:.2f}")
        lines.append(f"| {row.setting} | {us(row.bundled_us)} | {us(row.redis_us)} | {ratio} | {spread} |")
    return lines
