"""`tlslab run` as a user runs it: exit codes, the verdict table, JUnit, and Ctrl-C leaving nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from lab import procs
from tests.conftest import require_tool
from tests.lab.scenario.leftovers import listening, processes_mentioning

SCENARIO = """
name = "{name}"
title = "T {name}"
story = "S"
claim = {{ kind = "promise", text = "C" }}
remediation = {{ summary = "R", advice = true }}
capture = {capture}
[target]
plaintext = true
[clients.app]
posture = "plaintext"
[workload]
name = "{workload}"
{params}
[[expect]]
kind = "client"
client = "app"
connects = {connects}
"""


def _scenarios(tmp_path: Path, **specs: dict[str, str]) -> Path:
    directory = tmp_path / "scenarios"
    directory.mkdir()
    for name, spec in specs.items():
        text = SCENARIO.format(
            name=name,
            capture=spec.get("capture", "false"),
            workload=spec.get("workload", "ping"),
            params=spec.get("params", ""),
            connects=spec.get("connects", "true"),
        )
        (directory / f"{name}.toml").write_text(text)
    return directory


def _tlslab(*args: str | Path) -> list[str]:
    """The installed console script, as a user (and make scenario) runs it."""
    return [str(Path(sys.executable).parent / "tlslab"), *map(str, args)]


def test_exit_code_table_and_junit(tmp_path: Path) -> None:
    require_tool("redis-server")
    scenarios = _scenarios(tmp_path, good={}, bad={"connects": "false"})
    junit = tmp_path / "junit.xml"
    done = subprocess.run(
        _tlslab(
            "run",
            "--all",
            "--target",
            "redis-server",
            "--out",
            tmp_path,
            "--scenarios",
            scenarios,
            "--junit",
            junit,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert re.search(r"^good\s+✔ met", done.stdout, re.MULTILINE)
    assert re.search(r"^bad\s+✘ unmet", done.stdout, re.MULTILINE)
    assert "✘ bad [main] expected app refused; observed connected" in done.stdout
    assert "1 met · 1 unmet · 0 error on redis-server" in done.stdout
    assert f"report: {tmp_path}/reports/" in done.stdout
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    assert suite.find("testcase[@name='bad']/failure") is not None
    one = subprocess.run(
        _tlslab("run", "good", "--target", "redis-server", "--out", tmp_path, "--scenarios", scenarios),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert one.returncode == 0, one.stdout + one.stderr


@pytest.mark.parametrize("args", [(), ("good", "--all"), ("nope",)])
def test_bad_selection_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    scenarios = _scenarios(tmp_path, good={})
    done = subprocess.run(
        _tlslab("run", *args, "--scenarios", scenarios, "--out", tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("tlslab run: ") and len(done.stderr.strip().splitlines()) == 1


def _interrupt(proc: subprocess.Popen[str], whom: str) -> tuple[str, str]:
    """Inside the workload's wait, with dumpcap running: SIGINT to the group (a terminal's Ctrl-C, which
    also hits dumpcap) or to the process alone; its output once it has exited."""
    time.sleep(0.5)
    if whom == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)


def _reap(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("whom", ["process", "group"])
def test_ctrl_c_stops_everything(tmp_path: Path, whom: str) -> None:
    """SIGINT to `tlslab run` (alone, or to its whole group as a terminal's Ctrl-C does, which also hits
    dumpcap) while the server runs and the capture records: exit 130, no process, no bound port."""
    require_tool("redis-server")
    require_tool("dumpcap")
    scenarios = _scenarios(
        tmp_path, slow={"capture": "true", "workload": "commands",
                        "params": 'steps = [{ command = ["PING"] }, { sleep = 60 }]'}, later={}
    )
    proc = procs.spawn(
        _tlslab(
            "run", "slow", "later", "--target", "redis-server", "--out", tmp_path, "--scenarios", scenarios
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        ports: list[int] = []
        for line in proc.stdout:
            found = re.search(r"pid (\d+) on plaintext (\d+); workload", line)
            if found:
                ports.append(int(found.group(2)))
                break
        assert ports, "the run never reached its workload"
        out, err = _interrupt(proc, whom)
    finally:
        _reap(proc)
    assert proc.returncode == 130, err
    assert "interrupted; everything started was stopped" in err
    assert "INTERRUPTED" in out
    assert processes_mentioning(str(tmp_path)) == []
    assert not listening(ports[0])
    run = json.loads((tmp_path / "reports" / "latest" / "run.json").read_text())
    assert run["interrupted"] is True and run["scenarios"] == []


def test_also_runs_the_other_target_and_the_index_shows_both_verdicts(tmp_path: Path) -> None:
    require_tool("redis-server")
    scenarios = _scenarios(tmp_path, good={}, bad={"connects": "false"})
    done = subprocess.run(
        _tlslab("run", "--all", "--target", "bundled", "--also", "redis-server", "--out", tmp_path,
                "--scenarios", scenarios),
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stderr  # `bad` is unmet on both
    assert "1 met · 1 unmet · 0 error on redis-server" in done.stdout
    assert "1 met · 1 unmet · 0 error on bundled" in done.stdout
    latest = tmp_path / "reports" / "latest"
    run = json.loads((latest / "run.json").read_text())
    assert run["target"] == "bundled" and run["peer"]["target"] == "redis-server"
    peer = {v["name"]: v for v in run["peer"]["verdicts"]}
    assert {n: v["verdict"] for n, v in peer.items()} == {"bad": "unmet", "good": "met"}
    assert (latest / peer["good"]["page"]).is_file()  # the link in the second column works
    index = (latest / "index.html").read_text()
    assert "Verdict on redis-server" in index and "Verdict on bundled" in index
    # bad's redis-server cell: its verdict, linked to that run's page
    assert f'class="badge v-unmet" href="{peer["bad"]["page"]}"' in index


@pytest.mark.parametrize("whom", ["process", "group"])
def test_ctrl_c_with_also_stops_both_runs(tmp_path: Path, whom: str) -> None:
    """The other target runs in a process of its own at the same time: a Ctrl-C (to the group) or a SIGINT
    to `tlslab run` alone (passed on to that process) stops both runs' servers and captures, exit 130."""
    require_tool("redis-server")
    require_tool("dumpcap")
    scenarios = _scenarios(
        tmp_path, slow={"capture": "true", "workload": "commands",
                        "params": 'steps = [{ command = ["PING"] }, { sleep = 60 }]'}, later={}
    )
    proc = subprocess.Popen(
        _tlslab("run", "slow", "later", "--target", "bundled", "--also", "redis-server", "--out", tmp_path,
                "--scenarios", scenarios),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        ports: dict[str, int] = {}
        for line in proc.stdout:
            found = re.search(r"^\[([a-z-]+)\].* pid (\d+) on plaintext (\d+); workload", line)
            if found:
                ports[found.group(1)] = int(found.group(3))
            if len(ports) == 2:
                break
        assert set(ports) == {"bundled", "redis-server"}, "both runs reach their workload at once"
        _out, err = _interrupt(proc, whom)
    finally:
        _reap(proc)
    assert proc.returncode == 130, err
    assert processes_mentioning(str(tmp_path)) == []
    assert not [p for p in ports.values() if listening(p)]
    run = json.loads((tmp_path / "reports" / "latest" / "run.json").read_text())
    assert run["target"] == "bundled" and run["interrupted"] is True
    assert run["peer"]["target"] == "redis-server"


def test_both_targets_run_at_the_same_time(tmp_path: Path) -> None:
    """The peer run overlaps this one: each starts before the other has ended (not a speed assertion)."""
    require_tool("redis-server")
    scenarios = _scenarios(tmp_path, **{f"s{i}": {"workload": "commands",
                                                  "params": 'steps = [{ sleep = 2 }]', "connects": "true"}
                                        for i in range(3)})
    done = subprocess.run(
        _tlslab("run", "--all", "--target", "bundled", "--also", "redis-server", "--out", tmp_path,
                "--scenarios", scenarios),
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1  # `client app connects` cannot be met by a commands workload: unmet on both
    this = json.loads((tmp_path / "reports" / "latest" / "run.json").read_text())
    peer = json.loads((tmp_path / "reports" / this["peer"]["run_id"] / "run.json").read_text())

    def span(run: dict[str, Any]) -> tuple[float, float]:
        start = dt.datetime.fromisoformat(run["started_at"]).timestamp()  # whole seconds
        return start, start + run["duration_s"]

    (a0, a1), (b0, b1) = span(this), span(peer)
    assert a1 - a0 >= 6 and b1 - b0 >= 6  # three 2 s waits each
    assert b0 < a1 - 1 and a0 < b1 - 1, "one run started only after the other had ended"
