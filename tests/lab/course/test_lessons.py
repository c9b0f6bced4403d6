"""The course content: every lesson file valid, the deep dive's structure complete, bad files named."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lab.course.lessons import check_scenarios, load_lesson, load_lessons
from lab.errors import UserError
from lab.scenario.loader import load_all
from lab.scenario.strict import SchemaError

GOOD = """
kind = "myth"
title = "T"
explain = "E"
question = "Q?"
choices = ["a", "b"]
answer = 2
reveal = "R"
scenarios = ["plaintext-sniff"]
"""


def test_seven_steps_four_myths_three_pitfalls_and_the_note() -> None:
    lessons = load_lessons()
    assert Counter(lesson.kind for lesson in lessons) == {"step": 7, "myth": 4, "pitfall": 3, "note": 1}
    assert [lesson.name[:2] for lesson in lessons] == [f"{i:02d}" for i in range(1, 16)]
    check_scenarios(lessons, {s.name for s in load_all()})  # every named scenario exists


def test_quick_selection_runs_something_and_stays_small() -> None:
    quick = {name for lesson in load_lessons() for name in lesson.to_run(quick=True)}
    assert 2 <= len(quick) <= 6
    assert {"plaintext-sniff", "tls-without-certs"} <= quick


def test_answer_out_of_range_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "99-bad.toml"
    path.write_text(GOOD.replace("answer = 2", "answer = 3"))
    with pytest.raises(SchemaError, match=r"99-bad\.toml.*answer between 1 and 2"):
        load_lesson(path)


def test_unknown_key_and_unknown_scenario(tmp_path: Path) -> None:
    path = tmp_path / "98-typo.toml"
    path.write_text(GOOD + 'quik = ["plaintext-sniff"]\n')
    with pytest.raises(SchemaError, match=r'quik.*did you mean "quick"'):
        load_lesson(path)
    path.write_text(GOOD.replace("plaintext-sniff", "no-such-scenario"))
    with pytest.raises(UserError, match="98-typo names unknown scenario"):
        check_scenarios((load_lesson(path),), {s.name for s in load_all()})


def test_quick_must_be_a_subset(tmp_path: Path) -> None:
    path = tmp_path / "97-quick.toml"
    path.write_text(GOOD + 'quick = ["tls-sniff"]\n')
    with pytest.raises(SchemaError, match="not tls-sniff"):
        load_lesson(path)
