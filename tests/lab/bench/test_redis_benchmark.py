"""lab.bench.redis_benchmark: the real redis-benchmark at the generator's settings, and its --csv parsed."""

from __future__ import annotations

import pytest

from lab.bench.redis_benchmark import BenchmarkSpec, argv_for, parse_csv, requests_for, run_benchmark
from lab.bench.results import Transport
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.conftest import require_tool

CSV = (
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",'
    '"max_latency_ms"\n'
    '"SET","66934.41","0.493","0.064","0.439","0.839","1.423","5.951"\n'
    '"GET","95693.78","0.320","0.080","0.287","0.567","0.767","2.231"\n'
)


def test_parse_csv_of_redis_benchmark_7() -> None:
    rows = parse_csv("WARNING: something\n" + CSV)
    assert [r.test for r in rows] == ["SET", "GET"]
    assert rows[0].rps == pytest.approx(66934.41) and rows[1].p99_ms == pytest.approx(0.767)


def test_argv_matches_the_cell() -> None:
    spec = BenchmarkSpec("127.0.0.1", 7000, "plain", 16, 1024, 5000, "new-full", clients=50)
    argv = argv_for(spec)
    assert argv[argv.index("-P") + 1] == "16" and argv[argv.index("-d") + 1] == "1024"
    assert argv[argv.index("-k") + 1] == "0" and "--tls" not in argv


def test_what_redis_benchmark_cannot_do_is_refused() -> None:
    with pytest.raises(ValueError, match=r"TLS 1\.2"):
        BenchmarkSpec("127.0.0.1", 1, "tls1.2", 1, 16, 100)
    with pytest.raises(ValueError, match="resumes"):
        BenchmarkSpec("127.0.0.1", 1, "tls1.3", 1, 16, 100, "new-resumed")


def test_requests_for_a_duration() -> None:
    assert requests_for(100_000, 1.0) == 50_000  # SET and GET each get half the time
    assert requests_for(10, 1.0) == 500


@pytest.mark.parametrize("transport", ["plain", "tls1.3"])
def test_real_run_against_redis_server(
    redis_target: RunningTarget, pki: LabPKI, transport: Transport
) -> None:
    require_tool("redis-benchmark")
    port = redis_target.port if transport == "plain" else redis_target.tls_port
    assert port is not None
    spec = BenchmarkSpec(
        redis_target.host,
        port,
        transport,
        1,
        16,
        2000,
        clients=10,
        ca=pki.ca_cert,
    )
    run = run_benchmark(spec, redis_target.pid)
    assert run.error is None
    assert [r.test for r in run.rows] == ["SET", "GET"]
    assert run.mixed_ops_per_s is not None and run.mixed_ops_per_s > 0
    assert run.server_cpu_s is not None
    # redis-benchmark's own CPU: it did the work of its 50 clients, at most one core (a single thread)
    assert run.client_cpu_s is not None and run.client_cpu_s > 0
    assert run.client_busy is not None and run.client_busy <= 1.05


def test_a_dead_server_is_an_error_not_an_exception(pki: LabPKI) -> None:
    require_tool("redis-benchmark")
    run = run_benchmark(BenchmarkSpec("127.0.0.1", 1, "plain", 1, 16, 100, timeout=3))
    assert run.error is not None and run.rows == ()
