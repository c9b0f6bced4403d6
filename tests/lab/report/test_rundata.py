"""Finding a run: latest, run id, folder; bad folders and bad JSON are one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.errors import UserError
from lab.report.rundata import load_run, newest_bench, resolve_run
from lab.scenario.results import RunResult


def test_latest_id_and_folder_resolve_to_the_same_run(real_run: RunResult, reports_dir: Path) -> None:
    root = reports_dir.parent
    assert resolve_run(None, root) == reports_dir
    assert resolve_run(real_run.run_id, root) == reports_dir
    assert resolve_run(str(reports_dir), root) == reports_dir
    data = load_run(reports_dir)
    assert [s["name"] for s in data.scenarios] == [s.name for s in real_run.scenarios]


def test_unknown_run_names_recent_ones(real_run: RunResult, reports_dir: Path) -> None:
    with pytest.raises(UserError, match=rf"no run 'nope'.*{real_run.run_id}"):
        resolve_run("nope", reports_dir.parent)


def test_no_runs_yet(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="make scenario"):
        resolve_run(None, tmp_path)
    with pytest.raises(UserError, match="holds no run results"):
        load_run(tmp_path)


def test_broken_json_is_named(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("{ half")
    with pytest.raises(UserError, match=r"run\.json is not valid JSON"):
        load_run(tmp_path)


def test_newest_bench_is_picked_by_run_id(tmp_path: Path) -> None:
    for run_id in ("20260101-000000", "20260301-000000"):
        (tmp_path / run_id / "bench").mkdir(parents=True)
        (tmp_path / run_id / "bench" / "results.json").write_text("{}")
    found = newest_bench(tmp_path)
    assert found is not None and found.parts[-3] == "20260301-000000"
