"""Progress of a long bench: a tqdm bar with the cells done and the time left, and notes above it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol

from tqdm import tqdm


class Steps(Protocol):
    """What a bench reports while it runs: the planned total, each unit of work done, and notes."""

    def plan(self, total: int) -> None: ...

    def step(self, line: str) -> None: ...

    def note(self, line: str) -> None: ...


class Lines:
    """Every step and note as a plain line (tests, logs, a terminal without a bar)."""

    def __init__(self, emit: Callable[[str], None] = print) -> None:
        self.emit = emit
        self.total = 0
        self.done = 0

    def plan(self, total: int) -> None:
        self.total = total

    def step(self, line: str) -> None:
        self.done += 1
        self.emit(f"[{self.done}/{self.total}] {line}")

    def note(self, line: str) -> None:
        self.emit(line)


class Bar:
    """A tqdm bar on stderr: cells done of the total, elapsed and time left; the last line beside it."""

    def __init__(self) -> None:
        self._bar: tqdm[None] | None = None

    def plan(self, total: int) -> None:
        self.close()
        self._bar = tqdm(
            total=total,
            unit="cell",
            file=sys.stderr,
            dynamic_ncols=True,
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} cells [{elapsed}<{remaining}] {postfix}",
        )

    def step(self, line: str) -> None:
        if self._bar is None:
            self.plan(0)
        assert self._bar is not None
        self._bar.set_postfix_str(line[-70:], refresh=False)
        self._bar.update(1)

    def note(self, line: str) -> None:
        tqdm.write(f"[bench] {line}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def steps_of(progress: Steps | Callable[[str], None]) -> Steps:
    """A plain callable (print, list.append) becomes line output."""
    if isinstance(progress, (Lines, Bar)):
        return progress
    if hasattr(progress, "step") and hasattr(progress, "plan") and hasattr(progress, "note"):
        return progress
    assert callable(progress)
    return Lines(progress)
