"""The declarative `commands` workload: a scenario in one file, strictly loaded like any other."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lab.scenario.loader import REGISTRIES, load_file, scenarios_dir
from lab.scenario.schema import parse_scenario
from lab.scenario.strict import SchemaError
from lab.scenario.workloads.commands import Commands

DOC: dict[str, Any] = {
    "name": "demo", "title": "T", "story": "S", "claim": {"kind": "promise", "text": "C"},
    "target": {"plaintext": False, "tls": True},
    "clients": {"app": {"posture": "tls-full"}},
    "workload": {"name": "commands", "steps": [
        {"command": ["SET", "k", "v"], "bind": "set", "conn": "a"},
        {"peer-cert": "served"},
    ]},
    "expect": [{"kind": "observation", "key": "served.serial", "is-nil": False}],
    "remediation": {"summary": "R", "advice": True},
}


def _parse(**workload: Any) -> Any:
    doc = copy.deepcopy(DOC)
    doc["workload"].update(workload)
    return parse_scenario(doc, Path("demo.toml"), REGISTRIES)


def test_bound_names_are_the_declared_observation_fields() -> None:
    params = _parse().cases[0].workload.params
    assert isinstance(params, Commands) and params.observes == ("set", "served")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"command": ["PING"], "peer-cert": "x"}], "exactly one of command, peer-cert, issue-cert"),
        ([{"bind": "x"}], "exactly one of command, peer-cert, issue-cert"),
        ([{"command": ["PING"], "bnid": "x"}], r"steps\[0\].bnid.*did you mean \"bind\""),
        ([{"command": ["PING"], "bind": "x"}, {"peer-cert": "x"}], "all different"),
        ([], r"at least one \[\[workload.steps\]\]"),
    ],
)
def test_bad_steps_are_load_errors(steps: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        _parse(steps=steps)


def test_an_expectation_on_an_unbound_name_is_a_load_error() -> None:
    doc = copy.deepcopy(DOC)
    doc["expect"] = [{"kind": "observation", "key": "sevred.serial", "is-nil": True}]
    with pytest.raises(SchemaError, match=r'expect\[0\].key: .*\(one of set, served\), got "sevred.serial"'):
        parse_scenario(doc, Path("demo.toml"), REGISTRIES)


def test_the_rotation_and_expiry_scenarios_are_commands_files() -> None:
    for name in ("cert-rotation", "expiring-cert", "sadd-unique", "hset-object"):
        assert load_file(scenarios_dir() / f"{name}.toml").cases[0].workload.name == "commands"
