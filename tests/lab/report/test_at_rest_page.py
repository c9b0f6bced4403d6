"""at-rest on both targets, page against JSON: every file the server left with its mode and secrets, the
RDB snapshot that SAVE wrote scanned and judged on both (the bundled server writes one too), and the fix
(the password kept as an ACL hash) proven on both."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from lab.report.html import render_run
from lab.scenario.lifecycle.runner import run_all
from lab.scenario.loader import load_file, scenarios_dir
from lab.targets import TargetKind
from tests.conftest import require_tool
from tests.lab.report import pagecheck


@pytest.fixture(scope="module", params=["redis-server", "bundled"])
def at_rest(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    require_tool("redis-server")
    require_tool("dumpcap")
    kind: TargetKind = request.param
    run = run_all([load_file(scenarios_dir() / "at-rest.toml")], tmp_path_factory.mktemp(kind), kind)
    reports = Path(run.reports_dir)
    return reports, json.loads((reports / "at-rest.json").read_text())


def _files(data: Any, case: str = "main") -> dict[str, Any]:
    (c,) = [c for c in data["cases"] if c["name"] == case]
    return {f["kind"]: f for f in c["disk"]}


def test_the_page_says_what_the_json_says(at_rest: tuple[Path, Any]) -> None:
    reports, data = at_rest
    assert data["verdict"] == "met", [e for e in data["expectations"] if not e["met"]]
    assert pagecheck.scenario_page((reports / "at-rest.html").read_text(), data) == []


def test_config_password_and_unencrypted_key_are_reported_with_their_modes(at_rest: tuple[Path, Any]) -> None:
    files = _files(at_rest[1])
    assert files["config"]["secrets"] == ["password"] and files["config"]["mode"]
    assert files["tls-key"]["encrypted"] is False and files["tls-key"]["mode"] == "0600"
    assert files["tls-key"]["readable_by"] == ["owner"]
    (c,) = [c for c in at_rest[1]["cases"] if c["name"] == "main"]
    aof = {label for f in c["disk"] if f["kind"] == "aof" for label in f["secrets"]}  # redis-server: 3 parts
    assert aof == {"email"}


def test_the_rdb_is_scanned_and_judged_on_both_targets(at_rest: tuple[Path, Any]) -> None:
    reports, data = at_rest
    page = (reports / "at-rest.html").read_text()
    rdb_checks = [e for e in data["expectations"] if "rdb file" in e["expected"]]
    rdb = _files(data)["rdb"]
    assert rdb["name"] == "dump.rdb" and rdb["secrets"] == ["email"] and rdb["size"] > 0
    assert rdb_checks and all(e["met"] for e in rdb_checks) and not data["not_judged"]
    assert "disk-no-rdb" not in page and "Not judged on" not in page


def test_the_fix_keeps_the_password_off_the_disk(at_rest: tuple[Path, Any]) -> None:
    data = at_rest[1]
    assert data["fix"]["proven"] is True and data["fix"]["checks"] == 3
    assert all("password" not in f["secrets"] for f in _files(data, "fix").values())


def test_the_checker_catches_a_page_that_hides_a_file_or_judges_the_other_target(
    at_rest: tuple[Path, Any], tmp_path: Path,
) -> None:
    data = at_rest[1]
    (tmp_path / "at-rest.json").write_text(json.dumps(data))
    render_run(tmp_path)
    page = (tmp_path / "at-rest.html").read_text()
    assert pagecheck.scenario_page(page, data) == []
    more = copy.deepcopy(data)
    more["cases"][0]["disk"][0]["secrets"].append("password")
    assert any("shows" in p for p in pagecheck.scenario_page(page, more))
    judged = copy.deepcopy(data)
    judged["not_judged"] = []
    judged["expectations"].append({**data["expectations"][0], "target": "redis-server"})
    assert pagecheck.scenario_page(page, judged)
