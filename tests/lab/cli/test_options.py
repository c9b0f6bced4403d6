"""lab.cli.options: run, course and list read --target and --scenarios the same way."""

from __future__ import annotations

import argparse
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


def _options(command: str) -> dict[str, argparse.Action]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.option_strings[-1]: a for a in sub.choices[command]._actions if a.option_strings}


def _shape(action: argparse.Action) -> tuple[object, ...]:
    return (type(action), action.dest, action.type, action.default, action.choices, action.metavar)


@pytest.mark.parametrize(
    ("flags", "commands"),
    [
        (("--port", "--keylog", "--secret"), ("analyze", "watch")),
        (("--json", "--html", "--fail-on"), ("analyze", "audit")),
        (("--ca", "--cert", "--key", "--i-own-this-network"), ("audit", "bench")),
        (("--out",), ("run", "course")),
    ],
)
def test_shared_options_have_one_shape(flags: tuple[str, ...], commands: tuple[str, ...]) -> None:
    first, *others = (_options(c) for c in commands)
    for flag in flags:
        for other in others:
            assert _shape(first[flag]) == _shape(other[flag]), flag


def test_fail_on_gates_on_the_one_severity_scale() -> None:
    from lab.severity import SEVERITIES, at_least

    assert _options("analyze")["--fail-on"].choices == SEVERITIES
    assert at_least(["low", "high"], "medium") and not at_least(["info", "low"], "medium")
    assert at_least(["medium"], "medium") and not at_least([], "info")
