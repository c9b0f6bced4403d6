"""lab.cli.bench: bad input is one clear line and exit 2, before anything is started."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main


def test_json_pointing_at_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:  # refused while the arguments are read, before any work
        main(["bench", "--quick", "--json", str(tmp_path), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "is a folder; give a file path" in capsys.readouterr().err


def test_server_bench_always_runs_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "server", "--target", "bundled", "--out", str(tmp_path)]) == 2
    assert "compares the two servers" in capsys.readouterr().err


def test_unknown_target_is_an_argparse_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--target", "valkey"])
    assert exc.value.code == 2


def test_default_run_folder_gets_the_performance_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --out the results land in reports/<run-id>/bench and the run folder gets performance.html,
    built from the results.json just written (the run itself is replaced by a small known report)."""
    import dataclasses

    from lab.bench import suite
    from lab.bench.results import BenchReport, HostInfo, write_json

    host = HostInfo(2, "3.11", "OpenSSL 3", None, None, "uvloop")
    known = BenchReport(
        "t", "2026-01-01", 1.0, True, ("bundled",), host, ("plan",), 1, 0.1, (), (), (), (), (), ()
    )

    def fake_run(targets: object, quick: bool, out: Path, *args: object, **kwargs: object) -> BenchReport:
        report = dataclasses.replace(known, notes=("ran",))
        write_json(report, out / "results.json")
        return report

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(suite, "run_bench", fake_run)
    main(["bench", "--quick", "--target", "bundled"])
    (page,) = tmp_path.glob("reports/*/performance.html")
    assert "bench run t" in page.read_text()
    assert "performance page:" in capsys.readouterr().out
