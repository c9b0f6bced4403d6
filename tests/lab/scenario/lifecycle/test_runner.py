"""lab.scenario.lifecycle.runner on real redis-server: crashes, timeouts and refused starts are errors with
the server's log, the rest of the run goes on, and nothing started is left running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.scenario.lifecycle.runner import run_all
from lab.scenario.loader import load_all
from tests.conftest import require_tool
from tests.lab.scenario.leftovers import listening, processes_mentioning

HEAD = """
name = "{name}"
title = "T"
story = "S"
claim = {{ kind = "promise", text = "C" }}
remediation = {{ summary = "R", advice = true }}
capture = false
"""

FILES = {
    # act crashes: the workload wants a TLS port the target does not have
    "crashes": HEAD
    + """
[target]
plaintext = true
[clients.app]
posture = "plaintext"
[workload]
name = "tls-internals"
[[expect]]
kind = "client"
client = "app"
connects = true
""",
    # act overruns the scenario's limit (a 30 s wait in a 1 s scenario)
    "overruns": HEAD
    + """
timeout = 1.0
[target]
plaintext = true
[clients.app]
posture = "plaintext"
[workload]
name = "commands"
steps = [{{ command = ["PING"], bind = "pong" }}, {{ sleep = 30 }}]
[[expect]]
kind = "observation"
key = "pong"
equals = true
""",
    # the server refuses to start, and nothing in the file expects that
    "refused": HEAD
    + """
[target]
plaintext = false
tls = true
server-cert = "none"
[workload]
name = "ping"
[[expect]]
kind = "observation"
key = "connected"
equals = 0
""",
    "works": HEAD
    + """
[target]
plaintext = true
[clients.app]
posture = "plaintext"
[workload]
name = "ping"
[[expect]]
kind = "client"
client = "app"
connects = true
[[expect]]
kind = "observation"
key = "connected"
equals = 2
""",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    require_tool("redis-server")
    base = tmp_path_factory.mktemp("runner")
    (base / "scenarios").mkdir()
    for name, text in FILES.items():
        (base / "scenarios" / f"{name}.toml").write_text(text.format(name=name))
    result = run_all(load_all(base / "scenarios"), base / "out", "redis-server")
    report = json.loads((Path(result.reports_dir) / "run.json").read_text())
    return base, {s["name"]: s for s in report["scenarios"]}


def test_every_scenario_ran_and_got_its_verdict(run: tuple[Path, dict[str, dict]]) -> None:
    _, by_name = run
    assert {n: s["verdict"] for n, s in by_name.items()} == {
        "crashes": "error",
        "overruns": "error",
        "refused": "error",
        "works": "unmet",
    }


def test_a_crash_is_an_error_with_the_reason_and_the_server_log(run: tuple[Path, dict[str, dict]]) -> None:
    crash = run[1]["crashes"]
    assert "no tls port" in crash["error"]
    assert crash["cases"][0]["log_tail"], "the server log tail is part of the error report"
    assert any("Ready to accept connections" in line for line in crash["cases"][0]["log_tail"])


def test_a_timeout_is_an_error_and_cut_short(run: tuple[Path, dict[str, dict]]) -> None:
    over = run[1]["overruns"]
    assert "timed out" in over["error"] and over["duration_s"] < 10


def test_an_unexpected_refusal_to_start_is_an_error_with_the_servers_words(
    run: tuple[Path, dict[str, dict]],
) -> None:
    refused = run[1]["refused"]
    assert "did not start" in refused["error"] and "No tls-cert-file configured" in refused["error"]
    assert any("No tls-cert-file configured" in line for line in refused["cases"][0]["log_tail"])


def test_unmet_expectations_show_what_was_observed(run: tuple[Path, dict[str, dict]]) -> None:
    works = run[1]["works"]
    assert [(e["met"], e["observed"]) for e in works["expectations"]] == [(True, "connected"), (False, 1)]


def test_nothing_is_left_running(run: tuple[Path, dict[str, dict]]) -> None:
    base, by_name = run
    assert processes_mentioning(str(base)) == []
    ports = [p for s in by_name.values() for c in s["cases"] for p in c["ports"].values()]
    assert ports and not [p for p in ports if listening(p)]


def test_reports_and_latest_link(run: tuple[Path, dict[str, dict]]) -> None:
    reports = run[0] / "out" / "reports"
    latest = reports / "latest"
    assert latest.is_symlink() and (latest / "run.json").is_file()
    for name in FILES:
        assert json.loads((latest / f"{name}.json").read_text())["name"] == name
        assert (latest / f"{name}.md").read_text().startswith("# T")
