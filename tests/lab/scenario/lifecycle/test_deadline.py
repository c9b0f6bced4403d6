"""lab.scenario.lifecycle.deadline: the limit fires in the main thread, and never outlives its block."""

from __future__ import annotations

import signal
import time

import pytest

from lab.scenario.lifecycle.deadline import ScenarioTimeout, deadline


def test_overrunning_the_limit_raises() -> None:
    t0 = time.monotonic()
    with pytest.raises(ScenarioTimeout), deadline(0.2):
        time.sleep(5)
    assert time.monotonic() - t0 < 2


def test_a_block_within_the_limit_is_untouched_and_the_timer_is_gone() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with deadline(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_no_time_left_raises_at_once() -> None:
    with pytest.raises(ScenarioTimeout), deadline(0):
        pytest.fail("the block must not run")


def test_catching_exception_does_not_swallow_it() -> None:
    with pytest.raises(ScenarioTimeout), deadline(0.1):
        try:
            time.sleep(5)
        except Exception:  # what workload code does with client errors
            pytest.fail("ScenarioTimeout must not be an Exception")
