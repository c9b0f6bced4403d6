"""SLOWLOG entries and LATENCY events: what the dispatcher records about commands that took long.

A command is logged when it took at least slowlog-log-slower-than microseconds (0: every command, -1:
none); a latency event ("command", or "fast-command" for commands flagged fast) is recorded when it took
at least latency-monitor-threshold milliseconds (0: monitoring off), one sample per second per event.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

MAX_ARGS = 32  # SLOWLOG_ENTRY_MAX_ARGC
MAX_ARG_LEN = 128  # SLOWLOG_ENTRY_MAX_STRING
LATENCY_SAMPLES = 160  # LATENCY_TS_LEN


def shown_args(argv: list[bytes | None]) -> list[bytes]:
    """The arguments as SLOWLOG keeps them: at most 32, each cut to 128 bytes, secrets redacted."""
    out: list[bytes] = []
    limit = MAX_ARGS - 1 if len(argv) > MAX_ARGS else len(argv)
    for arg in argv[:limit]:
        if arg is None:
            out.append(b"(redacted)")
        elif len(arg) > MAX_ARG_LEN:
            out.append(arg[:MAX_ARG_LEN] + b"... (%d more bytes)" % (len(arg) - MAX_ARG_LEN))
        else:
            out.append(arg)
    if len(argv) > MAX_ARGS:
        out.append(b"... (%d more arguments)" % (len(argv) - MAX_ARGS + 1))
    return out


@dataclass
class SlowEntry:
    id: int
    time: int
    micros: int
    args: list[bytes]
    addr: str
    name: bytes

    def reply(self) -> list[object]:
        return [self.id, self.time, self.micros, self.args, self.addr.encode(), self.name]


class SlowLog:
    def __init__(self) -> None:
        self.entries: deque[SlowEntry] = deque()  # newest first
        self.next_id = 0

    def push(self, args: list[bytes], micros: int, addr: str, name: bytes, max_len: int) -> None:
        self.entries.appendleft(SlowEntry(self.next_id, int(time.time()), micros, args, addr, name))
        self.next_id += 1
        while len(self.entries) > max_len:
            self.entries.pop()

    def reset(self) -> None:
        self.entries.clear()


@dataclass
class LatencyEvent:
    samples: deque[tuple[int, int]] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))
    max_ms: int = 0


class LatencyMonitor:
    def __init__(self) -> None:
        self.events: dict[str, LatencyEvent] = {}

    def add(self, event: str, ms: int) -> None:
        now = int(time.time())
        record = self.events.setdefault(event, LatencyEvent())
        record.max_ms = max(record.max_ms, ms)
        if record.samples and record.samples[-1][0] == now:  # one sample per second: keep the worst
            ms = max(ms, record.samples[-1][1])
            record.samples.pop()
        record.samples.append((now, ms))

    def reset(self, events: list[str]) -> int:
        names = list(self.events) if not events else [e for e in events if e in self.events]
        for name in names:
            del self.events[name]
        return len(names)


# LATENCY HISTOGRAM: Redis keeps one HdrHistogram per command (1 ns .. 1 s, 2 significant digits) and
# reports it cumulatively at 1024 ns x 2^k (hdr_iter_log), each level labelled with the highest value its
# bucket holds, in microseconds. A duration of d us counts at level k when d * 1000 is at most that
# highest value; the labels come out as 1, 2, 4, 8, 16, 33, 66, 132 ... (the bucket width is level/128).
_LEVELS = [1024 << k for k in range(20)]  # up to 2^29 ns; hdr_iter_log stops before 2^30
HISTOGRAM_KEYS = [(level + max(level // 128, 1) - 1) // 1000 for level in _LEVELS]


# The level of every duration under this many microseconds, looked up instead of searched: nearly
# every command lands here, and the histogram is on by default, so recording sits on the hot path.
_DIRECT = 1024
_BEYOND = len(HISTOGRAM_KEYS)  # the extra bucket of durations past the last level: counted, never shown


def _level(micros: int) -> int:
    return next((i for i, key in enumerate(HISTOGRAM_KEYS) if micros <= key), _BEYOND)


_LEVEL_OF = [_level(micros) for micros in range(_DIRECT)]


class CommandHistograms:
    """Per-command latency buckets (the command's full name: 'config|get'); a command's calls are the sum
    of its buckets."""

    def __init__(self) -> None:
        self.buckets: dict[str, list[int]] = {}

    def record(self, name: str, nanos: int) -> None:
        micros = nanos // 1000  # Redis measures in microseconds, then records micros * 1000 ns
        counts = self.buckets.get(name)
        if counts is None:
            counts = self.buckets[name] = [0] * (_BEYOND + 1)
        if micros < _DIRECT:
            counts[_LEVEL_OF[micros]] += 1
            return
        counts[_level(micros)] += 1

    def names(self) -> list[str]:
        """The commands recorded so far, in the order of their first call."""
        return list(self.buckets)

    def calls(self, name: str) -> int:
        return sum(self.buckets.get(name, ()))

    def cdf(self, name: str) -> list[tuple[int, int]]:
        """(microseconds, cumulative count) for the levels where the count grew."""
        out = []
        total = 0
        for key, count in zip(HISTOGRAM_KEYS, self.buckets[name][:_BEYOND], strict=True):
            if count:
                total += count
                out.append((key, total))
        return out

    def reset(self) -> None:
        self.buckets.clear()
