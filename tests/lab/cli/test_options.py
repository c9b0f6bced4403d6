"""lab.cli.options: run, course and list read --target and --scenarios the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import build_parser


def test_target_and_scenarios_mean_the_same_in_every_subcommand() -> None:
    parser = build_parser()
    for argv in (["run", "plaintext-sniff"], ["course"]):
        args = parser.parse_args([*argv, "--target", "redis-server", "--scenarios", "mine"])
        assert args.target == "redis-server" and args.scenarios == Path("mine")
        defaults = parser.parse_args(argv)
        assert defaults.target == "bundled" and defaults.scenarios is None
    assert parser.parse_args(["list", "--scenarios", "mine"]).scenarios == Path("mine")


def test_an_unknown_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--target", "valkey"])
    assert "invalid choice: 'valkey'" in capsys.readouterr().err
