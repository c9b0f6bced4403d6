"""The other target's run of the same scenarios, in a process of its own, side by side with this one.

Both runs mostly wait (servers starting, sniffers settling, clients timing out), so running them at once
roughly halves `make scenario`. They cannot clash: each run has its own run id (reports/ and captures/),
its servers' ports are probed and retried when taken, attackers listen on kernel-chosen ports, and each
capture filters on its own case's ports. The child runs the lifecycle in its main thread, so the scenario
timeouts (SIGALRM) hold there too; it sends its frozen RunResult back through a pipe.

Ctrl-C: a terminal's Ctrl-C reaches both processes, a SIGINT to this one alone is passed on; either way
the child stops its running case, reports what finished, and exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.procs import die_with_parent
from lab.scenario.lifecycle.runner import Note, run_all
from lab.scenario.results import RunResult, ScenarioResult
from lab.scenario.schema import Scenario
from lab.targets import TargetKind

STOP_GRACE_S = 30.0  # a child told to stop finishes its running case's cleanup within this


@dataclass(frozen=True)
class PeerFailed:
    """The child crashed: what it said, in one line."""

    message: str


def _child(send: multiprocessing.connection.Connection, scenarios: Sequence[Scenario], out: Path,
           kind: TargetKind, on_start: Callable[[int, Scenario], None],
           on_done: Callable[[int, ScenarioResult], None], note: Note) -> None:
    die_with_parent()  # a SIGKILLed `tlslab run` must not leave this run going (forked from its main thread)
    signal.signal(signal.SIGINT, _interrupt_once)
    try:
        result: RunResult | PeerFailed = run_all(scenarios, out, kind, on_start, on_done, note=note)
    except BaseException as exc:  # whatever ends the child is reported to the parent
        result = PeerFailed(f"{type(exc).__name__}: {exc}")
    try:
        send.send(result)
    finally:
        send.close()


def _interrupt_once(_signum: int, _frame: object) -> None:
    """The first SIGINT stops the run; more (a terminal's Ctrl-C and the parent passing it on) must not
    break the cleanup of the case being stopped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


class PeerRun:
    """`run_all` on another target in a child process, started at once; `result()` waits for it."""

    def __init__(self, scenarios: Sequence[Scenario], out: Path, kind: TargetKind,
                 on_start: Callable[[int, Scenario], None] = lambda i, s: None,
                 on_done: Callable[[int, ScenarioResult], None] = lambda i, r: None,
                 note: Note = lambda m: None) -> None:
        self.kind = kind
        # fork: the child shares the loaded catalogue and the callbacks as they are (nothing to pickle in)
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, name=f"tlslab-run-{kind}",
                                 args=(send, scenarios, out, kind, on_start, on_done, note))
        self._proc.start()
        send.close()
        self._result: RunResult | PeerFailed | None = None

    def result(self) -> RunResult | PeerFailed:
        """The child's RunResult (or why there is none), once it has finished."""
        if self._result is None:
            self._result = self._collect(None)
        return self._result

    def stop(self) -> RunResult | PeerFailed:
        """Ctrl-C for the child: it stops its running case and reports what it finished (kept for
        `result()`); killed when it has not done so within STOP_GRACE_S."""
        if self._result is None:
            if self._proc.is_alive() and self._proc.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._proc.pid, signal.SIGINT)
            self._result = self._collect(STOP_GRACE_S)
        return self._result

    def _collect(self, timeout: float | None) -> RunResult | PeerFailed:
        # read before joining: a result larger than the pipe's buffer keeps the child in send() until then
        got: object
        try:
            got = self._recv.recv() if self._recv.poll(timeout) else None
        except (EOFError, OSError):
            got = PeerFailed(f"the {self.kind} run ended without a result (exit code {self._proc.exitcode})")
        if got is None:
            self._proc.kill()
            got = PeerFailed(f"the {self.kind} run did not stop within {timeout:g} s and was killed")
        self._proc.join()
        return got if isinstance(got, RunResult | PeerFailed) else PeerFailed(f"unexpected result {got!r}")
