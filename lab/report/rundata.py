"""Read what a run left on disk: run.json, <scenario>.json, bench/results.json (nothing is re-measured).

A run folder is reports/<run-id>/ as the scenario engine writes it; `tlslab bench` writes its results
under reports/<run-id>/bench/ of its own run id, so the newest bench run beside a scenario run is used
for the performance page when the run has none of its own.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.errors import UserError

JsonDict = dict[str, Any]
BENCH_RESULTS = Path("bench") / "results.json"


@dataclass(frozen=True)
class RunData:
    reports_dir: Path
    run: JsonDict | None  # run.json (absent for a bench-only run folder)
    scenarios: tuple[JsonDict, ...]
    bench: JsonDict | None
    bench_dir: Path | None  # the folder holding results.json, summary.md and figures/

    @property
    def run_id(self) -> str:
        return self.reports_dir.name


def read_json(path: Path) -> JsonDict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path} is not valid JSON ({exc}); re-run what wrote it") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} holds no results object; re-run the scenario or bench that wrote it")
    return data


def _scenario_files(reports_dir: Path) -> tuple[JsonDict, ...]:
    found = []
    for path in sorted(reports_dir.glob("*.json")):
        if path.name == "run.json":
            continue
        data = read_json(path)
        if "verdict" in data and "expectations" in data:  # a scenario result, not some other JSON
            found.append(data)
    return tuple(found)


def newest_bench(reports_root: Path) -> Path | None:
    """The newest reports/<run-id>/bench/results.json (run ids sort by time)."""
    found = reports_root.glob("*/bench/results.json")
    candidates = sorted(p for p in found if not p.parent.parent.is_symlink())
    return candidates[-1] if candidates else None


def load_run(reports_dir: Path) -> RunData:
    reports_dir = reports_dir.resolve()
    if not reports_dir.is_dir():
        raise UserError(f"no run folder at {reports_dir}; `ls reports/` shows the runs")
    run_path = reports_dir / "run.json"
    run = read_json(run_path) if run_path.exists() else None
    scenarios = tuple(run.get("scenarios", ())) if run is not None else _scenario_files(reports_dir)
    bench_path = reports_dir / BENCH_RESULTS
    bench = read_json(bench_path) if bench_path.exists() else None
    if bench is None and (sibling := newest_bench(reports_dir.parent)) is not None:
        # another run's bench (perhaps still being written) is optional for this report
        with contextlib.suppress(UserError):
            bench, bench_path = read_json(sibling), sibling
    if run is None and not scenarios and bench is None:
        raise UserError(
            f"{reports_dir} holds no run results (run.json, <scenario>.json or bench/results.json); "
            "run `tlslab run ...` or `tlslab bench` first"
        )
    return RunData(reports_dir, run, scenarios, bench, bench_path.parent if bench is not None else None)


def resolve_run(run: str | None, reports_root: Path) -> Path:
    """RUN as a run id under reports_root, a path to a run folder, or None for reports/latest."""
    if run is None:
        latest = reports_root / "latest"
        if not latest.exists():
            raise UserError(f"no run yet under {reports_root}/ (no 'latest'); run `make scenario` first")
        return latest.resolve()
    as_path = Path(run)
    if as_path.is_dir():
        return as_path.resolve()
    by_id = reports_root / run
    if by_id.is_dir():
        return by_id.resolve()
    known = sorted(p.name for p in reports_root.glob("*") if p.is_dir() and p.name != "latest")[-5:]
    hint = f"recent runs: {', '.join(known)}" if known else "no runs yet: run `make scenario` first"
    raise UserError(f"no run {run!r} (neither a folder nor a run id under {reports_root}/); {hint}")
