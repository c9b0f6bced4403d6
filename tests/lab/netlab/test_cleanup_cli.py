"""`tlslab netlab cleanup`: a crashed run's namespaces and processes are gone afterwards, a live run stays."""

from __future__ import annotations

import os
import signal

import pytest

from lab.cli import main
from lab.netlab import names
from lab.netlab.namespaces import network_up
from lab.netlab.topology import Role, topology
from tests.lab.netlab.leftovers import alive, lab_links, lab_namespaces
from tests.lab.netlab.test_namespaces import _start as start_run

TOPO = topology(("client", Role.CLIENT), ("server", Role.SERVER))


def _crashed_run() -> tuple[str, int]:
    run_id = names.new_run_id()
    proc, child = start_run(run_id)
    os.kill(proc.pid, signal.SIGKILL)  # no teardown: the namespaces and the process inside remain
    proc.wait()
    return run_id, child


def test_cleanup_removes_a_crashed_run_and_spares_a_live_one(netlab_root: None,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    crashed, child = _crashed_run()
    assert len(lab_namespaces(crashed)) == 3 and alive(child)
    with network_up(TOPO) as live:
        assert main(["netlab", "cleanup"]) == 0
        out = capsys.readouterr().out
        assert f"removed run {crashed}: 3 namespace(s)" in out and "1 process(es) killed" in out
        assert lab_namespaces(crashed) == [] and not alive(child)
        assert len(lab_namespaces(live.run_id)) == 3
    assert lab_links() == []
    assert main(["netlab", "cleanup"]) == 0
    assert "nothing stale" in capsys.readouterr().out


def test_cleanup_without_root_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["netlab", "cleanup"]) == 2
    assert "cannot clean up lab namespaces" in capsys.readouterr().err
