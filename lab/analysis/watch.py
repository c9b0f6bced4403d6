"""The observatory live: the captures of a ring buffer, one file at a time, through the same `analyze`.

`Watch.feed(path)` analyses one finished ring file and returns what is new: findings not raised before
(deduplicated by check and title), rate alerts, and the Redis command log lines of that file. It does no
capture and no printing (lab.cli.watch does), so it is tested on files like any other analysis.

A connection that spans two ring files is analysed as two pieces: the second starts mid-connection (the
ports decide the direction) and, for TLS, without its handshake, so only the first file shows its TLS facts.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lab.analysis.analyze import analyze
from lab.analysis.model import CaptureReport, Finding, StreamInfo

WINDOW_S = 60.0  # rates are per minute
# Alerts a verifying client sends when the certificate it got is not the one it trusts: from many
# clients at once, the signature of an interception attempt (a MITM with its own certificate).
INTERCEPTION_ALERTS = frozenset({"Unknown CA", "Bad Certificate", "Certificate Unknown", "Decrypt Error"})
INTERCEPTION_CLIENTS = 3  # distinct client connections within WINDOW_S


class EventKind(StrEnum):
    FINDING = "finding"
    INTERCEPTION = "interception"
    HANDSHAKE_FAILURES = "handshake-failures"


@dataclass(frozen=True)
class WatchEvent:
    kind: EventKind
    severity: str
    title: str
    seen: float  # epoch seconds when the watch saw it
    finding: Finding | None = None
    source: str = ""  # the ring file it came from


@dataclass(frozen=True)
class CommandLogLine:
    """One Redis command and its reply, in the spirit of Zeek's redis.log."""

    ts: float
    stream: str  # "client-host:port -> server-host:port"
    command: str
    success: bool | None  # None: no reply seen (yet)
    reply: str


@dataclass(frozen=True)
class Rates:
    """Counts over the last WINDOW_S seconds."""

    handshake_failures: int
    alerts: tuple[tuple[str, int], ...]  # (alert name, count), most frequent first
    resets: int
    tls_streams: int
    redis_streams: int


@dataclass(frozen=True)
class Update:
    events: tuple[WatchEvent, ...]
    commands: tuple[CommandLogLine, ...]
    rates: Rates
    report: CaptureReport


@dataclass
class _Tick:
    at: float
    failures: int
    alerts: Counter[str]
    resets: int
    tls: int
    redis: int
    interception: set[str] = field(default_factory=set)


def handshake_failed(s: StreamInfo) -> bool:
    """A TLS connection that ended in a fatal alert, or got no ServerHello at all."""
    if s.transport != "tls":
        return False
    return any(a.level == "fatal" for a in s.tls_alerts) or s.server_hello_frame is None


def command_log(report: CaptureReport, seen: float) -> list[CommandLogLine]:
    lines = []
    for s in report.redis_streams:
        name = f"{s.client.host}:{s.client.port} -> {s.server.host}:{s.server.port}"
        replies = deque(line for line in s.transcript if line.direction == "s2c")
        for line in s.transcript:
            if line.direction != "c2s":
                continue
            reply = replies.popleft() if replies else None
            success = None if reply is None else not reply.text.startswith("(error)")
            lines.append(CommandLogLine(seen, name, line.text, success, reply.text if reply else ""))
    return lines


class Watch:
    def __init__(
        self,
        ports: Sequence[int] = (),
        keylog: Path | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.ports = tuple(ports)
        self.keylog = keylog
        self.secrets = tuple(secrets)
        self._clock = time.time
        self._raised: set[tuple[str, str]] = set()
        self._ticks: deque[_Tick] = deque()
        self._intercept_raised_at = -WINDOW_S
        self.files = 0
        self.packets = 0
        self.seconds = 0.0  # time spent analysing (the watch's own cost)
        self.findings: list[Finding] = []

    def feed(self, path: Path, now: float | None = None) -> Update:
        seen = self._clock() if now is None else now
        started = time.monotonic()
        report = analyze(path, keylog=self.keylog, ports=self.ports, secrets=self.secrets, require_keys=False)
        self.seconds += time.monotonic() - started
        self.files += 1
        self.packets += report.read.packets
        events = []
        servers = {s.stream: f"{s.server.host}:{s.server.port}" for s in report.streams}
        for f in report.findings:
            # Once per check, severity and server: counts in titles change with every ring file.
            where = servers.get(f.stream, f.title) if f.stream is not None else f.title
            key = (f.check, f"{f.severity} {where}")
            if key not in self._raised:
                self._raised.add(key)
                self.findings.append(f)
                events.append(WatchEvent(EventKind.FINDING, f.severity, f.title, seen, f, str(path)))
        events += self._rate_events(report, seen, str(path))
        return Update(tuple(events), tuple(command_log(report, seen)), self.rates(seen), report)

    def _rate_events(self, report: CaptureReport, seen: float, source: str) -> list[WatchEvent]:
        alerts: Counter[str] = Counter()
        interception = set()
        for s in report.streams:
            for a in s.tls_alerts:
                alerts[a.name] += 1
                if a.direction == "c2s" and a.name in INTERCEPTION_ALERTS:
                    interception.add(f"{s.client.host}:{s.client.port}->{s.server.host}:{s.server.port}")
        tick = _Tick(
            seen,
            sum(handshake_failed(s) for s in report.streams),
            alerts,
            sum(s.resets for s in report.streams),
            sum(s.transport == "tls" for s in report.streams),
            len(report.redis_streams),
            interception,
        )
        self._ticks.append(tick)
        while self._ticks and self._ticks[0].at < seen - WINDOW_S:
            self._ticks.popleft()
        events = []
        rejecting = set().union(*(t.interception for t in self._ticks))
        if len(rejecting) >= INTERCEPTION_CLIENTS and seen - self._intercept_raised_at >= WINDOW_S:
            self._intercept_raised_at = seen
            names = Counter(n for t in self._ticks for n in t.alerts.elements() if n in INTERCEPTION_ALERTS)
            kinds = ", ".join(f"{n} x{c}" for n, c in names.most_common())
            events.append(
                WatchEvent(
                    EventKind.INTERCEPTION,
                    "high",
                    f"possible TLS interception: {len(rejecting)} client connections rejected the server's "
                    f"certificate in the last minute ({kinds})",
                    seen,
                    source=source,
                )
            )
        return events

    def rates(self, now: float) -> Rates:
        ticks = [t for t in self._ticks if t.at >= now - WINDOW_S]
        alerts: Counter[str] = Counter()
        for t in ticks:
            alerts.update(t.alerts)
        return Rates(
            handshake_failures=sum(t.failures for t in ticks),
            alerts=tuple(alerts.most_common()),
            resets=sum(t.resets for t in ticks),
            tls_streams=sum(t.tls for t in ticks),
            redis_streams=sum(t.redis for t in ticks),
        )
