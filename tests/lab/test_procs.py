"""lab.procs: what the lab starts dies with it, even when the lab is SIGKILLed (no `finally` runs then).

Real processes throughout: a parent Python process (or pytest, or `tlslab run`) starts children through the
lab's own code, is SIGKILLed, and the children must be gone within a few seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab import procs
from tests.conftest import require_tool
from tests.lab.cli.test_run import _scenarios
from tests.lab.netlab.leftovers import alive
from tests.lab.scenario.leftovers import processes_mentioning

ROOT = Path(__file__).resolve().parents[2]
GONE_WITHIN_S = 5.0


def wait_gone(pids: list[int], within: float = GONE_WITHIN_S) -> list[int]:
    """The pids still alive after `within` seconds."""
    deadline = time.monotonic() + within
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Parent processes a test starts; killed (with whatever they started) if the test fails early."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()


def _start_parent(started: list[subprocess.Popen[str]], code: str, *args: str) -> tuple[subprocess.Popen[str],
                                                                                        list[int]]:
    """Run `code` in a fresh Python; it prints the pids of its children on one line, then sleeps."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    started.append(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip(), f"the parent printed no pids (exit {proc.poll()})"
    return proc, [int(p) for p in line.split()]


def _sigkill(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL to the parent alone: its children are not in its signal's way
    proc.wait()


SLEEPERS = """
import sys, threading, time
from lab import procs
pids = [procs.spawn(["sleep", "120"]).pid]
def in_thread():
    pids.append(procs.spawn(["sleep", "120"]).pid)
    pids.append(procs.spawn(["sleep", "120"], start_new_session=True).pid)
t = threading.Thread(target=in_thread)
t.start()
t.join()  # the thread that forked them has ended: a parent-death signal would have fired now
time.sleep(0.5)
print(*pids, flush=True)
time.sleep(120)
"""


def test_children_from_main_and_worker_threads_outlive_the_thread_and_die_with_the_process(
    parent: list[subprocess.Popen[str]],
) -> None:
    proc, pids = _start_parent(parent, SLEEPERS)
    assert len(pids) == 3
    assert all(alive(p) for p in pids), "a child started from a worker thread died with that thread"
    _sigkill(proc)
    assert wait_gone(pids) == []


SERVERS = """
import sys, tempfile, threading, time
from pathlib import Path
from lab.targets import TargetSpec, start_target
work = Path(sys.argv[1])
pids, held = [], []
def start(name):
    held.append(start_target(TargetSpec(kind=sys.argv[2]), work / name))  # held: never closed
    pids.append(held[-1].__enter__().pid)  # never left: only SIGKILL ends this process
start("main")
t = threading.Thread(target=start, args=("thread",))
t.start()
t.join()
print(*pids, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("kind", ["bundled", "redis-server"])
def test_servers_from_lab_targets_die_with_a_sigkilled_lab(
    tmp_path: Path, parent: list[subprocess.Popen[str]], kind: str
) -> None:
    if kind == "redis-server":
        require_tool("redis-server")
    proc, pids = _start_parent(parent, SERVERS, str(tmp_path), kind)
    assert len(pids) == 2 and all(alive(p) for p in pids)
    _sigkill(proc)
    assert wait_gone(pids) == []
    assert processes_mentioning(str(tmp_path)) == []


FIXTURE_TEST = """
import os, time
from pathlib import Path
from lab.targets import TargetSpec, start_target

def test_holds_a_server(tmp_path):
    with start_target(TargetSpec(kind="bundled"), Path(os.environ["WORK"])) as target:
        Path(os.environ["PIDFILE"]).write_text(str(target.pid))
        time.sleep(120)
"""


def test_a_sigkilled_pytest_leaves_no_fixture_server(tmp_path: Path,
                                                     parent: list[subprocess.Popen[str]]) -> None:
    test_file = tmp_path / "test_holder.py"
    test_file.write_text(FIXTURE_TEST)
    pidfile = tmp_path / "server.pid"
    env = {**os.environ, "WORK": str(tmp_path / "work"), "PIDFILE": str(pidfile)}
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    parent.append(proc)
    deadline = time.monotonic() + 60
    while not pidfile.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pidfile.exists(), f"the fixture server never started (pytest exit {proc.poll()})"
    server = int(pidfile.read_text())
    assert alive(server)
    _sigkill(proc)
    assert wait_gone([server]) == []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _slow_run(tmp_path: Path, parent: list[subprocess.Popen[str]],
              *also: str) -> tuple[subprocess.Popen[str], list[int]]:
    """`tlslab run` of a scenario that waits 60 s in its workload with the capture on; returns it and the
    processes it started (server, dumpcap) once it is in that wait."""
    scenarios = _scenarios(tmp_path, slow={"capture": "true", "workload": "commands",
                                           "params": 'steps = [{ command = ["PING"] }, { sleep = 60 }]'})
    tlslab = str(Path(sys.executable).with_name("tlslab"))
    argv = [tlslab, "run", "slow", "--scenarios", str(scenarios), "--out", str(tmp_path), *also]
    proc = subprocess.Popen(argv,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    parent.append(proc)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "workload" in line and "pid" in line:
            break
    time.sleep(0.5)  # inside the workload's wait: server and dumpcap run
    children = [int(p.split(":")[0]) for p in processes_mentioning(str(tmp_path))]
    assert len(children) >= 2, "expected the server and dumpcap to run"
    return proc, children


def test_a_sigkilled_tlslab_run_leaves_no_server_or_capture(tmp_path: Path,
                                                           parent: list[subprocess.Popen[str]]) -> None:
    require_tool("dumpcap")
    proc, children = _slow_run(tmp_path, parent)
    _sigkill(proc)
    assert wait_gone(children) == []


def test_a_sigkilled_side_by_side_run_leaves_no_peer_run(tmp_path: Path,
                                                         parent: list[subprocess.Popen[str]]) -> None:
    """`--also`: the second target's run is a forked child of its own; it must not carry on alone."""
    require_tool("dumpcap")
    require_tool("redis-server")
    proc, children = _slow_run(tmp_path, parent, "--also", "redis-server")
    peer = [p for p in children if p != proc.pid and _cmdline(p) == _cmdline(proc.pid)]
    assert peer, "no peer run process"
    _sigkill(proc)
    assert wait_gone(children) == []


def test_sigterm_unwinds_like_ctrl_c_in_tlslab(tmp_path: Path, parent: list[subprocess.Popen[str]]) -> None:
    """`kill` or `timeout` in the middle of a run: the same one line and cleanup as Ctrl-C."""
    require_tool("dumpcap")
    proc, children = _slow_run(tmp_path, parent)
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (130, 143), err
    assert err.strip() == "tlslab run: interrupted; everything started was stopped."
    assert wait_gone(children) == []
    assert (tmp_path / "reports" / "latest" / "run.json").exists()  # the cleanup ran: the report was written


def test_run_kills_the_child_on_timeout_and_reports_it() -> None:
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as exc:  # the shell's child holds the pipe: killed too
        procs.run(["sh", "-c", "echo started; sleep 30; echo never"], capture_output=True, text=True,
                  timeout=0.5)
    assert exc.value.output == "started\n" and time.monotonic() - started < 10
    done = procs.run(["sh", "-c", "cat; exit 3"], input="in", capture_output=True, text=True, timeout=10)
    assert (done.returncode, done.stdout) == (3, "in")
    with pytest.raises(subprocess.CalledProcessError):
        procs.run(["false"], check=True, timeout=10)


FORKED = """
import multiprocessing as mp, signal, time
from lab import procs
def work():
    procs.forked_worker()
    time.sleep(120)
worker = mp.get_context("fork").Process(target=work)
worker.start()  # with Python's own SIGINT handler, as the bench's workers
signal.signal(signal.SIGINT, signal.SIG_IGN)  # this parent outlives the Ctrl-C, to be SIGKILLed after
time.sleep(0.3)
print(worker.pid, flush=True)
time.sleep(120)
"""


def test_a_forked_worker_leaves_ctrl_c_to_its_parent_and_dies_with_it(
    parent: list[subprocess.Popen[str]],
) -> None:
    proc, (worker,) = _start_parent(parent, FORKED)
    os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
    time.sleep(0.5)
    assert alive(worker), "the worker died of the Ctrl-C (with a traceback) instead of being stopped"
    _sigkill(proc)
    assert wait_gone([worker]) == []


SPAWNS = re.compile(r"\bsubprocess\.(Popen|run|call|check_call|check_output)\(|"
                    r"create_subprocess_(exec|shell)\(|\bos\.(system|popen|spawn\w*)\(")


def test_every_spawn_in_the_lab_goes_through_lab_procs() -> None:
    """A child started any other way outlives a killed lab: the rule, checked over the whole package."""
    offenders = []
    for path in sorted((ROOT / "lab").rglob("*.py")):
        if path == ROOT / "lab" / "procs.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SPAWNS.search(line.split("#", 1)[0]):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "start it with lab.procs.spawn / lab.procs.run:\n" + "\n".join(offenders)
