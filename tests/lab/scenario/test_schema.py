"""lab.scenario.schema: a scenario file is checked whole — keys, types, registry names, case references."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lab.scenario.loader import REGISTRIES
from lab.scenario.schema import DEFAULT_CASE, Scenario, parse_scenario
from lab.scenario.strict import SchemaError
from lab.scenario.workloads.sessions import AuthAndHset

FILE = Path("scenarios/demo.toml")

BASE: dict[str, Any] = {
    "name": "demo",
    "title": "Demo",
    "story": "A story.",
    "claim": {"kind": "myth", "text": "A claim."},
    "target": {"plaintext": False, "tls": True, "requirepass": "pw"},
    "clients": {"app": {"posture": "tls-full"}, "old": {"posture": "plaintext", "port": "tls"}},
    "workload": {"name": "auth-and-hset", "email": "a@b.c"},
    "expect": [{"kind": "client", "client": "app", "connects": True}],
    "remediation": {"summary": "Fix it.", "config": ["port 0"], "advice": True},
}


def _parse(**changes: Any) -> Scenario:
    doc = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            doc.pop(key)
        else:
            doc[key] = value
    return parse_scenario(doc, FILE, REGISTRIES)


def _error(**changes: Any) -> str:
    with pytest.raises(SchemaError) as info:
        _parse(**changes)
    return str(info.value)


def test_a_valid_file_becomes_one_default_case() -> None:
    s = _parse()
    assert [c.name for c in s.cases] == [DEFAULT_CASE]
    case = s.cases[0]
    assert case.target.tls and not case.target.plaintext and case.target.requirepass == "pw"
    assert [c.name for c in case.clients] == ["app", "old"]
    assert case.client("old").dials == "tls" and case.client("app").dials == "tls"
    assert case.workload.params == AuthAndHset(email="a@b.c")
    assert s.expect[0].cases == (DEFAULT_CASE,)
    assert s.remediation.config == ("port 0",)


def test_cases_override_the_base_and_expectations_pick_cases() -> None:
    s = _parse(
        case=[
            {"name": "v13", "target": {"tls-protocols": "TLSv1.3"}},
            {
                "name": "v12",
                "target": {"tls-protocols": "TLSv1.2"},
                "clients": {"app": {"cert": True}},
                "workload": {"key": "user:2"},
                "capture": False,
            },
        ],
        expect=[{"kind": "client", "client": "app", "connects": True, "cases": ["v12"]}],
    )
    v13, v12 = s.cases
    assert v13.target.tls_protocols == "TLSv1.3" and v13.target.requirepass == "pw"
    assert v12.client("app").cert and not v13.client("app").cert
    assert v12.workload.params == AuthAndHset(key="user:2", email="a@b.c")
    assert v13.capture and not v12.capture
    assert s.expect[0].cases == ("v12",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "other"}, 'name: expected the file name without .toml ("demo"), got "other"'),
        ({"title": None}, "title: expected this key (a string); it is missing"),
        ({"colour": "red"}, "colour: expected one of the known keys"),
        ({"target": {"tls_port": 1}}, "target.tls_port: expected one of the known keys"),
        (
            {"target": {"tls-auth-clients": "maybe"}},
            'target.tls-auth-clients: expected one of "no", "optional", "yes", got "maybe"',
        ),
        (
            {"clients": {"app": {"posture": "tls-full", "name": "x"}}},
            "clients.app.name: expected no name key",
        ),
        ({"clients": {"app": {"posture": "tls-sometimes"}}}, "clients.app.posture: expected one of"),
        ({"workload": {"name": "nope"}}, "workload.name: expected the name of a registered workload"),
        ({"workload": {"name": "auth-and-hset", "mail": "x"}}, "workload.mail: expected one of"),
        ({"attacker": {"name": "eve"}}, "attacker.name: expected the name of a registered attacker"),
        ({"expect": []}, "expect: expected at least one [[expect]] entry"),
        ({"expect": [{"kind": "vibes"}]}, "expect[0].kind: expected an expectation kind"),
        (
            {"expect": [{"kind": "client", "client": "app"}]},
            "expect[0].connects: expected this key (true or false); it is missing",
        ),
        (
            {"expect": [{"kind": "client", "client": "app", "connects": "yes"}]},
            'expect[0].connects: expected true or false, got "yes"',
        ),
        (
            {"expect": [{"kind": "client", "client": "app", "connects": True, "cases": ["v9"]}]},
            'expect[0].cases: expected names of this file\'s cases (main), got "v9"',
        ),
        (
            {"expect": [{"kind": "observation", "key": "x"}]},
            "expect[0]: expected at least one of equals, at-least, at-most, matches, is-nil",
        ),
        (
            {"expect": [{"kind": "server-log", "matches": "(unclosed"}]},
            "expect[0]: expected matches to be a valid regular expression",
        ),
        ({"expect": [{"kind": "tls", "field": "sni"}]}, "expect[0]: expected equals or matches"),
        ({"case": [{"name": "a"}, {"name": "a"}]}, "case: expected case names that are all different"),
        (
            {"case": [{"name": "a", "target": {"tls-protocols": 13}}]},
            "case[0].target.tls-protocols: expected a string, got 13",
        ),
        (
            {"case": [{"name": "a", "clients": {"app": {"cert": "yes"}}}]},
            'case[0].clients.app.cert: expected true or false, got "yes"',
        ),
        ({"timeout": 0}, "timeout: expected a positive number of seconds, got 0.0"),
        (
            {"clients": {"app": {"auth": False, "password": "pw"}}},
            "clients.app.password: expected no password with auth = false",
        ),
    ],
)
def test_errors_name_file_key_and_expectation(changes: dict[str, Any], message: str) -> None:
    assert _error(**changes).startswith(f"{FILE}: {message}")
