"""lab.scenario.lifecycle.verify: secrets on disk, and judging that survives a broken check.
(Capture analysis is exercised on real captures by tests/scenarios/test_catalogue.py.)"""

from __future__ import annotations

from pathlib import Path

from lab.scenario.evidence import CaseEvidence, Secret
from lab.scenario.lifecycle.verify import judge, scan_at_rest
from lab.scenario.loader import REGISTRIES
from lab.scenario.schema import parse_scenario


def test_scan_at_rest_finds_secrets_in_nested_files(tmp_path: Path) -> None:
    (tmp_path / "appendonlydir").mkdir()
    (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").write_bytes(
        b"*3\r\n$4\r\nHSET\r\n$13\r\na@example.com"
    )
    (tmp_path / "other.rdb").write_bytes(b"nothing here")
    found = scan_at_rest(tmp_path, [Secret("email", "a@example.com"), Secret("password", "pw-123")])
    assert [(x.label, x.files) for x in found] == [("email", ("appendonlydir/appendonly.aof.1.incr.aof",))]
    assert scan_at_rest(None, [Secret("email", "x")]) == ()


def test_judge_covers_every_case_and_survives_a_broken_check() -> None:
    doc = {
        "name": "s",
        "title": "T",
        "story": "S",
        "claim": {"kind": "promise", "text": "C"},
        "remediation": {"summary": "R", "advice": True},
        "workload": {"name": "ping"},
        "case": [{"name": "a"}, {"name": "b"}],
        "expect": [
            {"kind": "observation", "key": "connected", "at-least": 1},
            {"kind": "target-start", "starts": True, "cases": ["b"]},
        ],
    }
    scenario = parse_scenario(doc, Path("s.toml"), REGISTRIES)
    weird = CaseEvidence(case="a", target_kind="bundled", started=True, observations={"connected": "x"})
    results = judge(scenario, {"a": weird})
    assert [(r.case, r.met) for r in results] == [("a", False), ("b", False), ("b", False)]
    assert results[1].expected == "(case did not run)"


def test_the_server_config_is_scanned_at_rest_too(tmp_path: Path) -> None:
    # requirepass sits in redis.conf in clear, beside the data: a disk reader has the password
    data = tmp_path / "data"
    data.mkdir()
    (data / "appendonly.aof").write_bytes(b"*3\r\n$4\r\nHSET\r\n$1\r\nu\r\n$13\r\na@example.com\r\n")
    conf = tmp_path / "redis.conf"
    conf.write_text("requirepass pw-123\n")
    found = {x.label: x.files for x in scan_at_rest(data, [Secret("email", "a@example.com"),
                                                            Secret("password", "pw-123")], conf)}
    assert found == {"email": ("appendonly.aof",), "password": ("redis.conf",)}
