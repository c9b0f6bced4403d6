"""The walk with a learner typing: a wrong key, a right answer, a wrong answer; and a learner who leaves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.course.lessons import load_lessons
from lab.course.walk import walk
from lab.scenario.loader import load_all


def _scripted(replies: list[str]) -> tuple[list[str], object]:
    prompts: list[str] = []
    it: Iterator[str] = iter(replies)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(it)

    return prompts, ask


def test_answers_are_checked_and_the_report_is_linked(tmp_path: Path) -> None:
    lessons = {lesson.name: lesson for lesson in load_lessons()}
    chosen = (lessons["01-plain-text"], lessons["12-pitfall-no-certs"])
    said: list[str] = []
    prompts, ask = _scripted(["x", "1", "", "2", ""])
    catalogue = {s.name: s for s in load_all()}
    result = walk(chosen, catalogue, tmp_path, "bundled", said.append, ask, quick=True)  # type: ignore[arg-type]
    text = "\n".join(said)
    assert "please type a number from 1 to 3" in text
    assert "you had it" in text and "you said 2" in text
    assert [a.right for a in result.answers] == [True, False]
    assert "your predictions: 1 of 2 right" in text
    assert [s.name for s in result.run.scenarios] == ["plaintext-sniff", "tls-without-certs"]
    assert result.ok and result.index.is_file()
    assert f"report: file://{result.index.resolve()}" in text
    assert len(prompts) == 5


def test_leaving_midway_still_writes_the_run(tmp_path: Path) -> None:
    lessons = load_lessons()[:2]

    def gone(_prompt: str) -> str:
        raise EOFError

    said: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        walk(lessons, {s.name: s for s in load_all()}, tmp_path, "bundled", said.append, gone, quick=True)
    run = json.loads(next((tmp_path / "reports").glob("2*/run.json")).read_text())
    assert run["interrupted"] is True
    assert (tmp_path / "reports" / "latest" / "index.html").is_file()


def _lesson(name: str):  # type: ignore[no-untyped-def]
    return {lesson.name: lesson for lesson in load_lessons()}[name]


def test_a_quick_lesson_that_runs_nothing_does_not_pass_its_reveal_off_as_evidence(tmp_path: Path) -> None:
    lesson = _lesson("14-pitfall-no-verify")
    assert not lesson.quick, "pick a lesson --quick does not run"
    said: list[str] = []
    walk((lesson,), {s.name: s for s in load_all()}, tmp_path, "bundled", said.append, None, quick=True)
    text = "\n".join(said)
    assert "it did not run here, so nothing above settles it" in text
    assert "The evidence above agrees" not in text


def test_the_performance_lesson_prints_the_cost_and_agrees_with_the_resumption_counts(tmp_path: Path) -> None:
    lesson = _lesson("06-performance")
    said: list[str] = []
    result = walk((lesson,), {s.name: s for s in load_all()}, tmp_path, "bundled", said.append, None)
    text = "\n".join(said)
    resumption = next(s for s in result.run.scenarios if s.name == "session-resumption")
    off = next(c for c in resumption.cases if c.name == "caching-off")
    resumed = off.observations["resumed"]
    assert f"[caching-off] measured: full = {off.observations['full']} · resumed = {resumed}" in text
    if isinstance(resumed, int) and resumed > 0:  # then the reveal must not say caching off = full handshakes
        assert "with it off, every connection pays a full handshake" not in " ".join(text.split())
    assert "measured: plaintext_connect_us_median = " in text and "connect_ratio = " in text
    assert "redis-py" in text and "never offers a session" in " ".join(text.split())


def test_a_claim_about_redis_is_judged_on_redis_server(tmp_path: Path) -> None:
    from tests.conftest import require_tool

    require_tool("redis-server")
    said: list[str] = []
    result = walk((_lesson("11-myth-own-crypto"),), {s.name: s for s in load_all()}, tmp_path, "bundled",
                  said.append, None)
    (internals,) = result.run.scenarios
    assert internals.target == "redis-server" and internals.verdict == "met"
    assert internals.cases[0].observations["server_program"] == "redis-server"
    assert "measured: server_program = redis-server" in "\n".join(said)
