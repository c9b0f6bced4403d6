from __future__ import annotations

import pytest

from lab.scenario.attackers import ATTACKERS
from lab.scenario.mitm_attacker import MitmAttacker, summarize
from lab.scenario.workloads import WORKLOADS


def test_registered_with_the_scenario_engine() -> None:
    assert ATTACKERS["mitm"].params is MitmAttacker
    assert {"mitm-matrix", "secret-read-back"} <= set(WORKLOADS)


def test_unknown_cert_source_is_refused_by_name() -> None:
    from lab.scenario.strict import SchemaError, build

    expected = 'attacker.cert: expected one of .*"same-ca-other-host".*got "stolen-ca"'
    with pytest.raises(SchemaError, match=expected):
        build(MitmAttacker, {"cert": "stolen-ca"}, "x.toml", "attacker")


def test_summary_says_what_was_read_forged_and_refused() -> None:
    events = (
        {"kind": "spy.command", "conn": "a", "argv": ["AUTH", "pw"]},
        {"kind": "spy.command", "conn": "a", "argv": ["SET", "k", "v"]},
        {"kind": "tamper.applied", "conn": "a", "replacement": "x"},
        {"kind": "tls_client_failed", "conn": "b", "error": "unknown ca"},
    )
    summary = summarize(events)
    assert summary["passwords"] == ["pw"] and summary["values"] == ["k=v"]
    assert summary["tampered"] == 1 and summary["client_tls_refusals"] == 1
    assert summary["noticed"] == ["unknown ca"]
