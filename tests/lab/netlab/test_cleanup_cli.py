"""`tlslab netlab cleanup`: a crashed run's namespaces and processes are gone afterwards, a live run stays."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from lab.cli import main
from lab.netlab import names
from lab.netlab.namespaces import network_up
from lab.netlab.topology import Role, topology
from tests.lab.netlab.leftovers import alive, lab_links, lab_namespaces, stray_in
from tests.lab.netlab.test_namespaces import _start as start_run

TOPO = topology(("client", Role.CLIENT), ("server", Role.SERVER))


def _crashed_run() -> tuple[str, subprocess.Popen[bytes]]:
    """A run SIGKILLed with no teardown: its namespaces remain, and in one a process it did not start."""
    run_id = names.new_run_id()
    proc, _ = start_run(run_id)
    os.kill(proc.pid, signal.SIGKILL)  # what the run started dies with it (lab.procs); the namespaces stay
    proc.wait()
    return run_id, stray_in(names.host_ns(run_id, "server"))


def test_cleanup_removes_a_crashed_run_and_spares_a_live_one(netlab_root: None,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    crashed, stray = _crashed_run()
    try:
        assert len(lab_namespaces(crashed)) == 3 and alive(stray.pid)
        with network_up(TOPO) as live:
            assert main(["netlab", "cleanup"]) == 0
            out = capsys.readouterr().out
            assert f"removed run {crashed}: 3 namespace(s)" in out
            line = next(ln for ln in out.splitlines() if ln.startswith(f"removed run {crashed}"))
            assert line.endswith("1 process(es) killed")
            assert lab_namespaces(crashed) == [] and not alive(stray.pid)
            assert len(lab_namespaces(live.run_id)) == 3
    finally:
        stray.kill()
        stray.wait()
    assert lab_links() == []
    assert main(["netlab", "cleanup"]) == 0
    assert "nothing stale" in capsys.readouterr().out


def test_cleanup_without_root_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["netlab", "cleanup"]) == 2
    assert "cannot clean up lab namespaces" in capsys.readouterr().err
