"""Remediations are run: the loader adds a marked fix case, and a fix is proven only when it held."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from lab.scenario.loader import REGISTRIES, load_all
from lab.scenario.results import ExpectationResult, FixResult
from lab.scenario.schema import FIX_CASE, Scenario, parse_scenario
from lab.scenario.strict import SchemaError

FILE = Path("scenarios/demo.toml")
FIX = {
    "target": {"plaintext": False},
    "clients": {"old": {"posture": "tls-full", "port": "tls"}},
    "expect": [{"kind": "client", "client": "old", "connects": True}],
}
BASE: dict[str, Any] = {
    "name": "demo",
    "title": "Demo",
    "story": "A story.",
    "claim": {"kind": "pitfall", "text": "A claim."},
    "target": {"plaintext": True, "tls": True, "requirepass": "pw"},
    "clients": {"app": {"posture": "tls-full"}, "old": {"posture": "plaintext"}},
    "workload": {"name": "ping"},
    "expect": [{"kind": "client", "client": "old", "connects": True}],
    "remediation": {"summary": "Close the plaintext port.", "config": ["port 0"], "fix": FIX},
}


def _parse(remediation: dict[str, Any]) -> Scenario:
    doc = copy.deepcopy(BASE)
    doc["remediation"] = remediation
    return parse_scenario(doc, FILE, REGISTRIES)


def test_the_fix_case_is_the_base_case_with_the_fix_applied_and_marked() -> None:
    s = _parse(BASE["remediation"])
    assert [c.name for c in s.cases] == ["main", FIX_CASE]
    fix = s.fix_case
    assert fix is not None and fix.fix and not s.cases[0].fix
    assert fix.target.plaintext is False and fix.target.requirepass == "pw"
    assert fix.client("old").posture == "tls-full" and fix.client("app").posture == "tls-full"
    # the file's own expectations judge its cases, the fix's expectations judge the fix case alone
    assert [e.cases for e in s.expect] == [("main",), (FIX_CASE,)]


@pytest.mark.parametrize(
    ("remediation", "message"),
    [
        ({"summary": "s"}, r"remediation: expected either a \[remediation.fix\] table"),
        ({"summary": "s", "advice": True, "fix": FIX}, "not both"),
        ({"summary": "s", "config": ["appendfsync everysec # x"], "advice": True},
         r"remediation.config\[0\]: expected a redis.conf line without a trailing comment"),
        ({"summary": "s", "config": ["user default on #abc ~* +@all"], "advice": True},
         r"remediation.config\[0\]: expected a redis.conf line without a trailing comment"),
        ({"summary": "s", "fix": {**FIX, "expect": []}}, "at least one expectation that the threat is gone"),
        ({"summary": "s", "fix": {**FIX, "base": "nope"}}, r"remediation.fix.base: .*\(main\)"),
        ({"summary": "s", "fix": {**FIX, "expect": [{"kind": "client", "client": "old", "connects": True,
                                                     "cases": ["main"]}]}}, "no cases key"),
        ({"summary": "s", "fix": {**FIX, "targte": {}}}, r"remediation.fix.targte"),
    ],
)
def test_bad_remediations_are_load_errors(remediation: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        _parse(remediation)


def test_a_quoted_hash_is_not_a_comment() -> None:
    s = _parse({"summary": "s", "advice": True, "config": ['requirepass "a#b"']})
    assert s.remediation.config == ('requirepass "a#b"',) and s.fix_case is None


def _exp(met: bool, case: str = FIX_CASE) -> ExpectationResult:
    return ExpectationResult("client", case, "old connects", "refused" if not met else "connected", met)


def test_a_fix_is_proven_only_when_its_case_ran_cleanly_and_every_check_held() -> None:
    assert FixResult.of(False, FIX_CASE, (_exp(True), _exp(False, "main")), None, True).proven
    unmet = FixResult.of(False, FIX_CASE, (_exp(True), _exp(False)), None, True)
    assert not unmet.proven and (unmet.checks, unmet.met) == (2, 1) and "refused" in str(unmet.error)
    errored = FixResult.of(False, FIX_CASE, (_exp(True),), "timed out", True)
    assert not errored.proven and "errored: timed out" in str(errored.error)
    assert not FixResult.of(False, FIX_CASE, (), None, False).proven
    advice = FixResult.of(True, None, (), None, False)
    assert advice.advice and not advice.proven


def test_every_catalogue_scenario_has_a_fix_case_or_is_labelled_advice() -> None:
    for s in load_all():
        assert (s.fix_case is None) == s.remediation.advice, s.name
    threats = {s.name for s in load_all() if s.fix_case is not None}
    assert {"plaintext-sniff", "dual-port", "tcp-injection", "mitm-no-verify", "tls-without-certs"} <= threats


def test_an_acl_password_hash_is_not_a_trailing_comment() -> None:
    """`user default on #<sha256>` is a real redis.conf line (at-rest's fix): only `#` words that are not
    a 64-digit hash on a user line are comments the server would refuse."""
    line = "user default on #" + "a9" * 32 + " ~* &* +@all"
    assert _parse({"summary": "s", "config": [line], "advice": True}).remediation.config == (line,)
