"""One real run shared by the report tests: cheap scenarios through the real engine, servers and capture.

plaintext-sniff (secrets in clear, frames), tls-without-certs (a refused start), traffic-analysis (a figure),
tls-sniff (secrets readable only with the key log), plaintext-client-to-tls-port (a password in clear on the
TLS port), mitm-verify (an attacker in the path) from the catalogue, and the MITM matrix cut to the two
same-CA attacker certificates under both tls-auth-clients modes (mtls-yes: with the serverAuth-only cert the
password leaks though the server blocks; with the any-purpose cert the attacker passes mTLS).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lab.scenario.lifecycle.runner import run_all
from lab.scenario.loader import load_all, scenarios_dir, select
from lab.scenario.results import RunResult
from tests.conftest import require_tool

SMALL_MATRIX = """
name = "mitm-matrix"
title = "The MITM matrix (one attacker certificate, for the report tests)"
story = "Every client posture of redis-py and redis-cli against an attacker holding a same-CA certificate."
tags = ["test"]
timeout = 120
capture = false
[claim]
kind = "promise"
text = "Only clients that check the host name stop a same-CA attacker."
[target]
plaintext = false
tls = true
requirepass = "report-matrix-pw"
[workload]
name = "mitm-matrix"
attackers = ["same-ca-other-host", "same-ca-any-purpose"]
[[case]]
name = "mtls-no"
target = { tls-auth-clients = "no" }
[[case]]
name = "mtls-yes"
target = { tls-auth-clients = "yes" }
[[expect]]
kind = "observation"
key = "unmet_count"
equals = 0
[remediation]
summary = "Verify the host name in every client."
advice = true
"""
FROM_CATALOGUE = ("plaintext-sniff", "tls-without-certs", "traffic-analysis", "tls-sniff",
                  "plaintext-client-to-tls-port", "mitm-verify")


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    require_tool("dumpcap")
    require_tool("tshark")
    require_tool("redis-cli")
    base = tmp_path_factory.mktemp("report-run")
    catalogue = base / "scenarios"
    catalogue.mkdir()
    for name in FROM_CATALOGUE:
        shutil.copy(scenarios_dir() / f"{name}.toml", catalogue / f"{name}.toml")
    (catalogue / "mitm-matrix.toml").write_text(SMALL_MATRIX)
    chosen = select(load_all(catalogue), names=[*FROM_CATALOGUE, "mitm-matrix"])
    run = run_all(chosen, base / "out", "bundled")
    broken = [f"{s.name}: {s.verdict} {s.error or ''} {[e.expected for e in s.unmet]}"
              for s in run.scenarios if s.verdict != "met"]
    assert not broken, f"the engine run the report tests stand on did not pass: {broken}"
    return run


@pytest.fixture(scope="session")
def reports_dir(real_run: RunResult) -> Path:
    return Path(real_run.reports_dir)
