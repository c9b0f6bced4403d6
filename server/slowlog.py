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
