"""The network-lab scenarios: five files, outside the default set, each with a fix case; run end to end as
root on redis-server, and an error naming the reason where they cannot run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab import procs
from lab.netlab import names
from lab.netlab.namespaces import owner_alive
from lab.scenario.lifecycle.prepare import RunPaths
from lab.scenario.lifecycle.runner import run_scenario
from lab.scenario.loader import DEFAULT_TAG, load_all
from lab.scenario.workloads import netlab
from tests.lab.netlab.conftest import netlab_root, redis_host
from tests.lab.netlab.leftovers import ip, lab_links, lab_namespaces

__all__ = ["netlab_root", "redis_host"]  # fixtures

NETLAB = ("arp-mitm", "replication-in-clear", "replication-same-ca", "cluster-bus", "tls-terminating-proxy")
CATALOGUE = {s.name: s for s in load_all()}
TLSLAB = "import sys; from lab.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("name", NETLAB)
def test_each_is_tagged_out_of_the_default_set_and_proves_its_fix(name: str) -> None:
    s = CATALOGUE[name]
    assert "netlab" in s.tags and DEFAULT_TAG not in s.tags
    fix = s.fix_case
    assert fix is not None and vars(fix.workload.params)["fix"] is True
    assert all(vars(c.workload.params)["fix"] is False for c in s.cases if not c.fix)
    assert s.cases[0].workload.name.startswith("netlab-")


def _ours_left(before: set[str]) -> list[str]:
    """Lab namespaces that appeared during the run and have no live owner (or are this process's)."""
    left = []
    for ns in set(lab_namespaces()) - before:
        run_id = names.run_of(ns)
        assert run_id is not None
        record = names.OWNERS_DIR / f"{run_id}.json"
        mine = record.is_file() and json.loads(record.read_text()).get("pid") == os.getpid()
        if mine or not owner_alive(run_id):
            left.append(ns)
    return left


def test_cluster_bus_runs_its_attack_and_its_fix_and_leaves_nothing(
        redis_host: None, tmp_path: Path) -> None:
    before = set(lab_namespaces())
    result = run_scenario(CATALOGUE["cluster-bus"], RunPaths.new(tmp_path), "redis-server")
    assert result.verdict == "met", [(e.case, e.expected, e.observed) for e in result.unmet] or result.error
    main, fix = (next(c for c in result.cases if c.name == n) for n in ("main", "fix"))
    assert main.observations["bus_readable"] is True and fix.observations["bus_readable"] is False
    assert Path(str(main.observations["figure"])).is_file()
    assert _ours_left(before) == [] and lab_links() == []
    assert "tlslab-" not in ip("-o", "link", "show")


def test_without_root_the_case_errors_with_the_reason(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(netlab, "can_build", lambda: "network namespaces need root")
    result = run_scenario(CATALOGUE["tls-terminating-proxy"], RunPaths.new(tmp_path), "bundled")
    assert result.verdict == "error"
    errors = " ".join(str(c.error) for c in result.cases)
    assert "netlab scenario cannot run here: network namespaces need root" in errors


def test_ctrl_c_in_the_middle_of_a_netlab_scenario_leaves_nothing(redis_host: None, tmp_path: Path) -> None:
    before = set(lab_namespaces())
    repo = Path(__file__).resolve().parents[2]
    proc = procs.spawn(
        [sys.executable, "-c", TLSLAB, "run", "replication-in-clear", "--target", "redis-server"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(repo)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (set(lab_namespaces()) - before):
            time.sleep(0.1)
        assert set(lab_namespaces()) - before, "the scenario built no network within 60 s"
        time.sleep(1.0)  # inside the run: servers starting, the switch capturing
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C
        assert proc.wait(60) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _ours_left(before) == [] and lab_links() == []
