"""lab.cli.bench: bad input is one clear line and exit 2, before anything is started."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main


def test_json_pointing_at_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--json", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "give a file name" in capsys.readouterr().err


def test_server_bench_always_runs_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "server", "--target", "bundled", "--out", str(tmp_path)]) == 2
    assert "compares the two servers" in capsys.readouterr().err


def test_unknown_target_is_an_argparse_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--target", "valkey"])
    assert exc.value.code == 2
