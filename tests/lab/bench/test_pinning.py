"""lab.bench.pinning: the plan, and real affinities of real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from lab import procs
from lab.bench.pinning import CpuPlan, pin_process, pinned, plan_cpus

CPUS = sorted(os.sched_getaffinity(0))
needs_two = pytest.mark.skipif(len(CPUS) < 2, reason="pinning needs at least two CPUs on this machine")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    proc = procs.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_plan_gives_the_server_one_cpu_and_the_clients_the_rest() -> None:
    assert plan_cpus([0]) is None
    assert plan_cpus([0, 1]) == CpuPlan(frozenset({1}), frozenset({0}))
    plan = plan_cpus([3, 0, 2, 1])
    assert plan == CpuPlan(frozenset({3}), frozenset({0, 1, 2}))
    assert plan.describe() == "servers pinned to CPU 3, clients (generator, redis-benchmark) to CPU 0,1,2"


@needs_two
def test_pin_process_moves_every_thread(sleeper: subprocess.Popen[bytes]) -> None:
    pin_process(sleeper.pid, frozenset({CPUS[-1]}))
    for tid in os.listdir(f"/proc/{sleeper.pid}/task"):
        assert os.sched_getaffinity(int(tid)) == {CPUS[-1]}


@needs_two
def test_pinned_clients_inherit_and_this_process_gets_its_cpus_back(sleeper: subprocess.Popen[bytes]) -> None:
    plan = plan_cpus()
    assert plan is not None
    before = os.sched_getaffinity(0)
    with pinned(plan, [sleeper.pid]):
        assert os.sched_getaffinity(0) == plan.clients
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert child.stdout.strip() == str(sorted(plan.clients))
    assert os.sched_getaffinity(0) == before
    assert os.sched_getaffinity(sleeper.pid) == plan.server


@needs_two
def test_pinned_gives_the_cpus_back_on_failure(sleeper: subprocess.Popen[bytes]) -> None:
    before = os.sched_getaffinity(0)
    with pytest.raises(RuntimeError), pinned(plan_cpus(), [sleeper.pid]):
        raise RuntimeError("a benchmark failed")
    assert os.sched_getaffinity(0) == before


def test_no_plan_pins_nothing(sleeper: subprocess.Popen[bytes]) -> None:
    before, theirs = os.sched_getaffinity(0), os.sched_getaffinity(sleeper.pid)
    with pinned(None, [sleeper.pid]):
        assert os.sched_getaffinity(0) == before
    assert os.sched_getaffinity(sleeper.pid) == theirs
