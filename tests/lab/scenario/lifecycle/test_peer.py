"""lab.scenario.lifecycle.peer in process: the other target's run in a child process, its result handed
back whole, its failure as data, and a stop that ends it cleanly."""

from __future__ import annotations

import time
from pathlib import Path

from lab.scenario.lifecycle.peer import PeerFailed, PeerRun
from lab.scenario.loader import REGISTRIES
from lab.scenario.results import RunResult
from lab.scenario.schema import Scenario, parse_scenario
from tests.lab.scenario.leftovers import processes_mentioning


def _scenario(name: str, steps: list[dict[str, object]]) -> Scenario:
    doc = {"name": name, "title": "T", "story": "S", "claim": {"kind": "promise", "text": "C"},
           "remediation": {"summary": "R", "advice": True}, "capture": False,
           "target": {"plaintext": True}, "clients": {"app": {"posture": "plaintext"}},
           "workload": {"name": "commands", "steps": steps},
           "expect": [{"kind": "observation", "key": "pong", "equals": True}]}
    return parse_scenario(doc, Path(f"{name}.toml"), REGISTRIES)


PING = _scenario("ping", [{"command": ["PING"], "bind": "pong"}])


def test_the_child_hands_back_its_whole_run(tmp_path: Path) -> None:
    peer = PeerRun([PING], tmp_path, "bundled")
    result = peer.result()
    assert isinstance(result, RunResult) and result.target == "bundled"
    assert [s.verdict for s in result.scenarios] == ["met"]
    assert Path(result.reports_dir, "ping.json").is_file()


def test_a_child_that_cannot_run_is_a_failure_with_its_reason(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # reports/ cannot be made under a file
    result = PeerRun([PING], blocked, "bundled").result()
    assert isinstance(result, PeerFailed) and "NotADirectoryError" in result.message


def test_stop_interrupts_the_running_case_and_the_child_reports(tmp_path: Path) -> None:
    slow = _scenario("slow", [{"command": ["PING"], "bind": "pong"}, {"sleep": 60}])
    peer = PeerRun([slow, PING], tmp_path, "bundled")
    time.sleep(3)  # inside the 60 s wait
    started = time.monotonic()
    peer.stop()
    result = peer.result()
    assert time.monotonic() - started < 30
    assert isinstance(result, RunResult) and result.interrupted and result.scenarios == ()
    assert processes_mentioning(str(tmp_path)) == []
