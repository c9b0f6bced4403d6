"""A wall-clock limit on the start and act steps of a scenario (never on stop: cleanup always completes)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class ScenarioTimeout(BaseException):
    """Raised in the main thread when a scenario overruns its `timeout`.

    A BaseException on purpose: workload code that catches Exception (a client error is data there)
    must not swallow it.
    """


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ScenarioTimeout in the main thread after `seconds`; no limit outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if seconds <= 0:
        raise ScenarioTimeout

    def expire(_signum: int, _frame: object) -> None:
        raise ScenarioTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
