"""lab.bench.figures: every figure with data is written as a PNG; figures without data are skipped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lab.bench.figures import FIGURES, draw_all
from lab.bench.results import BenchReport
from tests.lab.bench.conftest import png


def test_all_figures_are_drawn(cost_report: BenchReport, tmp_path: Path) -> None:
    paths = draw_all(cost_report, tmp_path / "figs")
    assert {p.stem for p in paths} == set(FIGURES)
    assert all(png(p) and p.stat().st_size > 5000 for p in paths)


def test_nothing_measured_draws_nothing(small_report: BenchReport, tmp_path: Path) -> None:
    empty = dataclasses.replace(small_report, cells=(), overheads=(), wire=())
    assert draw_all(empty, tmp_path) == []
