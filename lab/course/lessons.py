"""The course's content is data: one TOML file per lesson in lab/course/steps/, validated like scenarios.

A lesson explains in a few lines, asks a question with numbered choices (the learner commits before the
evidence), names the scenarios that settle it (run live), and says what the evidence shows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from lab.errors import UserError
from lab.scenario.strict import SchemaError, build
from lab.targets import TargetKind

LessonKind = Literal["step", "myth", "pitfall", "note"]


@dataclass(frozen=True)
class Lesson:
    kind: LessonKind
    title: str
    explain: str
    question: str
    choices: tuple[str, ...]
    answer: int  # 1-based: what the learner types
    reveal: str
    scenarios: tuple[str, ...]  # run live, in order, in the full course
    quick: tuple[str, ...] = ()  # the subset `--quick` runs (empty: none, the text is still shown)
    show_config: bool = False  # print the TLS lines of the server's generated redis.conf
    show: tuple[str, ...] = ()  # observation keys printed per case (the numbers the reveal talks about)
    judged_on: TargetKind | None = None  # the claim is about this server: its scenarios run there
    name: str = ""  # the file's stem, filled in by the loader

    def __post_init__(self) -> None:
        if len(self.choices) < 2:
            raise ValueError("at least two choices")
        if not 1 <= self.answer <= len(self.choices):
            raise ValueError(f"answer between 1 and {len(self.choices)} (the number of a choice)")
        if not self.scenarios:
            raise ValueError("at least one scenario that settles the question")
        stray = [q for q in self.quick if q not in self.scenarios]
        if stray:
            raise ValueError(f"quick scenarios that are also in scenarios (not {', '.join(stray)})")

    @property
    def correct(self) -> str:
        return self.choices[self.answer - 1]

    def to_run(self, quick: bool) -> tuple[str, ...]:
        return self.quick if quick else self.scenarios


def lessons_dir() -> Path:
    return Path(__file__).resolve().parent / "steps"


def load_lesson(path: Path) -> Lesson:
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read lesson file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(path, "", f"valid TOML ({exc})") from None
    return replace(build(Lesson, doc, path), name=path.stem)


def load_lessons(directory: Path | None = None) -> tuple[Lesson, ...]:
    """Every lesson, in file-name order (the files are numbered)."""
    directory = directory or lessons_dir()
    lessons = tuple(load_lesson(p) for p in sorted(directory.glob("*.toml")))
    if not lessons:
        raise UserError(f"no lesson files (*.toml) in {directory}")
    return lessons


def check_scenarios(lessons: tuple[Lesson, ...], known: set[str]) -> None:
    """Every scenario a lesson names must exist in the catalogue: fail before anything runs."""
    for lesson in lessons:
        missing = [s for s in lesson.scenarios if s not in known]
        if missing:
            raise UserError(
                f"lesson {lesson.name} names unknown scenario(s) {', '.join(missing)}; "
                "`tlslab list` shows the catalogue"
            )
