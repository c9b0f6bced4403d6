"""The lab's load generator: asyncio (uvloop if present), one process per core not taken by the server,
RESP pipelining, plain/TLS.

Workload: a 1:1 mix of SET and GET of `value_size`-byte values on a small key space, `pipeline` requests per
batch, on `connections` connections in total (split over the processes). Connection modes:
  - reuse: long-lived connections, the usual production shape;
  - new-full: a new connection per batch (with a full TLS handshake), like `redis-benchmark -k 0`;
  - new-resumed: a new connection per batch that offers the previous TLS session (abbreviated handshake);
  - new-resumed-id: the same by TLS 1.2 session id (no ticket extension offered).
With quit_first a new connection ends with QUIT and waits for the server to close it (the server then
sends its close_notify first; redis-server keeps a session id cached only then, see session_cache.py).
Latency goes into HDR histograms (hdrhistogram), merged across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import multiprocessing as mp
import os
import queue
import ssl
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, cast

from hdrh.histogram import HdrHistogram

from lab.bench.cpu import cpu_seconds, syscall_counts
from lab.bench.results import Connection, Latency, LoadRun, Transport
from lab.procs import forked_worker
from server.tls_native import NativeUnavailable, keep_record_buffers

_M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc malloc.h)
HIST_MAX_US = 60_000_000
HIST_DIGITS = 3
QUIT = b"*1\r\n$4\r\nQUIT\r\n"
CURVE_PERCENTILES = (1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100)


@dataclass(frozen=True)
class LoadSpec:
    """What to run. processes=0 means one per core, less the one the server under test runs on."""

    host: str
    port: int
    transport: Transport
    pipeline: int
    value_size: int
    connection: Connection = "reuse"
    connections: int = 50
    seconds: float = 1.0
    warmup_s: float = 0.2
    processes: int = 0
    ca: Path | None = None
    server_hostname: str = "localhost"
    timeout: float = 5.0
    quit_first: bool = False  # new connections: send QUIT and let the server close

    def __post_init__(self) -> None:
        if self.pipeline < 1 or self.value_size < 0 or self.connections < 1 or self.seconds <= 0:
            raise ValueError(f"invalid load spec: {self}")
        if self.transport != "plain" and self.ca is None:
            raise ValueError("a TLS load spec needs the CA file that signed the server cert (ca=...)")
        if self.connection in ("new-resumed", "new-resumed-id") and self.transport == "plain":
            raise ValueError("session resumption needs TLS: use connection='new-full' for plaintext")
        if self.connection == "new-resumed-id" and self.transport != "tls1.2":
            raise ValueError(
                "session-id resumption is TLS 1.2 only (TLS 1.3 resumes by ticket): use new-resumed"
            )
        if self.quit_first and self.connection == "reuse":
            raise ValueError("quit_first ends each new connection: it needs a new-* connection mode")


def new_histogram() -> HdrHistogram:
    return HdrHistogram(1, HIST_MAX_US, HIST_DIGITS)


def latency_of(hist: HdrHistogram) -> Latency:
    return Latency(
        count=hist.get_total_count(),
        p50_us=float(hist.get_value_at_percentile(50.0)),
        p99_us=float(hist.get_value_at_percentile(99.0)),
        p999_us=float(hist.get_value_at_percentile(99.9)),
        max_us=float(hist.get_max_value()),
        curve=tuple((p, float(hist.get_value_at_percentile(p))) for p in CURVE_PERCENTILES),
    )


def _command(*parts: bytes) -> bytes:
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(p), p))
    return b"".join(out)


def batches(pipeline: int, value_size: int, key_base: int) -> tuple[bytes, bytes]:
    """Two batches that alternate: SET k, GET k, SET k', ... so that every GET finds its value.

    With pipeline 1 they are one SET and one GET; deeper batches hold SET/GET pairs of `pipeline` keys.
    """
    value = b"x" * value_size
    cmds = []
    for i in range(2 * pipeline):
        key = b"key:%012d" % (key_base + i // 2)
        cmds.append(_command(b"SET", key, value) if i % 2 == 0 else _command(b"GET", key))
    return b"".join(cmds[:pipeline]), b"".join(cmds[pipeline:])


def replies(pipeline: int, value_size: int) -> tuple[bytes, bytes]:
    """The exact replies to the two batches of batches(): +OK for a SET, the value for the GET after it."""
    ok, value = b"+OK\r\n", b"$%d\r\n%s\r\n" % (value_size, b"x" * value_size)
    both = [ok if i % 2 == 0 else value for i in range(2 * pipeline)]
    return b"".join(both[:pipeline]), b"".join(both[pipeline:])


def resp_bytes_per_op(pipeline: int, value_size: int) -> tuple[float, float]:
    """RESP bytes per request client→server and server→client for this workload (the plaintext floor)."""
    b0, b1 = batches(pipeline, value_size, 0)
    c2s = (len(b0) + len(b1)) / (2 * pipeline)
    s2c = (len(b"+OK\r\n") + len(b"$%d\r\n" % value_size) + value_size + 2) / 2
    return c2s, s2c


def count_replies(buf: bytes) -> tuple[int, int, int]:
    """Count complete RESP2 replies (simple, error, integer, bulk) at the start of buf.

    Returns (replies, errors, bytes consumed). Our workload only gets those reply types.
    """
    pos = n = errors = 0
    end = len(buf)
    while pos < end:
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            break
        kind = buf[pos]
        if kind == 0x24:  # '$' bulk string
            size = int(buf[pos + 1 : nl])
            nxt = nl + 2 if size < 0 else nl + 4 + size
            if nxt > end:
                break
            pos = nxt
        else:
            if kind == 0x2D:  # '-' error
                errors += 1
            pos = nl + 2
        n += 1
    return n, errors, pos


class _ResumingContext(ssl.SSLContext):
    """A client context that offers the newest session it was given to every new connection.

    asyncio's create_connection has no `session` argument; both asyncio and uvloop build the TLS
    object with `context.wrap_bio`, so the session is passed in there.
    """

    offered: ssl.SSLSession | None = None

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        return super().wrap_bio(
            incoming, outgoing, server_side, server_hostname, session=session or self.offered
        )


def client_context(
    transport: Transport, ca: Path, resuming: bool = False, tickets: bool = True
) -> ssl.SSLContext:
    """Built once per worker: verifying the chain and the name, pinned to one TLS version, and keeping
    its record buffers as hiredis (redis-benchmark's client) does; CPython would free them between
    requests."""
    ctx = (_ResumingContext if resuming else ssl.SSLContext)(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(ca))
    version = ssl.TLSVersion.TLSv1_2 if transport == "tls1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = ctx.maximum_version = version
    if not tickets:  # no session-ticket extension: a TLS 1.2 server can only resume by session id
        ctx.options |= ssl.OP_NO_TICKET
    with contextlib.suppress(NativeUnavailable):  # an optimisation: without it the run is still right
        keep_record_buffers(ctx)
    return ctx


class _Stats:
    def __init__(self) -> None:
        # Latencies are tallied in a dict (µs -> replies) while measuring and put into the HDR histogram
        # after the run: HdrHistogram.record_value costs 2 µs in Python, a fifth of a request at -P 1.
        self.tally: dict[int, int] = {}
        self.connect_hist = new_histogram()
        self.ops = 0
        self.errors = 0
        self.first_error: str | None = None
        self.connections = 0
        self.resumed = 0
        self.replies = 0  # in the window or not
        self.window: tuple[int, int] = (0, 0)  # the measured window, perf_counter_ns
        self.cpu: list[float] = []  # this process's CPU seconds at the window's start and end

    def time_cpu(self, measure_at_ns: int, deadline_ns: int) -> None:
        """Read this worker's own CPU time when the window opens and when it closes (from the loop, so
        within a callback's delay of the marks)."""
        loop = asyncio.get_running_loop()
        now = time.perf_counter_ns()
        for mark in (measure_at_ns, deadline_ns):
            loop.call_later(max(0, mark - now) / 1e9, lambda: self.cpu.append(time.process_time()))

    def error(self, text: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = text

    def histogram(self) -> HdrHistogram:
        hist = new_histogram()
        for us, count in self.tally.items():
            hist.record_value(us, count)
        return hist


class _Pipeliner(asyncio.Protocol):
    """Writes one batch, counts its replies, then either writes the next one (reuse) or finishes.

    The replies to a batch are known to the byte (replies()), so the usual batch is recognised by one
    comparison; anything else (an error reply, a short answer) is counted reply by reply.

    Replies count when they arrive inside the measured window [measure_at_ns, deadline_ns), whenever their
    batch was sent: counting by send time instead left the work in flight at the window's start
    uncounted, and stretched its end over a tail of ever fewer connections."""

    def __init__(
        self,
        work: tuple[bytes, bytes],
        expect: tuple[bytes, bytes],
        pipeline: int,
        stats: _Stats,
        measure_at_ns: int,
        deadline_ns: int,
        one_shot: bool,
    ) -> None:
        self.work = work
        self.expect = expect
        self.pipeline = pipeline
        self.stats = stats
        self.measure_at_ns = measure_at_ns
        self.deadline_ns = deadline_ns
        self.one_shot = one_shot
        self.buf = b""
        self.flip = 0
        self.pending = 0
        self.batch_start = 0
        self.counted = False  # the last completed batch ended inside the window
        self.transport: asyncio.Transport | None = None
        # The result is None when the batch(es) completed, else why not (failure is data, not an exception).
        self.done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same interface.
        self.transport = cast(asyncio.Transport, transport)

    def send_batch(self, start_ns: int | None = None) -> None:
        assert self.transport is not None
        self.batch_start = time.perf_counter_ns() if start_ns is None else start_ns
        self.pending = self.pipeline
        self.transport.write(self.work[self.flip])
        self.flip ^= 1

    def data_received(self, data: bytes) -> None:
        if self.done.done():  # after the work: a QUIT's +OK, not a request's reply
            return
        buf = self.buf + data if self.buf else data
        expect = self.expect[self.flip ^ 1]  # the batch in flight (send_batch flipped already)
        errors = 0
        if self.pending == self.pipeline and expect.startswith(buf):
            if len(buf) < len(expect):
                self.buf = buf  # the rest of the batch is on its way
                return
            n, self.buf = self.pipeline, b""
        else:
            n, errors, used = count_replies(buf)
            self.buf = buf[used:]
            if not n:
                return
        now = time.perf_counter_ns()
        stats = self.stats
        stats.replies += n
        self.counted = self.measure_at_ns <= now < self.deadline_ns
        if self.counted:
            us = max(1, (now - self.batch_start) // 1000)
            stats.tally[us] = stats.tally.get(us, 0) + n
            stats.ops += n
            if errors:
                stats.error(f"server replied with {errors} error(s)")
        self.pending -= n
        if self.pending > 0:
            return
        if self.one_shot or now >= self.deadline_ns:
            if not self.done.done():
                self.done.set_result(None)
        else:
            self.send_batch()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(f"connection lost: {exc or 'closed by server'}")
        if not self.closed.done():
            self.closed.set_result(None)


@dataclass(frozen=True)
class _WorkerPlan:
    spec: LoadSpec
    index: int
    connections: int
    first_conn_id: int


async def _open(plan: _WorkerPlan, ctx: ssl.SSLContext | None, proto: _Pipeliner) -> asyncio.Transport:
    loop = asyncio.get_running_loop()
    spec = plan.spec
    tls: dict[str, Any] = {}
    if ctx is not None:
        tls = {"ssl": ctx, "server_hostname": spec.server_hostname, "ssl_handshake_timeout": spec.timeout}
    async with asyncio.timeout(spec.timeout):  # (wait_for would wrap the connect in one more Task)
        transport, _ = await loop.create_connection(lambda: proto, spec.host, spec.port, **tls)
    return transport


async def _reuse_worker(
    plan: _WorkerPlan, ctx: ssl.SSLContext | None, stats: _Stats, barrier: Barrier
) -> None:
    spec = plan.spec
    far = time.perf_counter_ns() + 10**12
    protos = [
        _Pipeliner(
            batches(spec.pipeline, spec.value_size, (plan.first_conn_id + i) * 100),
            replies(spec.pipeline, spec.value_size),
            spec.pipeline,
            stats,
            far,  # nothing counts until the window is set below, once every process is connected
            far,
            one_shot=False,
        )
        for i in range(plan.connections)
    ]
    transports: list[asyncio.Transport] = []
    try:
        for p in protos:
            transports.append(await _open(plan, ctx, p))
            stats.connections += 1
        # Blocking here is fine: the loop has nothing to do until every process is connected.
        barrier.wait(spec.timeout * 4)
        measure_at = time.perf_counter_ns() + int(spec.warmup_s * 1e9)
        deadline = measure_at + int(spec.seconds * 1e9)
        stats.time_cpu(measure_at, deadline)
        for p in protos:
            p.measure_at_ns, p.deadline_ns = measure_at, deadline
            p.send_batch()
        done, _ = await asyncio.wait(
            [p.done for p in protos], timeout=spec.warmup_s + spec.seconds + spec.timeout
        )
        for p in protos:
            if p.done not in done:
                stats.error("no reply within the timeout")
            elif p.done.result() is not None:
                stats.error(str(p.done.result()))
        stats.window = (measure_at, deadline)
    finally:
        for t in transports:
            t.close()


async def _one_connection(
    plan: _WorkerPlan, ctx: ssl.SSLContext | None, proto: _Pipeliner, t0: int
) -> tuple[int, bool]:
    """Connect, send proto's batch, wait for its replies, close: (connect time in µs, whether TLS resumed).
    A resuming context is handed this connection's session for the next one."""
    transport: asyncio.Transport | None = None
    try:
        transport = await _open(plan, ctx, proto)
        connected_us = max(1, (time.perf_counter_ns() - t0) // 1000)
        proto.send_batch(start_ns=t0)
        async with asyncio.timeout(plan.spec.timeout):
            failure = await proto.done
        if failure is not None:
            raise ConnectionError(failure)
        if plan.spec.quit_first:
            transport.write(QUIT)
            async with asyncio.timeout(plan.spec.timeout):
                await proto.closed
        sslobj = transport.get_extra_info("ssl_object")
        if isinstance(ctx, _ResumingContext) and sslobj is not None:
            ctx.offered = sslobj.session  # TLS 1.3 tickets have arrived by now (after the reply)
        return connected_us, bool(sslobj is not None and sslobj.session_reused)
    finally:
        if transport is not None:
            transport.close()


async def _new_connection_client(
    plan: _WorkerPlan, ctx: ssl.SSLContext | None, stats: _Stats, conn_id: int, measure_at: int, deadline: int
) -> None:
    spec = plan.spec
    work = batches(spec.pipeline, spec.value_size, conn_id * 100)
    expect = replies(spec.pipeline, spec.value_size)
    flip = 0
    while time.perf_counter_ns() < deadline:
        t0 = time.perf_counter_ns()
        batch = (work[flip], work[flip])
        want = (expect[flip], expect[flip])
        proto = _Pipeliner(batch, want, spec.pipeline, stats, measure_at, deadline, one_shot=True)
        flip ^= 1
        try:
            connected_us, resumed = await _one_connection(plan, ctx, proto, t0)
        except (TimeoutError, OSError, ssl.SSLError, ConnectionError) as exc:
            if measure_at <= time.perf_counter_ns() < deadline:
                stats.error(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(0.01)  # no hot loop against a dead server
            continue
        if proto.counted:  # its reply came inside the window: so does the connection
            stats.connections += 1
            stats.connect_hist.record_value(connected_us)
            stats.resumed += resumed


async def _prime_session(plan: _WorkerPlan, ctx: _ResumingContext, stats: _Stats) -> None:
    """One connection before the run, so that a resuming worker has a session to offer from its very first
    connection on, as a client that has talked to this server before. Without it the first burst of
    connections (one per client, all at once) made full handshakes, and under a slow host some of them
    finished inside the window, counted as connections that did not resume."""
    spec = plan.spec
    never = time.perf_counter_ns() + 10**12  # outside any window: nothing here counts
    work = batches(spec.pipeline, spec.value_size, plan.first_conn_id * 100)
    want = replies(spec.pipeline, spec.value_size)
    proto = _Pipeliner(work, want, spec.pipeline, stats, never, never, one_shot=True)
    await _one_connection(plan, ctx, proto, time.perf_counter_ns())


async def _new_connection_worker(
    plan: _WorkerPlan, ctx: ssl.SSLContext | None, stats: _Stats, barrier: Barrier
) -> None:
    spec = plan.spec
    if isinstance(ctx, _ResumingContext):
        await _prime_session(plan, ctx, stats)
    barrier.wait(spec.timeout * 4)
    measure_at = time.perf_counter_ns() + int(spec.warmup_s * 1e9)
    deadline = measure_at + int(spec.seconds * 1e9)
    stats.time_cpu(measure_at, deadline)
    await asyncio.gather(
        *(
            _new_connection_client(plan, ctx, stats, plan.first_conn_id + i, measure_at, deadline)
            for i in range(plan.connections)
        )
    )
    stats.window = (measure_at, deadline)


def keep_tls_reads_on_the_heap() -> bool:
    """Fix glibc's mmap threshold at 1 MiB in this process; False where there is no glibc mallopt.

    uvloop reads TLS into a new 256 KiB bytes object per read. glibc serves that size with mmap, mremap
    and munmap (and page faults) until its dynamic threshold happens to rise past it: here it rose during
    TLS 1.3 cells and never during TLS 1.2 ones, where the generator then spent three times the CPU per
    request (an mmap, mremap and munmap per read under strace) and reported TLS 1.2 as a 78-85% loss that
    redis-benchmark does not see. A fixed threshold keeps those buffers on the heap in every cell."""
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 1 << 20))
    except (OSError, AttributeError):
        return False


def _worker_main(plan: _WorkerPlan, barrier: Barrier, out: mp.Queue[dict[str, Any]]) -> None:
    forked_worker()  # a killed or interrupted bench stops its workers itself
    spec = plan.spec
    stats = _Stats()
    keep_tls_reads_on_the_heap()
    try:
        ctx = None
        if spec.transport != "plain":
            assert spec.ca is not None
            ctx = client_context(
                spec.transport,
                spec.ca,
                resuming=spec.connection in ("new-resumed", "new-resumed-id"),
                tickets=spec.connection != "new-resumed-id",
            )
        run = _reuse_worker if spec.connection == "reuse" else _new_connection_worker
        _run_loop(run(plan, ctx, stats, barrier))
    except Exception as exc:  # reported as data; the parent decides
        stats.error(f"{type(exc).__name__}: {exc}")
        barrier.abort()
    start, end = stats.window
    out.put(
        {
            "ops": stats.ops,
            "errors": stats.errors,
            "first_error": stats.first_error,
            "start_ns": start,
            "end_ns": end,
            "hist": stats.histogram().encode(),
            "connect_hist": stats.connect_hist.encode(),
            "connections": stats.connections,
            "resumed": stats.resumed,
            "replies": stats.replies,
            "cpu_s": stats.cpu[1] - stats.cpu[0] if len(stats.cpu) == 2 else None,
        }
    )


def _run_loop(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
        return
    uvloop.run(coro)


def event_loop_name() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    return f"uvloop {uvloop.__version__}"


def default_processes() -> int:
    """One per core, but leave one to the server: the lab's servers run on this machine (loopback), and
    a Redis server is one busy thread. With a worker on every core the workers take CPU from the very
    server they measure, which is why, on 2 cores, they reported 31% less than redis-benchmark (a single
    thread) on the bundled server, and within 1-14% of it with one worker."""
    return max(1, (os.cpu_count() or 1) - 1)


def run_load(spec: LoadSpec, server_pid: int | None = None) -> LoadRun:
    """Run the generator once and return the merged result; failures are data (errors, first_error)."""
    nproc = min(spec.processes or default_processes(), spec.connections)
    ctx = mp.get_context("fork")  # workers inherit nothing heavy; fork keeps start-up at a few ms
    barrier = ctx.Barrier(nproc + 1)
    out: mp.Queue[dict[str, Any]] = ctx.Queue()
    share, extra = divmod(spec.connections, nproc)
    plans, first = [], 0
    for i in range(nproc):
        n = share + (1 if i < extra else 0)
        plans.append(_WorkerPlan(spec, i, n, first))
        first += n
    procs = [ctx.Process(target=_worker_main, args=(p, barrier, out), daemon=True) for p in plans]
    results: list[dict[str, Any]] = []
    cpu0 = cpu1 = None
    sys0 = sys1 = None
    try:
        for p in procs:
            p.start()
        try:
            barrier.wait(spec.timeout * 4)
            # The server's CPU is read over the workers' measured window (they time it from this same
            # barrier), not over the tail of replies after it, which no longer counts as operations.
            time.sleep(spec.warmup_s)
            cpu0 = cpu_seconds(server_pid) if server_pid else None
            sys0 = syscall_counts(server_pid) if server_pid else None
            time.sleep(spec.seconds)
            cpu1 = cpu_seconds(server_pid) if server_pid and cpu0 is not None else None
            sys1 = syscall_counts(server_pid) if server_pid and sys0 is not None else None
        except Exception:  # BrokenBarrierError: a worker failed to connect; its error comes through the queue
            pass
        limit = time.monotonic() + spec.timeout * 6
        while len(results) < nproc and time.monotonic() < limit:
            try:
                results.append(out.get(timeout=0.2))
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    break
    except BaseException:  # Ctrl-C: the workers ignore it; stop them now, not after their run
        for p in procs:
            if p.is_alive():
                p.kill()
        raise
    finally:
        for p in procs:
            p.join(timeout=2)
            if p.is_alive():
                p.kill()
                p.join()
    run = _merge(spec, nproc, results, cpu0, cpu1)
    if sys0 is not None and sys1 is not None:
        run = dataclasses.replace(run, server_reads=sys1[0] - sys0[0], server_writes=sys1[1] - sys0[1])
    return run


def _merge(
    spec: LoadSpec, nproc: int, results: list[dict[str, Any]], cpu0: float | None, cpu1: float | None
) -> LoadRun:
    hist, connect = new_histogram(), new_histogram()
    ops = errors = connections = resumed = replies = 0
    own_cpu: list[float] = []
    first_error: str | None = None
    starts, ends = [], []
    for r in results:
        hist.add(HdrHistogram.decode(r["hist"]))
        connect.add(HdrHistogram.decode(r["connect_hist"]))
        ops += r["ops"]
        errors += r["errors"]
        connections += r["connections"]
        resumed += r["resumed"]
        replies += r["replies"]
        if r["cpu_s"] is not None:
            own_cpu.append(r["cpu_s"])
        first_error = first_error or r["first_error"]
        if r["end_ns"] > r["start_ns"]:
            starts.append(r["start_ns"])
            ends.append(r["end_ns"])
    if len(results) < nproc:
        errors += nproc - len(results)
        first_error = first_error or f"{nproc - len(results)} worker process(es) gave no result"
    # Each process times its own window, of spec.seconds from the shared barrier.
    seconds = max((e - s for s, e in zip(starts, ends, strict=True)), default=0) / 1e9
    return LoadRun(
        ops=ops,
        seconds=seconds,
        ops_per_s=ops / seconds if seconds > 0 else 0.0,
        errors=errors,
        first_error=first_error,
        latency=latency_of(hist),
        connections=connections,
        connect=latency_of(connect) if connect.get_total_count() else None,
        resumed=resumed,
        replies=replies,
        client_cpu_s=sum(own_cpu) if len(own_cpu) == nproc else None,
        processes=nproc,
        server_cpu_s=(cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
    )
