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


def test_no_runs_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh reports root of its own: load_run also looks at sibling runs (for a bench), so the run folder's
    # parent must not be pytest's shared base temp dir, where other tests leave bench/results.json files.
    root = tmp_path / "reports"
    run_dir = root / "20260101-000000"
    run_dir.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)  # nor the checkout's reports/ through a relative path
    with pytest.raises(UserError, match="make scenario"):
        resolve_run(None, root)
    with pytest.raises(UserError, match="holds no run results"):
        load_run(run_dir)


def test_a_sibling_bench_is_used_only_from_the_same_reports_root(tmp_path: Path) -> None:
    """The case test_no_runs_yet guards against: another folder's bench makes a results-less run loadable."""
    root = tmp_path / "reports"
    (root / "20260101-000000").mkdir(parents=True)
    (root / "20260102-000000" / "bench").mkdir(parents=True)
    (root / "20260102-000000" / "bench" / "results.json").write_text("{}")
    assert load_run(root / "20260101-000000").bench == {}
    (tmp_path / "elsewhere" / "20260101-000000").mkdir(parents=True)
    with pytest.raises(UserError, match="holds no run results"):
        load_run(tmp_path / "elsewhere" / "20260101-000000")


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
