"""The guided walk: explain → ask → run the scenario live → show the evidence → reveal, paced by Enter.

All scenarios of one course go into one run (reports/<run-id>/), reported like `tlslab run`, so the
summary ends with a report link. A scenario two lessons share runs once; the second lesson shows the
same evidence again. The terminal is reached only through `say` and `ask`, so the walk is testable.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lab.course.evidence import VERDICT, agreement_line, evidence_lines
from lab.course.lessons import Lesson
from lab.scenario.lifecycle.prepare import RunPaths
from lab.scenario.lifecycle.runner import finish_run, run_scenario
from lab.scenario.results import RunResult, ScenarioResult
from lab.scenario.schema import Scenario
from lab.targets import TargetKind

Say = Callable[[str], None]
Ask = Callable[[str], str]
WIDTH = 96
KIND_LABEL = {"step": "step", "myth": "myth", "pitfall": "pitfall", "note": "note"}


@dataclass(frozen=True)
class Answer:
    lesson: str
    given: int | None  # None: skipped (or --no-pause)
    correct: int

    @property
    def right(self) -> bool:
        return self.given == self.correct


@dataclass(frozen=True)
class CourseResult:
    answers: tuple[Answer, ...]
    run: RunResult
    index: Path  # reports/<run-id>/index.html

    @property
    def ok(self) -> bool:
        return self.run.ok


def _para(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def _ask_choice(lesson: Lesson, ask: Ask | None, say: Say) -> int | None:
    if ask is None:
        say("  (--no-pause: no answer asked)")
        return None
    while True:
        reply = ask(f"  your answer (1-{len(lesson.choices)}, Enter to skip): ").strip()
        if not reply:
            return None
        if reply.isdigit() and 1 <= int(reply) <= len(lesson.choices):
            return int(reply)
        say(f"  please type a number from 1 to {len(lesson.choices)}, or just Enter")


def _scenarios(
    lesson: Lesson, quick: bool, catalogue: Mapping[str, Scenario], paths: RunPaths, target: TargetKind,
    done: dict[str, ScenarioResult], say: Say,
) -> list[ScenarioResult]:
    results = []
    if lesson.judged_on is not None and lesson.judged_on != target:
        if lesson.judged_on == "redis-server" and shutil.which("redis-server") is None:
            say("  (this claim is about Redis itself and is judged on redis-server, which is not installed "
                "here: apt-get install redis-server. Nothing runs for it.)")
            return []
        target = lesson.judged_on
    for name in lesson.to_run(quick):
        if name not in done:
            say(f"  ▶ running scenario {name} live on the {target} server …")
            done[name] = run_scenario(catalogue[name], paths, target)
        else:
            say(f"  ▶ scenario {name} already ran above; its evidence again:")
        results.append(done[name])
    return results


def _lesson(
    n: int, total: int, lesson: Lesson, quick: bool, catalogue: Mapping[str, Scenario], paths: RunPaths,
    target: TargetKind, done: dict[str, ScenarioResult], say: Say, ask: Ask | None,
) -> Answer:
    say("")
    say("─" * WIDTH)
    say(f"[{n}/{total}] {KIND_LABEL[lesson.kind].upper()} · {lesson.title}")
    say("─" * WIDTH)
    say(_para(lesson.explain))
    say("")
    say(_para(f"Before reading on: {lesson.question}"))
    for i, choice in enumerate(lesson.choices, 1):
        say(f"    {i}) {choice}")
    given = _ask_choice(lesson, ask, say)
    say("")
    results = _scenarios(lesson, quick, catalogue, paths, target, done, say)
    for result in results:
        for line in evidence_lines(result, lesson.show_config, lesson.show):
            say(line)
    if not results and quick and not lesson.quick:
        names = " ".join(lesson.scenarios)
        say(f"  (--quick: not run live here; `tlslab run {names}` shows it)")
    say("")
    verdict = "" if given is None else (" — you had it" if given == lesson.answer else f" — you said {given}")
    say(f"  Answer: {lesson.answer}) {lesson.correct}{verdict}")
    if not results:  # the reveal describes evidence that was not produced here: say so before it
        say("  What the scenario shows when it runs (it did not run here, so nothing above settles it):")
    say(_para(lesson.reveal))
    if line := agreement_line(results):
        say(line)
    if ask is not None:
        ask("  [Enter] next ")
    return Answer(lesson.name, given, lesson.answer)


def _summary(answers: tuple[Answer, ...], run: RunResult, index: Path, say: Say) -> None:
    say("")
    say("═" * WIDTH)
    say("Summary")
    answered = [a for a in answers if a.given is not None]
    if answered:
        say(f"  your predictions: {sum(a.right for a in answered)} of {len(answered)} right")
    for s in run.scenarios:
        met = sum(e.met for e in s.expectations)
        say(f"  {VERDICT[s.verdict]:<8} {s.name} ({met}/{len(s.expectations)} expectations)")
    counts = run.counts
    say(f"  {counts['met']} met · {counts['unmet']} unmet · {counts['error']} error "
        f"in {run.duration_s:.0f} s")
    if index.is_file():
        say(f"  report: file://{index.resolve()}")
    else:  # the engine's report step said why; the JSON is there to rebuild from
        say(f"  report: no HTML (see the warning above); JSON in {run.reports_dir}, "
            f"rebuild with `tlslab report {run.run_id}`")
    say("  captures (open in Wireshark with the key log beside them): " + run.captures_dir)


def walk(
    lessons: tuple[Lesson, ...],
    catalogue: Mapping[str, Scenario],
    out: Path,
    target: TargetKind,
    say: Say,
    ask: Ask | None,
    quick: bool = False,
) -> CourseResult:
    """Walk every lesson; `ask` None means --no-pause. Ctrl-C still writes the run (marked interrupted)."""
    paths = RunPaths.new(out)
    started_at = dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    done: dict[str, ScenarioResult] = {}
    answers: list[Answer] = []
    say(f"Redis TLS Lab — the course: {len(lessons)} lessons (seven steps, four myths, three pitfalls, "
        "and a note on being fast and safe).")
    say("Each lesson asks you to commit to an answer, then runs a scenario live and shows what settles it.")
    if ask is not None:
        say("About 25 minutes at a reading pace. Press Enter to move on; Ctrl-C stops cleanly.")
    interrupted = False
    try:
        for n, lesson in enumerate(lessons, 1):
            answers.append(_lesson(n, len(lessons), lesson, quick, catalogue, paths, target, done, say, ask))
    except (KeyboardInterrupt, EOFError):
        interrupted = True
    # JSON, reports/latest and (through the engine's report hook) the HTML pages
    run = finish_run(paths, target, started_at, t0, interrupted, tuple(done.values()))
    result = CourseResult(tuple(answers), run, paths.reports / "index.html")
    _summary(result.answers, run, result.index, say)
    if interrupted:
        raise KeyboardInterrupt
    return result
