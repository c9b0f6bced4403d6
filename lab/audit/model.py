"""What an audit finds, as frozen dataclasses; JSON via `dataclasses.asdict` (`AuditReport.to_dict`).

The same findings model as `tlslab analyze` (severity, why, fix), with the evidence as `observed`: what
the audit itself saw (a reply, a handshake outcome, a config line), quoted so that a reader can check it.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any

from lab.analysis.model import CheckResult
from lab.jsonable import plain
from lab.severity import SEVERITIES, Severity


class Source(enum.Enum):
    """Where a finding comes from: the running server, the config file, or the difference between them."""

    LIVE = "live"
    CONFIG = "config"
    DRIFT = "drift"


@dataclass(frozen=True)
class AuditFinding:
    check: str
    severity: Severity
    title: str
    observed: str  # the evidence: what the audit saw (a reply, an alert, a config line with its place)
    why: str
    fix: tuple[str, ...]  # redis.conf lines (or, for a certificate, what to issue) that remove the finding
    source: Source


AuditCheckResult = CheckResult[AuditFinding]  # the observatory's result shape, with the audit's findings


@dataclass(frozen=True)
class AuditReport:
    target: str  # "127.0.0.1:6380", "redis.conf", or both
    facts: dict[str, Any]  # the facts the checks judged (tls, redis, config), as plain data
    checks: tuple[AuditCheckResult, ...]
    seconds: float
    errors: tuple[str, ...] = field(default=())  # probes that could not run, in their own words

    @property
    def findings(self) -> tuple[AuditFinding, ...]:
        return tuple(f for c in self.checks for f in c.findings)

    def at_least(self, severity: Severity) -> tuple[AuditFinding, ...]:
        floor = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if SEVERITIES.index(f.severity) >= floor)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["findings"] = [dataclasses.asdict(f) for f in self.findings]
        data["kind"] = "audit"
        return plain(data)
