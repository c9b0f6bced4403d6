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


# `openssl speed -mr` output as this host printed it (OpenSSL 3.0), trimmed to what the parsers read.
SPEED_AEAD = (
    "+DT:AES-256-GCM:1:16\n+H:16:64:256:1024:8192:16384\n"
    "+F:25:AES-256-GCM:40000000.00:160000000.00:512000000.00:1024000000.00:4096000000.00:4096000000.00\n"
)
SPEED_ASYM = (
    "+F2:2:2048:3600.000000:58000.000000\n+F4:3:256:40000.000000:14000.000000\n+F5:22:253:25000.000000:0.00004\n"
)


@pytest.fixture
def cost_report(small_report: BenchReport) -> BenchReport:
    """small_report with a crypto floor, attribution, handshake capacity and storm of known numbers."""
    import dataclasses

    from lab.bench.attribution import attribute
    from lab.bench.crypto_floor import CryptoFloor, parse_aead, parse_asymmetric
    from lab.bench.handshakes import CapacityCell
    from lab.bench.handshakes import summarize as capacity_of
    from lab.bench.results import StormLimit, StormPoint, SyscallTrace
    from lab.bench.session_cache import EXPLANATION, SessionIdProbe, SessionIdVerdict

    signs, x25519 = parse_asymmetric(SPEED_ASYM)
    floor = CryptoFloor(
        "OpenSSL 3.0.19",
        (parse_aead(SPEED_AEAD, "TLS_AES_256_GCM_SHA384", "aes-256-gcm"),),
        tuple(signs[k] for k in sorted(signs)),
        x25519,
        ("openssl speed -mr -seconds 1 -evp aes-256-gcm",),
    )
    ciphers = {"redis-server/tls1.3": "TLS_AES_256_GCM_SHA384"}
    # 2000 connections in 1 s with 0.8 s of server CPU: 400 µs each, capacity 2,500/s, server 80% busy.
    full = capacity_of(
        CapacityCell("redis-server", "ecdsa-p256", "tls1.3", "full", "new-full"),
        [load_run(2000, cpu_s=0.8, connections=2000)],
        floor,
    )
    storm = tuple(
        StormPoint("redis-server", rate, rate * 0.9, 0, load_run(30_000, p50=p50), p50, p50 * 3, p50 * 4, 0.5)
        for rate, p50 in ((0.0, 100.0), (200.0, 700.0))
    )
    # the arrival process reached 130 of 400/s while the server had half a core free: client-bound
    run = load_run(25_000, p50=900.0)
    short = StormPoint("redis-server", 400.0, 130.0, 0, run, 900.0, 2700.0, 3600.0, 0.97, StormLimit.CLIENT)
    # 1,000 requests traced: plaintext 2 reads + 1 write + 1 epoll_wait each, TLS 3 reads + 1 write + 1
    plain_cell, tls_cell = Cell("redis-server", "plain", 1, 16), Cell("redis-server", "tls1.3", 1, 16)
    traces = tuple(
        SyscallTrace.of(
            c, "strace -c -f -p 42", 1000, (("read", r), ("epoll_wait", 1000), ("write", 1000)), None
        )
        for c, r in ((plain_cell, 2000), (tls_cell, 3000))
    )
    verdict = SessionIdVerdict.ONLY_WHEN_SERVER_CLOSES
    probe = SessionIdProbe("redis-server", 6, 0, 6, verdict, EXPLANATION[verdict])
    return dataclasses.replace(
        small_report,
        floor=floor,
        ciphers=tuple(ciphers.items()),
        attribution=attribute(small_report.cells, floor, ciphers, traces),
        capacity=(full,),
        storm=(*storm, short),
        session_ids=(probe,),
    )
