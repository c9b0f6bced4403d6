"""The network as `ip` sees it: hosts reach each other and nothing else; nothing is left after any ending."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lab import procs
from lab.attacks.safety import NotLoopbackError, require_loopback
from lab.errors import UserError
from lab.netlab import names
from lab.netlab.namespaces import network_up
from lab.netlab.reaper import pids_in
from lab.netlab.stale import cleanup_stale
from lab.netlab.topology import Role, topology
from tests.lab.netlab.leftovers import alive, ip, lab_links, lab_namespaces, stray_in

TOPO = topology(("client", Role.CLIENT), ("server", Role.SERVER))
SCRIPT = Path(__file__).with_name("netscript.py")
REPO = Path(__file__).resolve().parents[3]


def _echo_once(address: str, ready: threading.Event) -> None:
    with socket.create_server((address, 7000)) as srv:
        ready.set()
        conn, peer = srv.accept()
        with conn:
            conn.sendall(peer[0].encode())


def test_hosts_reach_each_other_only_inside_the_lab_and_nothing_is_left(netlab_root: None) -> None:
    with network_up(TOPO) as net:
        client, server = net.host("client"), net.host("server")
        assert sorted(lab_namespaces(net.run_id)) == sorted(net.namespaces)
        assert all(ns.startswith(f"tlslab-{net.run_id}-") for ns in net.namespaces)
        ready = threading.Event()
        listener = threading.Thread(target=net.call, args=("server", _echo_once, server.address, ready))
        listener.start()
        assert ready.wait(5)

        def dial() -> bytes:
            with socket.create_connection((server.address, 7000), timeout=3) as conn:
                return conn.recv(64)

        assert net.call("client", dial) == client.address.encode()
        listener.join(5)
        routes = net.call("client", lambda: subprocess.run(["ip", "route"], capture_output=True,
                                                           text=True).stdout)
        assert "default" not in routes and routes.startswith("198.18.0.0/24 dev eth0")
        links = net.call("client", lambda: ip("-o", "link", "show"))
        assert "02:00:c6:12:00:0a" in links  # the MAC derived from the host's address
        assert lab_links() == []  # nothing in the root namespace, during the run too
        require_loopback(server.address)  # a live lab host is an allowed target
    assert lab_namespaces(net.run_id) == [] and lab_links() == []
    with pytest.raises(NotLoopbackError):
        require_loopback(server.address)  # and no longer once the network is gone


def test_an_error_inside_tears_down_processes_and_namespaces(netlab_root: None) -> None:
    with pytest.raises(RuntimeError, match="boom"), network_up(TOPO) as net:
        proc = net.popen("server", [sys.executable, "-c", "import time; time.sleep(60)"])
        # a grandchild started by a helper, which the lab does not track: the reaper finds it by namespace
        orphan = net.call("client", subprocess.Popen, ["sleep", "60"], start_new_session=True)
        assert set(pids_in(net.namespaces)) >= {proc.pid, orphan.pid}
        raise RuntimeError("boom")
    assert proc.poll() is not None and not alive(orphan.pid)
    orphan.wait()
    assert lab_namespaces(net.run_id) == [] and lab_links() == []


def test_two_runs_at_once_do_not_collide_and_a_reused_run_id_is_refused(netlab_root: None) -> None:
    with network_up(TOPO) as one, network_up(TOPO) as two:
        assert one.run_id != two.run_id
        assert set(lab_namespaces(one.run_id)) | set(lab_namespaces(two.run_id)) == {
            *one.namespaces, *two.namespaces}
        with pytest.raises(UserError, match="already exists"), network_up(TOPO, one.run_id):
            pass
        assert len(lab_namespaces(one.run_id)) == 3  # the refusal removed nothing of the live run
    assert lab_namespaces(one.run_id) == lab_namespaces(two.run_id) == []


def _start(run_id: str) -> tuple[subprocess.Popen[str], int]:
    proc = procs.spawn([sys.executable, str(SCRIPT), run_id], stdout=subprocess.PIPE, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    assert line[:2] == ["ready", run_id], line
    assert len(lab_namespaces(run_id)) == 3
    return proc, int(line[2])


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_in_the_middle_leaves_nothing(netlab_root: None, how: str) -> None:
    run_id = names.new_run_id()
    proc, child = _start(run_id)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole foreground group
    else:
        proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    assert lab_namespaces(run_id) == [] and lab_links() == []
    assert not alive(child)
    assert not (names.OWNERS_DIR / f"{run_id}.json").exists()


def test_cleanup_stale_removes_a_crashed_run_and_spares_a_live_one(netlab_root: None) -> None:
    crashed = names.new_run_id()
    proc, child = _start(crashed)
    os.kill(proc.pid, signal.SIGKILL)  # no teardown at all: the namespaces remain
    proc.wait()
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:  # what the lab started dies with it (lab.procs)
        time.sleep(0.05)
    assert len(lab_namespaces(crashed)) == 3 and not alive(child)
    # A process the lab did not start (or one started in the moment before it was watched) stays inside.
    stray = stray_in(names.host_ns(crashed, "server"))
    try:
        with network_up(TOPO) as live:
            # other crashed runs on this machine (other test sessions) may be removed with it
            removed = {r.run_id: r for r in cleanup_stale()}
            assert live.run_id not in removed
            assert removed[crashed].processes == (stray.pid,)
            assert lab_namespaces(crashed) == []
            assert len(lab_namespaces(live.run_id)) == 3
        assert not alive(stray.pid) and lab_links() == []
    finally:
        stray.kill()
        stray.wait()
