"""Handshake storm: the latency of established clients while new TLS connections arrive at a fixed rate.

Ten long-lived TLS 1.3 clients run a pipeline-1 SET/GET mix (the generator, as in the matrix); beside
them one process opens new TLS 1.3 connections on a fixed schedule (open loop: a connection starts every
1/rate seconds whether or not the previous ones have finished), completes the handshake and closes. A
single-threaded server does those handshakes between the established clients' requests, which is the
latency spike Redis users report under connection storms (redis/redis issue 10524).

The arrival process shares the host's CPUs with the established clients and the server, so it may not
keep its schedule: each step records the rate achieved and the arrival process's own CPU, and is marked
client-bound when it fell short while the server had CPU to spare (StormLimit). The figure plots p99
against the achieved rate. To keep the arrivals cheap the arrival process does not verify the server's
certificate (the server's side of the handshake is the same either way).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.matrix import SATURATED
from lab.bench.results import REACHED_SHARE, StormLimit, StormPoint, TargetKind
from lab.procs import forked_worker
from lab.targets import RunningTarget

RATES = (0.0, 100.0, 200.0, 400.0)
QUICK_RATES = (0.0, 200.0)
ESTABLISHED = 10


@dataclass(frozen=True)
class Arrivals:
    host: str
    port: int
    rate: float
    start_in_s: float  # the established clients' warm-up: arrivals begin with their window
    seconds: float
    timeout: float = 5.0


def arrival_context() -> ssl.SSLContext:
    """TLS 1.3, no verification: the arrival process's CPU goes to handshakes, not to checking chains."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def limit_of(asked: float, achieved: float, server_busy: float | None) -> StormLimit:
    if asked <= 0 or achieved >= REACHED_SHARE * asked:
        return StormLimit.REACHED
    if server_busy is not None and server_busy >= SATURATED:
        return StormLimit.SERVER
    return StormLimit.CLIENT


async def _arrive(spec: Arrivals) -> dict[str, Any]:
    ctx = arrival_context()
    done = errors = 0
    first_error: str | None = None
    loop = asyncio.get_running_loop()

    async def one() -> None:
        nonlocal done, errors, first_error
        try:
            async with asyncio.timeout(spec.timeout):
                transport, _ = await loop.create_connection(
                    asyncio.Protocol, spec.host, spec.port, ssl=ctx, server_hostname="localhost"
                )
            transport.close()
            done += 1
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"

    await asyncio.sleep(spec.start_in_s)
    cpu0 = time.process_time()
    start = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    n = 0
    while (due := start + n / spec.rate) < start + spec.seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
        n += 1
    finished = done  # counted inside the window, not the stragglers after it
    elapsed = time.perf_counter() - start
    busy = (time.process_time() - cpu0) / elapsed if elapsed > 0 else None
    await asyncio.gather(*tasks)
    return {"done": finished, "seconds": elapsed, "errors": errors, "first_error": first_error, "busy": busy}


def _arrivals_main(spec: Arrivals, out: mp.Queue[dict[str, Any]]) -> None:
    forked_worker()  # a killed or interrupted bench stops the generator itself
    try:
        import uvloop

        out.put(uvloop.run(_arrive(spec)))
    except ImportError:
        out.put(asyncio.run(_arrive(spec)))
    except Exception as exc:  # data for the report
        out.put({"done": 0, "seconds": 0.0, "errors": 1, "first_error": f"{type(exc).__name__}: {exc}"})


def storm_point(
    target: TargetKind, running: RunningTarget, ca: Path, rate: float, seconds: float
) -> StormPoint:
    port = running.tls_port
    assert port is not None
    warmup = 0.2
    ctx = mp.get_context("fork")
    out: mp.Queue[dict[str, Any]] = ctx.Queue()
    proc = None
    if rate > 0:
        # The generator's workers wait on a barrier before their warm-up: started together, the arrival
        # process's schedule and the measured window line up within the workers' start-up (a few ms).
        proc = ctx.Process(
            target=_arrivals_main,
            args=(Arrivals(running.host, port, rate, warmup, seconds), out),
            daemon=True,
        )
        proc.start()
    try:
        run = run_load(
            LoadSpec(
                running.host,
                port,
                "tls1.3",
                1,
                16,
                "reuse",
                connections=ESTABLISHED,
                seconds=seconds,
                warmup_s=warmup,
                ca=ca,
            ),
            running.pid,
        )
        arrived: dict[str, Any] = {"done": 0, "seconds": seconds, "errors": 0}
        if proc is not None:
            try:
                arrived = out.get(timeout=seconds + 15)
            except queue.Empty:
                arrived = {"done": 0, "seconds": seconds, "errors": 1}
    except BaseException:  # Ctrl-C: the generator ignores it; stop it now
        if proc is not None and proc.is_alive():
            proc.kill()
        raise
    finally:
        if proc is not None:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    achieved = arrived["done"] / arrived["seconds"] if arrived["seconds"] else 0.0
    return StormPoint(
        target=target,
        rate_asked=rate,
        rate_achieved=achieved,
        handshake_errors=int(arrived["errors"]),
        established=run,
        p50_us=run.latency.p50_us,
        p99_us=run.latency.p99_us,
        p999_us=run.latency.p999_us,
        arrival_busy=arrived.get("busy"),
        limit=limit_of(rate, achieved, run.server_busy),
    )


def run_storm(
    targets: dict[TargetKind, RunningTarget],
    ca: Path,
    rates: Sequence[float],
    seconds: float,
    step: Callable[[str], None],
) -> tuple[StormPoint, ...]:
    points = []
    for kind, running in targets.items():
        for rate in rates:
            p = storm_point(kind, running, ca, rate, seconds)
            points.append(p)
            bound = "" if p.limit is StormLimit.REACHED else f", {p.limit.value}-bound"
            step(
                f"storm {kind} {rate:.0f} new conn/s (got {p.rate_achieved:.0f}{bound}): established p99 "
                f"{p.p99_us:,.0f} µs"
            )
    return tuple(points)
