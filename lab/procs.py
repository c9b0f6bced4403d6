"""Start the lab's child processes so that they die with the lab, even when the lab is SIGKILLed.

Every server, capture and tool the lab starts goes through `spawn` (long-running) or `run` (run to the end).
A `finally` cannot run after SIGKILL, so the guarantee is kept outside this process:
- from the main thread: the kernel's parent-death signal (prctl PR_SET_PDEATHSIG = SIGKILL), set between fork
  and exec. It fires when the *thread* that forked ends, and the main thread lives as long as the process;
- from any other thread (netlab's namespace threads, executors, which end long before their servers should): a
  guardian process, one per lab process, reads the pid and start time of each such child from a pipe. Only
  the lab holds the pipe's write end, so whenever the lab ends the guardian reads EOF and SIGKILLs the
  children still running (their whole process group when they lead one).
The guardian lives in the lab's own network namespace (never in a lab namespace the teardown empties) and its
own session (a terminal's Ctrl-C is the lab's to handle). A child started and not yet registered when the lab
is SIGKILLed (microseconds) is the one gap.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

# The guardian's whole program: `python -c` needs no import path and loads in a few ms.
_GUARDIAN = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def started(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1].split()[19]
    except (OSError, IndexError):
        return None
children = {}
for line in sys.stdin:
    pid, start = line.split()
    children[int(pid)] = start
for pid, start in children.items():
    if started(pid) != start:
        continue
    try:
        os.kill(-pid if os.getpgid(pid) == pid else pid, signal.SIGKILL)
    except OSError:
        pass
"""


def start_time(pid: int) -> str | None:
    """Start time in clock ticks since boot: with the pid it names one process (pids are reused)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def die_with_parent() -> None:
    """SIGKILL this process when the thread that forked it ends (forked workers call it first)."""
    parent = os.getppid()
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) received: unwinds like Ctrl-C, so every `finally` stops what it started."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM and SIGHUP (`kill`, `timeout`, a closed terminal) raise Terminated in the
    main thread, as Ctrl-C raises KeyboardInterrupt; from another thread it changes nothing."""
    owner = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:  # a forked helper (pyroute2, multiprocessing) ends as the signal means
            os._exit(128 + signum)
        raise Terminated(signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal ignored on purpose stays ignored (`nohup` ignores SIGHUP).
    wanted = [sig for sig in (signal.SIGTERM, signal.SIGHUP) if signal.getsignal(sig) is not signal.SIG_IGN]
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def forked_worker() -> None:
    """The first call of a forked worker its parent stops: it dies with the parent, and a terminal's Ctrl-C
    (sent to the whole process group) is the parent's to handle, not one traceback per worker."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Guardian:
    """The watchdog of children started from threads other than the main one (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._owner = 0  # the pid this guardian serves; a forked child of the lab needs its own

    def forget(self) -> None:
        """In a forked child: the parent's guardian is not ours; our copy of its pipe would keep it open."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None
        self._lock = threading.Lock()

    def _start(self) -> int:
        main_ns = os.open("/proc/self/ns/net", os.O_RDONLY)  # the main thread's namespace, not this thread's

        def back_to_main_namespace() -> None:
            _libc.setns(main_ns, CLONE_NEWNET)  # a no-op when equal; without CAP_SYS_ADMIN they always are

        try:
            proc = subprocess.Popen([sys.executable, "-S", "-c", _GUARDIAN], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
                                    start_new_session=True, preexec_fn=back_to_main_namespace)
        finally:
            os.close(main_ns)
        assert proc.stdin is not None
        fd = os.dup(proc.stdin.fileno())  # our own (close-on-exec) descriptor: `proc` may be collected
        proc.stdin.close()
        self._owner = os.getpid()
        return fd

    def watch(self, pid: int) -> None:
        start = start_time(pid)
        if start is None:
            return  # already gone
        line = f"{pid} {start}\n".encode()
        with self._lock:
            for _ in range(2):
                if self._fd is None or self._owner != os.getpid():
                    self._fd = self._start()
                try:
                    os.write(self._fd, line)
                    return
                except BrokenPipeError:  # the guardian was killed: start another one
                    os.close(self._fd)
                    self._fd = None
            raise OSError(f"could not hand child {pid} to a guardian process")


_guardian = _Guardian()
os.register_at_fork(after_in_child=_guardian.forget)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def spawn(argv: Sequence[str], *, preexec_fn: Callable[[], None] | None = None,
          **kwargs: Any) -> subprocess.Popen[Any]:
    """subprocess.Popen(argv, **kwargs) whose child is killed when this process ends, however it ends.

    `preexec_fn` (e.g. joining a namespace) runs in the child after the parent-death signal is set.
    """
    if _in_main_thread():
        parent = os.getpid()

        def prepare() -> None:
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != parent:  # the lab died between fork and prctl
                os._exit(1)
            if preexec_fn is not None:
                preexec_fn()

        return subprocess.Popen(list(argv), preexec_fn=prepare, **kwargs)
    proc = subprocess.Popen(list(argv), preexec_fn=preexec_fn, **kwargs)
    try:
        _guardian.watch(proc.pid)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc


def _kill_group(proc: subprocess.Popen[Any]) -> None:
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
            return
    except ProcessLookupError:
        return
    proc.kill()


def run(argv: Sequence[str], *, input: bytes | str | None = None, timeout: float | None = None,
        check: bool = False, capture_output: bool = False, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """subprocess.run through `spawn`: same arguments and errors (TimeoutExpired after killing the child).

    The child runs in a session of its own (unless told otherwise) and a timeout or Ctrl-C kills that whole
    group: a shell's own children (`sh -c "... sleep 30"`) would otherwise hold the pipes open, and the
    call would wait for them long after its timeout.
    """
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    kwargs.setdefault("start_new_session", True)
    with spawn(argv, **kwargs) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            exc.output, exc.stderr = proc.communicate()
            raise
        except BaseException:  # Ctrl-C included: the child does not outlive the call
            _kill_group(proc)
            raise
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check:
        done.check_returncode()
    return done
