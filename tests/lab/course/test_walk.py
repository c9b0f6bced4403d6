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
