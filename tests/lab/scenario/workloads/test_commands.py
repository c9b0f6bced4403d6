"""The declarative `commands` workload: a scenario in one file, strictly loaded like any other."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lab.scenario.loader import REGISTRIES, load_file, scenarios_dir
from lab.scenario.schema import parse_scenario
from lab.scenario.strict import SchemaError
from lab.scenario.workloads import commands
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
        ([{"command": ["PING"], "peer-cert": "x"}], "exactly one of command, sleep, peer-cert, issue-cert"),
        ([{"bind": "x"}], "exactly one of command, sleep, peer-cert, issue-cert"),
        ([{"sleep": 1, "command": ["PING"]}], "exactly one of command, sleep, peer-cert, issue-cert"),
        ([{"sleep": 0}], r"steps\[0\].sleep: expected a number of seconds > 0 and <= 300, got 0"),
        ([{"sleep": 301}], r"steps\[0\].sleep: expected a number of seconds > 0"),
        ([{"sleep": "1s"}], r"steps\[0\].sleep: expected a number, got \"1s\""),
        ([{"sleep": 1, "bind": "x"}], r"steps\[0\].bind: expected no bind key in a sleep step"),
        ([{"peer-cert": "x", "conn": "a"}], r"steps\[0\].conn: expected no conn key in a peer-cert step"),
        ([{"command": ["PING"], "valid-days": 3}],
         r"steps\[0\].valid-days: expected no valid-days key in a command"),
        ([{"sleeep": 1}], r"steps\[0\].sleeep.*did you mean \"sleep\""),
        # a chained lookup names a reply bound by an EARLIER command step
        ([{"command": ["GET", "user:{reply:id}"]}, {"command": ["GET", "k"], "bind": "id"}],
         r'steps\[0\].command\[1\]: expected \{reply:NAME\} naming a bind of an earlier command step '
         r'\(none so far\), got "user:\{reply:id\}"'),
        ([{"command": ["GET", "k"], "bind": "id"}, {"command": ["GET", "{reply:idd}"]}],
         r"steps\[1\].command\[1\]: expected \{reply:NAME\} naming .* \(id\)"),
        ([{"peer-cert": "pc"}, {"command": ["GET", "{reply:pc}"]}], r"steps\[1\].command\[1\].*none so far"),
        ([{"command": ["GET", "{repyl:x}"]}], r"steps\[0\].command\[1\]: expected placeholders of the kinds "
         r"\{reply:NAME\}, \{cert:NAME\}, \{key:NAME\}"),
        ([{"command": ["CONFIG", "SET", "tls-cert-file", "{cert:new}"]}, {"issue-cert": "new"}],
         r"steps\[0\].command\[3\]: expected \{cert:NAME\} naming an earlier issue-cert step"),
        # a connection belongs to one client
        ([{"command": ["PING"], "conn": "a"}, {"command": ["PING"], "conn": "a", "client": "app"}],
         r'steps\[1\].client: expected the client of connection "a" \("the first declared"\)'),
        ([{"command": ["PING"], "bnid": "x"}], r"steps\[0\].bnid.*did you mean \"bind\""),
        ([{"command": ["PING"], "bind": "x"}, {"peer-cert": "x"}], "all different"),
        ([], r"at least one \[\[workload.steps\]\]"),
    ],
)
def test_bad_steps_are_load_errors(steps: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        _parse(steps=steps)


def test_a_step_naming_an_undeclared_client_is_a_load_error() -> None:
    with pytest.raises(SchemaError, match=r'workload.steps\[0\].client: expected the name of a declared '
                       r'client \(app\), got "ap"'):
        _parse(steps=[{"command": ["PING"], "client": "ap", "bind": "x"}])


def test_a_mistyped_step_key_exits_2_with_one_line(tmp_path: Path) -> None:
    """As a user meets it: `tlslab list` on a directory with the bad file."""
    text = (scenarios_dir() / "set-ex-expiry.toml").read_text().replace("sleep = 1.3", "slep = 1.3")
    (tmp_path / "set-ex-expiry.toml").write_text(text)
    done = subprocess.run([str(Path(sys.executable).parent / "tlslab"), "list", "--scenarios", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "set-ex-expiry.toml: workload.steps[3].slep" in lines[0]
    assert 'did you mean "sleep"' in lines[0] and "command, conn, client, bind, sleep" in lines[0]


def test_an_expectation_on_an_unbound_name_is_a_load_error() -> None:
    doc = copy.deepcopy(DOC)
    doc["expect"] = [{"kind": "observation", "key": "sevred.serial", "is-nil": True}]
    with pytest.raises(SchemaError, match=r'expect\[0\].key: .*\(one of set, served\), got "sevred.serial"'):
        parse_scenario(doc, Path("demo.toml"), REGISTRIES)


def test_the_rotation_and_expiry_scenarios_are_commands_files() -> None:
    for name in ("cert-rotation", "expiring-cert", "sadd-unique", "hset-object", "set-ex-expiry",
                 "secondary-index", "watch-conflict"):
        assert load_file(scenarios_dir() / f"{name}.toml").cases[0].workload.name == "commands"


@pytest.mark.parametrize(("earlier", "shown"), [(None, "nil"), (["a", "b"], "an array")])
def test_a_chained_lookup_with_nothing_to_chain_is_not_sent(earlier: Any, shown: str) -> None:
    with pytest.raises(commands._Unfillable, match=f"{{reply:id}} is {shown}, not a value"):
        commands._expand("user:{reply:id}", {}, {"id": earlier})
    assert commands._expand("user:{reply:id}:{reply:n}", {}, {"id": "7", "n": 2}) == "user:7:2"
