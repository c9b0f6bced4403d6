"""strace-counted syscalls per request: the `strace -c` table parsed, a real trace of redis-server that
always detaches, and a missing strace as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.bench import syscall_trace
from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.results import Cell, LoadRun
from lab.targets import RunningTarget
from tests.conftest import require_tool
from tests.lab.bench.conftest import load_run

# As strace 6.1 writes it (`strace -c -f -o FILE ...`), errors column present on some rows.
TABLE = """% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 40.00    0.000400           2       200           epoll_wait
 35.00    0.000350           1       301         1 read
 25.00    0.000250           1       150           write
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000           1       651         1 total
"""


def _tracer(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("TracerPid:")))


def test_strace_table_is_parsed_without_its_total() -> None:
    assert syscall_trace.parse_summary(TABLE) == (("read", 301), ("epoll_wait", 200), ("write", 150))
    refused = "strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted"
    assert syscall_trace.parse_summary(refused) == ()


def test_per_request_counts_and_source_are_fields() -> None:
    from lab.bench.results import SyscallTrace

    cell = Cell("redis-server", "tls1.3", 1, 16)
    t = SyscallTrace.of(cell, "strace -c -f -p 7", 100, syscall_trace.parse_summary(TABLE), None)
    assert (t.reads_per_request, t.writes_per_request, t.all_per_request) == (3.01, 1.5, 6.51)
    assert t.top(2) == (("read", 3.01), ("epoll_wait", 2.0))
    failed = SyscallTrace.of(cell, "strace -c -f -p 7", 100, (), "strace did not attach: no output")
    assert failed.all_per_request is None and failed.top() == ()


def test_real_trace_of_redis_server_counts_and_detaches(redis_target: RunningTarget) -> None:
    require_tool("strace")
    assert redis_target.port is not None
    cell = Cell("redis-server", "plain", 1, 16)
    runs: list[LoadRun] = []

    def run(seconds: float) -> LoadRun:
        assert _tracer(redis_target.pid) != 0  # attached while the load runs
        spec = LoadSpec(redis_target.host, redis_target.port, "plain", 1, 16, connections=4, seconds=seconds)
        runs.append(run_load(spec))
        return runs[-1]

    t = syscall_trace.trace(cell, redis_target.pid, run)
    assert t.error is None and t.source.startswith(f"strace -c -f -p {redis_target.pid}, runs of")
    short, long = syscall_trace.SECONDS
    assert [r.seconds for r in runs[:1] + runs[-2:]] == pytest.approx([short, short, long], abs=0.05)
    assert t.requests == runs[-1].replies - runs[-2].replies > 0  # the warm-up window is not counted
    names = dict(t.calls)
    assert "epoll_wait" in names
    # the connections' set-up cancels out: one read and one write per request at pipeline 1, and accepts
    # (4 connections a run, plus their EAGAIN retries) are noise, not a per-request cost
    assert t.reads_per_request is not None and 0.9 <= t.reads_per_request < 1.5
    assert t.writes_per_request is not None and 0.9 <= t.writes_per_request < 1.5
    assert (names.get("accept", 0) + names.get("accept4", 0)) / t.requests < 0.05
    assert _tracer(redis_target.pid) == 0  # detached: the server runs at full speed again


def test_a_failing_run_still_detaches(redis_target: RunningTarget) -> None:
    require_tool("strace")

    def boom(seconds: float) -> LoadRun:
        raise RuntimeError("the load failed")

    with pytest.raises(RuntimeError, match="the load failed"):
        syscall_trace.trace(Cell("redis-server", "plain", 1, 16), redis_target.pid, boom)
    assert _tracer(redis_target.pid) == 0


def test_without_strace_the_reason_is_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syscall_trace.shutil, "which", lambda _name: None)
    t = syscall_trace.trace(Cell("redis-server", "plain", 1, 16), 1, lambda _s: load_run(1000))
    assert t.error is not None and "apt-get install strace" in t.error and t.all_per_request is None
