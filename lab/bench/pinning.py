"""CPU pinning for benchmarks: the server under test on one CPU, every client on the others.

On a small machine the clients and the server share the CPUs, and the scheduler moving them onto one CPU
now and then made single measurements swing by a factor of two (the bundled server's TLS -P 1 rate was
30k ops/s unpinned and 56k pinned in the same session). A Redis server is one busy thread, so it gets a
CPU of its own; redis-benchmark and the lab's generator inherit the clients' CPUs from this process. Both
targets get exactly the same treatment, so ratios between them stay fair. One CPU: nothing to pin.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CpuPlan:
    server: frozenset[int]
    clients: frozenset[int]

    def describe(self) -> str:
        server, clients = _cpus(self.server), _cpus(self.clients)
        return f"servers pinned to CPU {server}, clients (generator, redis-benchmark) to CPU {clients}"


def _cpus(cpus: frozenset[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus))


def plan_cpus(available: Iterable[int] | None = None) -> CpuPlan | None:
    """The highest CPU for the server, the rest for clients; None with fewer than two CPUs."""
    cpus = sorted(os.sched_getaffinity(0) if available is None else available)
    if len(cpus) < 2:
        return None
    return CpuPlan(frozenset(cpus[-1:]), frozenset(cpus[:-1]))


def pin_process(pid: int, cpus: frozenset[int]) -> None:
    """Every thread of pid (redis-server has background threads) onto cpus; a thread that ended is skipped."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(tid), cpus)


@contextlib.contextmanager
def pinned(plan: CpuPlan | None, server_pids: Iterable[int]) -> Iterator[None]:
    """Pin the servers, and this process (whose children are the clients) for the duration; this process's
    CPUs are given back afterwards, also on failure. The servers keep theirs: they are stopped after."""
    if plan is None:
        yield
        return
    for pid in server_pids:
        pin_process(pid, plan.server)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, plan.clients)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
