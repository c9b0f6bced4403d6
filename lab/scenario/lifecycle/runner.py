"""The lifecycle in order: prepare → start → act → stop (always) → verify → report.

One case at a time, one scenario at a time. A case that crashes or overruns the scenario's timeout is
recorded as an error (with its server log tail) and the run goes on; Ctrl-C stops what is running, writes
what was finished, and ends the run.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from lab.scenario.evidence import CaseEvidence, Json
from lab.scenario.lifecycle.act import act
from lab.scenario.lifecycle.deadline import ScenarioTimeout, deadline
from lab.scenario.lifecycle.disk import exposures, scan_disk
from lab.scenario.lifecycle.prepare import PreparedCase, RunPaths, prepare
from lab.scenario.lifecycle.session import Session
from lab.scenario.lifecycle.verify import analyse_capture, judge, not_judged
from lab.scenario.report import write_run, write_scenario
from lab.scenario.results import CaseResult, FixResult, RunResult, ScenarioResult, scenario_verdict
from lab.scenario.schema import Scenario
from lab.scenario.workloads import WorkloadResult
from lab.targets import TargetKind

Note = Callable[[str], None]


def _quiet(_message: str) -> None:
    """The default progress sink: say nothing."""


def _prefixed(note: Note, prefix: str) -> Note:
    return lambda message: note(f"{prefix}: {message}")


def describe(exc: BaseException) -> str:
    """One line a person can act on: the exception and where in the lab it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/lab/" in f.filename or "/server/" in f.filename]
    where = f" (at {Path(ours[-1].filename).name}:{ours[-1].lineno})" if ours else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _start_and_act(
    session: Session, ends_at: float, timeout_s: float, refusal_expected: bool, note: Note
) -> tuple[WorkloadResult | None, str | None]:
    try:
        with deadline(ends_at - time.monotonic()):
            if not session.start():
                note("server refused to start")
                # only a scenario about start-up failure expects this; anywhere else it breaks the run
                return None, None if refusal_expected else f"the server did not start: {session.start_error}"
            assert session.target is not None
            ports = ", ".join(f"{k} {v}" for k, v in session.ports.items())
            workload = session.case.workload.name
            note(f"{session.spec.kind} pid {session.target.pid} on {ports}; workload {workload}")
            return act(session), None
    except ScenarioTimeout:
        return None, f"timed out: the scenario's limit is {timeout_s:g} s (timeout = ... in its file)"
    except Exception as exc:  # a crash of this case is data; the run goes on
        return None, describe(exc)


def run_case(
    prepared: PreparedCase,
    kind: TargetKind,
    ends_at: float,
    timeout_s: float,
    note: Note,
    refusal_expected: bool = False,
) -> CaseEvidence:
    """start → act → stop (always, even on Ctrl-C: the interrupt propagates after cleanup) → evidence."""
    t0 = time.monotonic()
    session = Session(prepared, kind)
    try:
        outcome, error = _start_and_act(session, ends_at, timeout_s, refusal_expected, note)
    finally:
        stopped = session.stop()
    observations: dict[str, Json] = dict(outcome.observations) if outcome else {}
    if stopped.attacker:
        observations["attacker"] = dict(stopped.attacker)
    secrets = outcome.secrets if outcome else ()
    capture = None
    if stopped.capture is not None and error is None:
        note("analysing capture")
        try:
            capture = analyse_capture(stopped.capture, secrets)
        except Exception as exc:
            error = f"capture analysis failed: {describe(exc)}"
    start_error = session.start_error
    config = stopped.data_dir.parent / "redis.conf" if stopped.data_dir else None
    disk = scan_disk(stopped.data_dir, secrets, config)
    return CaseEvidence(
        case=prepared.case.name,
        target_kind=kind,
        ports=session.ports,
        started=session.target is not None,
        start_error=str(start_error) if start_error else None,
        error=error,
        log_text=stopped.log_text,
        clients=outcome.clients if outcome else (),
        observations=observations,
        secrets=secrets,
        capture=capture,
        at_rest=exposures(disk, secrets),
        disk=disk,
        duration_s=time.monotonic() - t0,
    )


def _case_result(ev: CaseEvidence, workdir: Path, fix: bool) -> CaseResult:
    return CaseResult(
        name=ev.case,
        started=ev.started,
        start_error=ev.start_error,
        error=ev.error,
        duration_s=ev.duration_s,
        ports=dict(ev.ports),
        clients=ev.clients,
        observations=dict(ev.observations),
        secrets=tuple(s.label for s in ev.secrets),
        capture=ev.capture,
        at_rest=ev.at_rest,
        disk=ev.disk,
        log_tail=ev.log_tail,
        workdir=str(workdir),
        fix=fix,
    )


def run_scenario(
    scenario: Scenario, paths: RunPaths, kind: TargetKind, note: Note = _quiet
) -> ScenarioResult:
    """All cases of one scenario, judged and written to reports/<run-id>/<name>.{json,md}.

    KeyboardInterrupt propagates (after the running case was stopped); the caller ends the run.
    """
    t0 = time.monotonic()
    ends_at = t0 + scenario.timeout_s
    evidence: dict[str, CaseEvidence] = {}
    workdirs: dict[str, Path] = {}
    errors: list[str] = []
    try:
        prepared = prepare(scenario, paths)
    except Exception as exc:
        prepared = ()
        errors.append(f"prepare failed: {describe(exc)}")
    for p in prepared:
        workdirs[p.case.name] = p.workdir
        if time.monotonic() >= ends_at:
            errors.append(
                f"case {p.case.name}: not run, the scenario's {scenario.timeout_s:g} s were used up"
            )
            continue
        note(f"case {p.case.name}")
        refusal = any(e.kind == "target-start" and p.case.name in e.cases for e in scenario.expect)
        ev = run_case(p, kind, ends_at, scenario.timeout_s, _prefixed(note, p.case.name), refusal)
        evidence[p.case.name] = ev
        if ev.error:
            errors.append(f"case {ev.case}: {ev.error}")
    expectations = judge(scenario, evidence)
    fix_case = scenario.fix_case
    fix_name = fix_case.name if fix_case else None
    fix_ev = evidence.get(fix_name) if fix_name else None
    fix = FixResult.of(scenario.remediation.advice, fix_name, expectations,
                       fix_ev.error if fix_ev else None, fix_ev is not None)
    result = ScenarioResult(
        name=scenario.name,
        title=scenario.title,
        claim=scenario.claim,
        story=scenario.story,
        tags=scenario.tags,
        target=kind,
        verdict=scenario_verdict(errors, expectations),
        error="\n".join(errors) or None,
        duration_s=time.monotonic() - t0,
        cases=tuple(_case_result(ev, workdirs[name], name == fix_name) for name, ev in evidence.items()),
        expectations=expectations,
        remediation=scenario.remediation,
        source=scenario.path,
        fix=fix,
        not_judged=not_judged(scenario, evidence),
    )
    write_scenario(result, paths.reports)
    return result


def run_all(
    scenarios: Sequence[Scenario],
    out: Path,
    kind: TargetKind,
    on_start: Callable[[int, Scenario], None] = lambda i, s: None,
    on_done: Callable[[int, ScenarioResult], None] = lambda i, r: None,
    note: Note = _quiet,
    peer: RunResult | None = None,
    wait_peer: Callable[[bool], RunResult | None] | None = None,
) -> RunResult:
    """Run the scenarios in order into out/reports/<run-id>/ and out/captures/<run-id>/; `peer` is the
    same scenarios' run on the other target, shown beside this run's verdicts. `wait_peer(interrupted)`
    gives it once this run's scenarios are done (a peer run going on at the same time, lifecycle.peer).

    Ctrl-C: the running scenario is stopped (no process, no port left), the rest is skipped, and the
    run is still reported, marked interrupted.
    """
    paths = RunPaths.new(out)
    started_at = dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    results: list[ScenarioResult] = []
    interrupted = False
    for i, scenario in enumerate(scenarios):
        on_start(i, scenario)
        try:
            result = run_scenario(scenario, paths, kind, note)
        except KeyboardInterrupt:
            interrupted = True
            break
        results.append(result)
        on_done(i, result)
    if wait_peer is not None:
        peer = wait_peer(interrupted)
    return finish_run(paths, kind, started_at, t0, interrupted, results, peer)


def finish_run(paths: RunPaths, kind: TargetKind, started_at: str, t0: float, interrupted: bool,
               results: Sequence[ScenarioResult], peer: RunResult | None = None) -> RunResult:
    """The run's result from what finished (t0 from time.monotonic()), written with reports/latest."""
    run = RunResult(
        run_id=paths.run_id,
        target=kind,
        started_at=started_at,
        duration_s=time.monotonic() - t0,
        interrupted=interrupted,
        reports_dir=str(paths.reports),
        captures_dir=str(paths.captures),
        scenarios=tuple(results),
        peer=peer.as_peer(str(paths.reports)) if peer is not None else None,
    )
    write_run(run)
    return run
