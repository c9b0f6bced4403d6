"""lab.bench.matrix: the plan's subset of the axes, medians, the agreement rule, TLS-vs-plaintext pairs."""

from __future__ import annotations

import dataclasses

import pytest

from lab.bench.matrix import (
    REUSE_BENCH_SECONDS,
    agreement,
    bench_seconds,
    overheads,
    plan_for,
    summarize,
    target_spec,
)
from lab.bench.results import TARGETS, BenchmarkRow, BenchmarkRun, Cell
from tests.lab.bench.conftest import bench_run, load_run


@pytest.mark.parametrize("quick", [True, False])
def test_every_tls_cell_has_its_plaintext_baseline(quick: bool) -> None:
    plan = plan_for(TARGETS, quick)
    cells = set(plan.cells)
    assert len(cells) == len(plan.cells)
    for c in plan.cells:
        if c.transport != "plain":
            base = Cell(
                c.target,
                "plain",
                c.pipeline,
                c.value_size,
                "new-full" if c.connection != "reuse" else "reuse",
                c.appendfsync,
            )
            assert base in cells, c.key
    assert set(plan.crosscheck) <= cells
    assert all(c.transport != "tls1.2" and c.connection != "new-resumed" for c in plan.crosscheck)
    assert {c.target for c in plan.cells} == set(TARGETS)


def test_full_matrix_covers_every_axis_value() -> None:
    plan = plan_for(("redis-server",), quick=False, full=True)
    assert {c.transport for c in plan.cells} == {"plain", "tls1.2", "tls1.3"}
    assert {c.pipeline for c in plan.cells} == {1, 16, 64}
    assert {c.value_size for c in plan.cells} == {16, 1024, 16384}
    assert {c.connection for c in plan.cells} == {"reuse", "new-full", "new-resumed"}
    assert {c.appendfsync for c in plan.cells} == {"off", "everysec", "always"}
    assert plan.repeats >= 3
    assert any("pipeline 1, 16, 64" in w for w in plan.description)


def test_default_plan_leaves_pipeline_64_and_everysec_to_the_flag() -> None:
    plan = plan_for(("redis-server",), quick=False)
    full = plan_for(("redis-server",), quick=False, full=True)
    assert set(plan.cells) < set(full.cells)
    assert {c.pipeline for c in plan.cells} == {1, 16}
    assert {c.appendfsync for c in plan.cells} == {"off", "always"}
    assert {(c.pipeline, c.appendfsync) for c in set(full.cells) - set(plan.cells)} == {
        (64, "off"),
        (1, "everysec"),
    }
    assert len(plan.cells) == 19 and any("--full-matrix" in w for w in plan.description)


def test_fsync_off_means_no_aof() -> None:
    assert target_spec("redis-server", "off").appendonly is False
    spec = target_spec("bundled", "always")
    assert spec.appendonly and spec.appendfsync == "always" and spec.plaintext and spec.tls


def test_summarize_takes_medians_and_skips_empty_runs() -> None:
    cell = Cell("redis-server", "tls1.3", 1, 16, "new-resumed")
    runs = [
        load_run(1000, p50=10, connections=1000, resumed=990),
        load_run(3000, p50=30, connections=3000, resumed=3000),
        load_run(0),
    ]
    r = summarize(cell, runs, [])
    assert r.ops_per_s is not None and r.ops_per_s.median == 2000 and r.ops_per_s.n == 2
    assert r.p50_us == 20
    assert r.resumed_fraction == pytest.approx(3990 / 4000)
    assert r.new_connections_per_s == 2000
    assert r.agreement is None


def test_agreement_within_and_outside_tolerance() -> None:
    ok = agreement(100.0, 110.0, [load_run(100)], [bench_run(110, 110)])
    assert ok is not None and ok.within_tolerance and ok.explanation is None
    bad = agreement(50.0, 100.0, [load_run(50, cpu_s=0.3)], [bench_run(100, 100, cpu_s=0.9)])
    assert bad is not None and not bad.within_tolerance
    assert bad.explanation is not None and "lab generator's own client was the limit" in bad.explanation
    starved = agreement(50.0, 100.0, [load_run(50, cpu_s=0.3)], [bench_run(100, 100, cpu_s=0.35)])
    assert starved is not None and starved.explanation and "contended machine" in starved.explanation
    assert agreement(None, 100.0, [], []) is None


def test_a_client_at_its_cpu_limit_is_named_from_its_own_cpu_use() -> None:
    """The server idled about as much under both clients (no clear gap), but the generator's workers
    used 97% of their CPU: the generator was the limit, not a contended host."""
    busy = dataclasses.replace(load_run(50, cpu_s=0.3), client_cpu_s=0.97 * 2)  # 2 workers, 1 s
    a = agreement(50.0, 100.0, [busy], [bench_run(100, 100, cpu_s=0.35)])
    assert a is not None and a.explanation is not None
    assert "the lab generator's own client was the limit: it used 97% of its CPU" in a.explanation
    assert "70% of a core to spare" in a.explanation


def _saturated_rb(requests: int, rps: float, cpu_s: float) -> BenchmarkRun:
    """redis-benchmark -n requests, SET and GET at rps each, the server busy 95% of the run."""
    rows = (BenchmarkRow("SET", rps, 0.5, 0.4, 1.0), BenchmarkRow("GET", rps, 0.5, 0.4, 1.0))
    return BenchmarkRun(("redis-benchmark", "-n", str(requests)), rows, cpu_s / 0.95, None, cpu_s)


def test_a_saturated_server_s_work_per_request_explains_the_gap() -> None:
    lab = [load_run(100_000, cpu_s=0.95)]  # 9.5 µs per request
    harder = agreement(100_000.0, 70_000.0, lab, [_saturated_rb(50_000, 70_000, 1.36)])  # 13.6 µs
    assert harder is not None and harder.explanation is not None
    assert "saturated under both" in harder.explanation
    assert "9.50 µs" in harder.explanation and "13.60 µs" in harder.explanation
    assert "more work per request under redis-benchmark" in harder.explanation
    same = agreement(100_000.0, 70_000.0, lab, [_saturated_rb(50_000, 70_000, 0.98)])  # 9.8 µs
    assert same is not None and same.explanation is not None
    assert "the same work per request, so the difference is noise" in same.explanation


def test_agreement_measures_the_references_own_spread() -> None:
    """redis-benchmark against itself sets the noise floor: its runs here spread 60% around the median."""
    rb = [bench_run(70, 70), bench_run(100, 100), bench_run(130, 130)]
    inside = agreement(75.0, 100.0, [load_run(75, cpu_s=0.3)] * 3, rb)
    assert inside is not None and not inside.within_tolerance
    assert inside.reference_spread == pytest.approx(0.6) and inside.within_reference_range
    assert inside.explanation is not None
    assert inside.explanation.startswith("inside redis-benchmark's own range")
    outside = agreement(60.0, 100.0, [load_run(60, cpu_s=0.3)] * 3, rb)
    assert outside is not None and outside.within_reference_range is False
    assert outside.explanation is not None and "own range" not in outside.explanation
    single = agreement(60.0, 100.0, [load_run(60)], [bench_run(100, 100)])
    assert single is not None and single.reference_spread is None and single.within_reference_range is None


def test_agreement_pairs_the_runs_of_each_repeat() -> None:
    """The host slows down and speeds up between repeats; within a repeat the two clients share it."""
    lab = [load_run(50), load_run(100), load_run(130), load_run(0)]  # the last run failed: no pair
    rb = [bench_run(60, 60), bench_run(100, 100), bench_run(170, 170), bench_run(100, 100)]
    a = agreement(100.0, 100.0, lab, rb)  # the medians alone would say 1.00
    assert a is not None and a.paired is not None and a.paired.n == 3
    assert a.ratio == pytest.approx(50 / 60) and not a.within_tolerance
    assert (a.paired.low, a.paired.high) == (pytest.approx(130 / 170), 1.0)


def test_redis_benchmark_runs_long_enough_to_amortise_its_connection_set_up() -> None:
    plan = plan_for(["bundled"], quick=False)
    reuse = Cell("bundled", "tls1.3", 1, 16)
    assert bench_seconds(reuse, plan) == REUSE_BENCH_SECONDS > plan.seconds + plan.warmup_s
    new = Cell("bundled", "tls1.3", 1, 16, "new-full")
    assert bench_seconds(new, plan) == plan.seconds + plan.warmup_s  # there the set-up is the workload
    quick = plan_for(["bundled"], quick=True)
    assert bench_seconds(reuse, quick) == quick.reuse_bench_s < REUSE_BENCH_SECONDS
    assert all(c.appendfsync == "off" for c in quick.cells)  # no AOF server to start in --quick


def test_overheads_pair_tls_with_plaintext() -> None:
    plain = summarize(Cell("bundled", "plain", 16, 16), [load_run(200)], [])
    tls = summarize(Cell("bundled", "tls1.3", 16, 16), [load_run(150, p50=600)], [])
    lonely = summarize(Cell("bundled", "tls1.2", 64, 16), [load_run(100)], [])
    (o,) = overheads([plain, tls, lonely])
    assert o.tls_cell.transport == "tls1.3"
    assert o.throughput_change_pct == pytest.approx(-25.0)
    assert o.p50_change_pct == pytest.approx(20.0)
