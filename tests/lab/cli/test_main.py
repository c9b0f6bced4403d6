"""lab.cli: every subcommand is reachable; bad input is one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import SUBCOMMANDS, build_parser, main

TLSLAB = str(Path(sys.executable).with_name("tlslab"))


def test_every_subcommand_has_help() -> None:
    parser = build_parser()
    for name in SUBCOMMANDS:
        if name == "server":  # takes redis-server's arguments verbatim: its --help is the server's own
            continue
        with pytest.raises(SystemExit) as done:
            parser.parse_args([name, "--help"])
        assert done.value.code == 0


def test_user_error_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "missing.pcapng")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tlslab analyze: ") and "\n" not in err and "missing.pcapng" in err


def test_unknown_scenario_names_the_fix() -> None:
    done = subprocess.run([TLSLAB, "run", "no-such-scenario"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no-such-scenario" in done.stderr and "Traceback" not in done.stderr
