"""lab.scenario.report: the files a run leaves, from frozen results only."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from lab.scenario.evidence import ClientObservation, Exposure
from lab.scenario.report import markdown, write_junit, write_run, write_scenario
from lab.scenario.results import CaseResult, ExpectationResult, RunResult, ScenarioResult
from lab.scenario.schema import Claim, Remediation


def _scenario(name: str, verdict: str, error: str | None = None) -> ScenarioResult:
    case = CaseResult(
        name="main",
        started=True,
        start_error=None,
        error=error,
        duration_s=0.5,
        ports={"tls": 7000},
        clients=(ClientObservation("app", "redis-py", "tls-full", 7000, False, "tls-error", "bad | cert"),),
        observations={"lost": 0},
        secrets=("password",),
        capture=None,
        at_rest=(Exposure("email", files=("appendonly.aof",)),),
        log_tail=("line 1", "line 2"),
        workdir="/w",
    )
    exp = ExpectationResult("client", "main", "connects", "refused: tls-error: bad | cert", verdict == "met")
    return ScenarioResult(
        name=name,
        title=f"Title {name}",
        claim=Claim("myth", "A myth."),
        story="Story.",
        tags=("default",),
        target="bundled",
        verdict=verdict,
        error=error,
        duration_s=1.0,
        cases=(case,),  # type: ignore[arg-type]
        expectations=(exp,),
        remediation=Remediation("Fix.", ("port 0",), "r = redis.Redis(ssl=True)"),
        source="scenarios/x.toml",
    )


def test_markdown_tells_the_story_with_observed_values() -> None:
    text = markdown(_scenario("x", "unmet", error="case main: boom"))
    assert text.startswith("# Title x\n") and "**Myth:** A myth." in text
    assert "| main | connects | refused: tls-error: bad \\| cert | ✘ |" in text  # pipes escaped
    assert "**email** readable on disk in appendonly.aof" in text
    assert "line 2" in text and "port 0" in text and "r = redis.Redis(ssl=True)" in text


def test_run_files_latest_link_and_junit(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    results = (_scenario("a", "met"), _scenario("b", "unmet"), _scenario("c", "error", "case main: boom"))
    for r in results:
        write_scenario(r, reports / "run1")
    for run_id in ("run0", "run1"):  # the link moves to the newest run
        (reports / run_id).mkdir(parents=True, exist_ok=True)
        run = RunResult(
            run_id,
            "bundled",
            "2026-01-01T00:00:00",
            3.0,
            False,
            str(reports / run_id),
            str(tmp_path / "captures" / run_id),
            results,
        )
        write_run(run)
    assert (reports / "latest").resolve() == (reports / "run1").resolve()
    data = json.loads((reports / "latest" / "run.json").read_text())
    assert data["counts"] == {"met": 1, "unmet": 1, "error": 1}
    assert json.loads((reports / "run1" / "b.json").read_text())["expectations"][0]["met"] is False
    suite = ET.parse(write_junit(run, tmp_path / "j.xml")).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    assert suite.find("testcase[@name='c']/error").get("message") == "case main: boom"  # type: ignore[union-attr]
