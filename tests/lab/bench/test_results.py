"""lab.bench.results: medians and spread, the redis-benchmark mix rate, JSON from the dataclasses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.bench.results import BenchmarkRun, BenchReport, Cell, Spread, write_json
from tests.lab.bench.conftest import bench_run, load_run


def test_spread_is_median_and_range() -> None:
    s = Spread.of([3.0, 1.0, 2.0, float("nan")])
    assert s is not None
    assert (s.median, s.low, s.high, s.n) == (2.0, 1.0, 3.0, 3)
    assert s.rel_range == pytest.approx(1.0)
    assert Spread.of([]) is None


def test_mixed_rate_is_the_harmonic_mean_of_set_and_get() -> None:
    # N SETs at 60k/s then N GETs at 120k/s: 2N requests in N/60k + N/120k seconds = 80k/s.
    assert bench_run(60_000, 120_000).mixed_ops_per_s == pytest.approx(80_000)
    assert BenchmarkRun(("x",), (), 1.0, "exit 1: refused").mixed_ops_per_s is None


def test_cell_key_names_every_axis() -> None:
    cell = Cell("bundled", "tls1.2", 16, 1024, "new-resumed", "always")
    assert cell.key == "bundled/tls1.2/P16/1024B/new-resumed/fsync-always"
    assert cell.with_transport("plain").transport == "plain"


def test_cpu_per_op_and_busy_fraction() -> None:
    run = load_run(50_000, cpu_s=0.5)
    assert run.cpu_us_per_op == pytest.approx(10.0)
    assert run.server_busy == pytest.approx(0.5)
    assert load_run(50_000, cpu_s=None).cpu_us_per_op is None


def test_report_json_round_trips(small_report: BenchReport, tmp_path: Path) -> None:
    path = write_json(small_report, tmp_path / "sub" / "results.json")
    data = json.loads(path.read_text())
    assert data["run_id"] == "test"
    assert data["cells"][0]["cell"]["transport"] == "plain"
    assert data["published"][0]["source"].startswith("https://github.com/redis/redis/issues/7595")


def test_write_json_refuses_non_dataclasses(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_json({"not": "a dataclass"}, tmp_path / "x.json")
