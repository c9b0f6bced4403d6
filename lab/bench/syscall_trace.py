"""The server's syscalls per request by name, counted by `strace -c -f -p <pid>` over two short extra
runs of a cell, a short and a longer one (strace attached before the clients connect, detached once they
are done). Each run also counts what its connections' set-up and teardown cost (accept, socket options,
the TLS handshake's reads and writes); the difference between the two runs cancels that, and leaves the
calls of the longer run's extra requests: the steady state, per request.

Separate from the measured runs on purpose: under ptrace every syscall stops the server twice, so its
CPU and rate in a traced run mean nothing; the counts per request do (the server makes the same calls,
though a slower server may find more requests per wake-up). strace is always detached (SIGINT, then
SIGKILL if it hangs): a tracer left attached would stop the server at every syscall for the rest of the run.
"""

from __future__ import annotations

import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lab import procs
from lab.bench.results import Cell, LoadRun, SyscallTrace

ATTACH_TIMEOUT_S = 5.0
DETACH_TIMEOUT_S = 5.0
# `strace -c` rows: % time, seconds, usecs/call, calls, [errors], syscall
_ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$")


class TraceError(RuntimeError):
    pass


def parse_summary(text: str) -> tuple[tuple[str, int], ...]:
    """(syscall, calls) per row of a `strace -c` table, most calls first; the total row is left out."""
    rows = []
    for line in text.splitlines():
        m = _ROW.match(line)
        if m and m.group(2) != "total":
            rows.append((m.group(2), int(m.group(1))))
    return tuple(sorted(rows, key=lambda r: (-r[1], r[0])))


def available() -> str | None:
    """Why strace cannot be used here, or None when it can."""
    if shutil.which("strace") is None:
        return "strace is not installed (apt-get install strace): syscalls come from /proc/<pid>/io only"
    return None


def _wait_attached(proc: subprocess.Popen[str], deadline: float) -> None:
    """strace says "Process N attached" on stderr once the tracee stops at its first syscall."""
    assert proc.stderr is not None
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.1)
        if ready:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
            if "attached" in line:
                return
        elif proc.poll() is not None:
            break
    raise TraceError(f"strace did not attach: {seen.strip() or 'no output'}")


def _detach(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # strace detaches and writes its summary
        try:
            proc.wait(DETACH_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()  # the kernel detaches a dead tracer's tracees
            proc.wait()


SECONDS = (0.1, 0.4)  # the two traced runs' windows
# A pair is measured again when the longer run answered no more than the shorter: a tracer attaching to a
# busy host can stall one window, and one stall must not cost the cell its counts.
ATTEMPTS = 2


def _traced(pid: int, run: Callable[[], LoadRun]) -> tuple[dict[str, int], LoadRun]:
    """Attach to pid, call run(), detach: the calls by name over the whole run, and the run."""
    with tempfile.TemporaryDirectory(prefix="tlslab-strace-") as tmp:
        out = Path(tmp) / "summary.txt"
        proc = procs.spawn(
            ["strace", "-c", "-f", "-p", str(pid), "-o", str(out)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_attached(proc, time.monotonic() + ATTACH_TIMEOUT_S)
            load = run()
        finally:
            _detach(proc)
            if proc.stderr is not None:
                proc.stderr.close()
        calls = parse_summary(out.read_text() if out.exists() else "")
    if not calls:
        raise TraceError("strace wrote no summary")
    if load.errors:
        raise TraceError(f"the traced run had {load.errors} error(s): {load.first_error}")
    return dict(calls), load


def trace(cell: Cell, pid: int, run: Callable[[float], LoadRun]) -> SyscallTrace:
    """Trace run(seconds) for each of SECONDS; the counts per request are the longer run's calls less the
    shorter one's, over its replies less the shorter one's."""
    source = f"strace -c -f -p {pid}, runs of {SECONDS[0]} s and {SECONDS[1]} s, the difference"
    why = available()
    if why is not None:
        return SyscallTrace.of(cell, source, 0, (), why)
    try:  # the first traced window after an attach runs at the untraced pace: measured, never counted
        _traced(pid, lambda: run(SECONDS[0]))
    except TraceError as exc:
        return SyscallTrace.of(cell, source, 0, (), str(exc))
    for _ in range(ATTEMPTS):
        try:
            short, a = _traced(pid, lambda: run(SECONDS[0]))
            long, b = _traced(pid, lambda: run(SECONDS[1]))
        except TraceError as exc:
            return SyscallTrace.of(cell, source, 0, (), str(exc))
        requests = b.replies - a.replies
        if requests > 0:
            break
    calls = {name: long[name] - short.get(name, 0) for name in long}
    rows = tuple(sorted(((n, c) for n, c in calls.items() if c > 0), key=lambda r: (-r[1], r[0])))
    error = None if requests > 0 else "the longer traced run answered no more requests than the shorter one"
    return SyscallTrace.of(cell, source, max(requests, 0), rows, error)
