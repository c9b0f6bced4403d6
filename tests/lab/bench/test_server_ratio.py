"""lab.bench.server_ratio: loading keys for the memory comparison, and the ratio table's rendering."""

from __future__ import annotations

import dataclasses
import socket

from lab.bench.results import (
    HostInfo,
    MemoryRow,
    RatioRow,
    ServerBenchReport,
    Spread,
)
from lab.bench.server_ratio import (
    SETTINGS,
    load_keys,
    measure_memory,
    paired_ratios,
    render_ratios,
    render_server_cpu,
    run_order,
    server_cpu_row,
)
from lab.targets import RunningTarget
from tests.lab.bench.conftest import bench_run


def _dbsize(host: str, port: int) -> int:
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"*1\r\n$6\r\nDBSIZE\r\n")
        return int(s.recv(100).strip()[1:])


def test_load_keys_sets_exactly_that_many(redis_target: RunningTarget) -> None:
    assert redis_target.port is not None
    load_keys(redis_target.host, redis_target.port, 2500, 16, batch=1000)
    assert _dbsize(redis_target.host, redis_target.port) >= 2500


def test_memory_with_one_server_has_no_ratio(redis_target: RunningTarget) -> None:
    row = measure_memory({"redis-server": redis_target}, 1000, 16)
    assert row.redis_rss_bytes is not None and row.redis_rss_bytes > 0
    assert row.ratio is None and row.met is None and row.error is None


def test_settings_are_those_of_issue_2() -> None:
    assert [s.name for s in SETTINGS] == ["-P 1", "-P 1 --tls", "-P 16", "-P 16 --tls", "-k 0 --tls"]
    assert [s.goal for s in SETTINGS] == [0.8, 0.8, 0.4, 0.4, 1.0]


def test_ratios_are_taken_within_each_repeat() -> None:
    """A slow moment hits both servers of a repeat: the pair keeps its ratio where medians would not."""
    failed = dataclasses.replace(bench_run(90, 44), error="timed out")
    bundled = [bench_run(80, 40), bench_run(40, 45), failed]
    redis = [bench_run(100, 50), bench_run(50, 50), bench_run(100, 50)]
    assert paired_ratios(bundled, redis, "SET") == [0.8, 0.8]  # the failed repeat gives no pair
    assert paired_ratios(bundled, redis, "GET") == [0.8, 0.9]
    assert paired_ratios(bundled, redis, "INCR") == []  # a test that was not run: no pair
    assert paired_ratios(bundled, [bench_run(0, 50)], "SET") == []  # a zero rate is no divisor


def test_who_goes_first_alternates() -> None:
    kinds: list = ["bundled", "redis-server"]
    assert [run_order(kinds, r)[0] for r in range(4)] == ["bundled", "redis-server"] * 2
    assert kinds == ["bundled", "redis-server"]  # the caller's list is left alone


def test_ratio_table_rendering() -> None:
    row = RatioRow(
        "-P 1",
        "SET",
        Spread(45_000, 44_000, 46_000, 3),
        Spread(50_000, 49_000, 51_000, 3),
        0.9,
        0.8,
        True,
        Spread(0.9, 0.85, 0.97, 3),
    )
    missing = RatioRow("-k 0 --tls", "GET", None, Spread(1000, 900, 1100, 3), None, 1.0, None)
    memory = MemoryRow(1_000_000, 16, 150 * 2**20, 80 * 2**20, 20 * 2**20, 8 * 2**20, 1.875, 3.0, True, None)
    report = ServerBenchReport(
        "r",
        "t",
        1.0,
        False,
        HostInfo(2, "3.11", "o", "r", "b", "uvloop", bundled_parser="C fast path (server/_resp_fast.c)"),
        3,
        (row, missing),
        memory,
        (),
        ("bundled note",),
    )
    text = render_ratios(report)
    assert "| -P 1 | SET | 45,000 | 50,000 | 0.90 | 0.85 to 0.97 | ≥ 0.8 | yes |" in text
    assert "| -k 0 --tls | GET | - | 1,000 | - | - | ≥ 1.0 | - |" in text
    assert "ratio 1.88 (goal ≤ 3.0)" in text and "bundled note" in text
    assert "request parser: C fast path" in text


def test_type_memory_loads_one_key_per_type_and_renders() -> None:
    from lab.bench.results import TypeMemoryRow
    from lab.bench.type_memory import TYPES, _commands, render_type_memory

    for kind in TYPES:
        commands = list(_commands(kind, 2_500))
        assert len(commands) == 3  # 1,000 elements per command
        assert commands[-1].count(b"e:") == 500
    rows = (TypeMemoryRow("zset", 1_000_000, 200 * 2**20, 100 * 2**20, 1, 1, 2.0, None),)
    text = "\n".join(render_type_memory(rows))
    assert "| zset | 200.0 MiB | 100.0 MiB | 2.00 |" in text
    assert render_type_memory(()) == []


def test_server_cpu_per_request_is_paired_within_repeats() -> None:
    """-k 0: 3,000 requests (new connections) per run; a failed run or a run without CPU gives no pair."""
    failed = dataclasses.replace(bench_run(300, 300, cpu_s=9.0), error="timed out")
    no_cpu = dataclasses.replace(bench_run(300, 300), server_cpu_s=None)
    bundled = [bench_run(300, 300, cpu_s=1.5), bench_run(300, 300, cpu_s=2.1), failed, no_cpu]
    redis = [bench_run(300, 300, cpu_s=1.5), bench_run(300, 300, cpu_s=1.5), bench_run(300, 300), no_cpu]
    row = server_cpu_row("-k 0 --tls", bundled, redis, 3_000)
    assert row.bundled_us is not None and row.redis_us is not None and row.paired is not None
    assert (row.bundled_us.low, row.bundled_us.high, row.bundled_us.n) == (500, 700, 2)
    assert row.redis_us.median == 500 and row.redis_us.n == 3
    assert (row.paired.low, row.paired.high, row.paired.n) == (1.0, 1.4, 2)
    text = "\n".join(render_server_cpu((row, server_cpu_row("-P 1", [], [], 100))))
    assert "| -k 0 --tls | 600 µs | 500 µs | 1.20 | 1.00 to 1.40 |" in text
    assert "| -P 1 | - | - | - | - |" in text
    assert render_server_cpu(()) == []

