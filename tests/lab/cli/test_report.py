"""`tlslab report`: rebuild from JSON, by default the latest run; unknown runs are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main
from lab.scenario.lifecycle.runner import run_all
from lab.scenario.loader import load_all, select


def test_rebuild_latest_and_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_all(select(load_all(), names=["tls-without-certs"]), tmp_path, "bundled")
    index = Path(run.reports_dir) / "index.html"
    index.unlink()
    reports = str(tmp_path / "reports")
    assert main(["report", "--reports", reports]) == 0
    assert index.is_file() and "tls-without-certs" in index.read_text()
    assert main(["report", run.run_id, "--reports", reports]) == 0
    assert f"file://{index}" in capsys.readouterr().out


def test_unknown_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "nope", "--reports", str(tmp_path)]) == 2
    assert "no run 'nope'" in capsys.readouterr().err
