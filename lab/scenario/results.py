"""Results of a run, frozen; JSON comes from them (dataclasses.asdict), nothing is re-measured for reports.

Verdicts: "met" (every expectation holds), "unmet" (the run worked, an expectation does not hold), "error"
(a case crashed or timed out: the run itself is broken; the server log tail says why).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lab.jsonable import plain
from lab.scenario.evidence import CaptureEvidence, ClientObservation, DiskFile, Exposure, Json
from lab.scenario.schema import Claim, Remediation
from lab.scenario.verdict import Verdict


@dataclass(frozen=True)
class ExpectationResult:
    kind: str
    case: str
    expected: str
    observed: Json
    met: bool
    evidence: tuple[str, ...] = ()
    target: str | None = None  # judged on this target only (None: on both)


@dataclass(frozen=True)
class FixResult:
    """Whether the remediation was run and held: proven only when the fix case ran without error and every
    expectation on it (the threat is gone) was met. Advice is a change the lab cannot run."""

    proven: bool
    advice: bool
    case: str | None  # the fix case's name among the cases (None for advice)
    checks: int  # expectations judged on the fix case
    met: int
    error: str | None = None  # why it is not proven, when it is not

    @classmethod
    def of(cls, advice: bool, case: str | None, expectations: tuple[ExpectationResult, ...],
           case_error: str | None, ran: bool) -> FixResult:
        if advice or case is None:
            return cls(False, True, None, 0, 0, None)
        mine = [e for e in expectations if e.case == case]
        met = sum(e.met for e in mine)
        error = None
        if not ran:
            error = "the fix case did not run"
        elif case_error:
            error = f"the fix case errored: {case_error}"
        elif met < len(mine):
            error = "; ".join(f"{e.expected}: observed {e.observed}" for e in mine if not e.met)
        return cls(error is None and bool(mine), False, case, len(mine), met, error)


@dataclass(frozen=True)
class CaseResult:
    name: str
    started: bool
    start_error: str | None
    error: str | None
    duration_s: float
    ports: Mapping[str, int]
    clients: tuple[ClientObservation, ...]
    observations: Mapping[str, Json]
    secrets: tuple[str, ...]  # labels only: the values stay out of reports
    capture: CaptureEvidence | None
    at_rest: tuple[Exposure, ...]
    log_tail: tuple[str, ...]
    workdir: str
    fix: bool = False  # the case the runner added to prove the remediation
    disk: tuple[DiskFile, ...] = ()  # the files the server left: kind, mode, secrets, key encryption


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    title: str
    claim: Claim
    story: str
    tags: tuple[str, ...]
    target: str
    verdict: Verdict
    error: str | None
    duration_s: float
    cases: tuple[CaseResult, ...]
    expectations: tuple[ExpectationResult, ...]
    remediation: Remediation
    source: str  # the scenario file
    fix: FixResult = FixResult(False, True, None, 0, 0)
    # expectations for the other target: what this target's evidence holds, shown, never judged
    not_judged: tuple[ExpectationResult, ...] = ()

    @property
    def unmet(self) -> tuple[ExpectationResult, ...]:
        return tuple(e for e in self.expectations if not e.met)


@dataclass(frozen=True)
class PeerVerdict:
    """One scenario's verdict on the other target, for the side-by-side index."""

    name: str
    verdict: Verdict
    fix_proven: bool
    fix_advice: bool
    page: str  # that run's scenario page, relative to this run's reports dir


@dataclass(frozen=True)
class PeerRun:
    """The same scenarios run on the other target in the same `tlslab run` (its own reports dir)."""

    target: str
    run_id: str
    reports_dir: str
    verdicts: tuple[PeerVerdict, ...]


@dataclass(frozen=True)
class RunResult:
    run_id: str
    target: str
    started_at: str  # ISO 8601, local time
    duration_s: float
    interrupted: bool
    reports_dir: str
    captures_dir: str
    scenarios: tuple[ScenarioResult, ...]
    peer: PeerRun | None = None  # the other target's run of the same scenarios, when both were run

    @property
    def counts(self) -> dict[str, int]:
        out = {"met": 0, "unmet": 0, "error": 0}
        for s in self.scenarios:
            out[s.verdict] += 1
        return out

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(s.verdict == "met" for s in self.scenarios)

    def as_peer(self, relative_to: str) -> PeerRun:
        """This run as the other target's column of a run whose reports dir is `relative_to`."""
        rel = os.path.relpath(self.reports_dir, relative_to)
        return PeerRun(self.target, self.run_id, rel, tuple(
            PeerVerdict(s.name, s.verdict, s.fix.proven, s.fix.advice, f"{rel}/{s.name}.html")
            for s in self.scenarios))


def scenario_verdict(errors: list[str], expectations: tuple[ExpectationResult, ...]) -> Verdict:
    if errors:
        return "error"
    return "met" if all(e.met for e in expectations) else "unmet"


def to_dict(result: ScenarioResult | RunResult) -> dict[str, Any]:
    data: dict[str, Any] = plain(dataclasses.asdict(result))
    if isinstance(result, RunResult):
        data["counts"] = result.counts
    return data


def to_json(result: ScenarioResult | RunResult) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
