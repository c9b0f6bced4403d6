"""Shared plumbing for the bench tests: a lab PKI, a real redis-server (plaintext + TLS), a small report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.bench.matrix import overheads, summarize
from lab.bench.results import (
    BenchmarkRow,
    BenchmarkRun,
    BenchReport,
    Cell,
    HostInfo,
    Latency,
    LoadRun,
    WireSample,
)
from lab.bench.summary import PUBLISHED
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target
from tests.conftest import require_tool


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("bench-pki"))


@pytest.fixture(scope="module")
def redis_target(tmp_path_factory: pytest.TempPathFactory, pki: LabPKI) -> Iterator[RunningTarget]:
    require_tool("redis-server")
    spec = TargetSpec(kind="redis-server", plaintext=True, tls=True, tls_auth_clients="no")
    with start_target(spec, tmp_path_factory.mktemp("bench-redis"), pki) as target:
        yield target


def load_run(
    ops_per_s: float, p50: float = 500.0, cpu_s: float | None = 0.5, connections: int = 50, resumed: int = 0
) -> LoadRun:
    """A LoadRun with round numbers: one second, `ops_per_s` requests."""
    curve = ((50.0, p50), (99.0, p50 * 3), (100.0, p50 * 5))
    return LoadRun(
        ops=int(ops_per_s),
        seconds=1.0,
        ops_per_s=ops_per_s,
        errors=0,
        first_error=None,
        latency=Latency(int(ops_per_s), p50, p50 * 3, p50 * 4, p50 * 5, curve),
        connections=connections,
        connect=None,
        resumed=resumed,
        processes=2,
        server_cpu_s=cpu_s,
    )


def bench_run(set_rps: float, get_rps: float, cpu_s: float = 0.5) -> BenchmarkRun:
    rows = (BenchmarkRow("SET", set_rps, 0.5, 0.4, 1.0), BenchmarkRow("GET", get_rps, 0.5, 0.4, 1.0))
    return BenchmarkRun(("redis-benchmark",), rows, 1.0, None, cpu_s)


@pytest.fixture
def small_report() -> BenchReport:
    """A report over a few cells with known medians (plaintext 100k, TLS 1.3 75k, ...)."""
    plain = Cell("redis-server", "plain", 1, 16)
    tls13 = plain.with_transport("tls1.3")
    tls12 = plain.with_transport("tls1.2")
    p16 = Cell("redis-server", "plain", 16, 16)
    p16_tls = p16.with_transport("tls1.3")
    new_plain = Cell("redis-server", "plain", 1, 16, "new-full")
    new_tls = Cell("redis-server", "tls1.3", 1, 16, "new-full")
    fsync = Cell("redis-server", "tls1.3", 1, 16, "reuse", "always")
    results = (
        summarize(plain, [load_run(v) for v in (100_000, 90_000, 110_000)], [bench_run(90_000, 110_000)]),
        summarize(
            tls13, [load_run(v, cpu_s=1.0) for v in (75_000, 70_000, 80_000)], [bench_run(40_000, 45_000)]
        ),
        summarize(tls12, [load_run(70_000, cpu_s=1.0)], []),
        summarize(p16, [load_run(800_000, cpu_s=0.9)], []),
        summarize(p16_tls, [load_run(600_000, cpu_s=0.9)], []),
        summarize(new_plain, [load_run(10_000, cpu_s=0.5, connections=10_000)], []),
        summarize(new_tls, [load_run(1_000, cpu_s=0.6, connections=1_000)], []),
        summarize(fsync, [load_run(20_000, cpu_s=0.5)], []),
    )
    wire = (
        WireSample(
            tls13, 1000, 1, 2000, 69_900, 38_200, 69.9, 38.2, 47.5, 14.0, 2000, 22, 105.5, "dumpcap", None
        ),
    )
    host = HostInfo(2, "3.11", "OpenSSL 3", "redis 7", "redis-benchmark 7", "uvloop")
    return BenchReport(
        run_id="test",
        started_utc="2025-01-01T00:00:00+00:00",
        seconds=1.0,
        quick=True,
        targets=("redis-server",),
        host=host,
        plan=("a test plan",),
        repeats=3,
        run_seconds=1.0,
        cells=results,
        overheads=overheads(results),
        wire=wire,
        notes=("a note",),
        published=PUBLISHED,
        figures=(),
    )


def png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
