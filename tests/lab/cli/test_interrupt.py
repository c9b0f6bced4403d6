"""A terminal's Ctrl-C (SIGINT to the whole process group) in the middle of `tlslab course --quick`,
`tlslab bench --quick` and a netlab scenario: exit 130 with one line, and nothing of the lab left behind —
no process it started, no network namespace, no interface or nft table in the root namespace.
(`tlslab run` on loopback: tests/lab/cli/test_run.py::test_ctrl_c_stops_everything.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lab.netlab import names
from lab.netlab.namespaces import can_build
from tests.conftest import require_tool
from tests.lab.netlab.leftovers import alive, lab_links, lab_namespaces

TLSLAB = str(Path(sys.executable).with_name("tlslab"))
INTERRUPTED = "interrupted; everything started was stopped."


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def nft_tables() -> set[str]:
    done = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True)
    return set(done.stdout.splitlines())


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def interrupt_when(started: list[subprocess.Popen[str]], argv: list[str], ready: Callable[[str, int], bool],
                   settle: float, then: Callable[[int], bool] = lambda pid: True,
                   ) -> tuple[subprocess.Popen[str], list[int], str]:
    """Start `tlslab argv`; once `ready(stdout line, pid)` holds and then `then(pid)`, wait `settle` s, and
    Ctrl-C the group. Returns the process, what it had started by then, and its stderr."""
    proc = subprocess.Popen([TLSLAB, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group, as a shell's foreground job
    started.append(proc)
    assert proc.stdout is not None
    for line in proc.stdout:
        if ready(line, proc.pid):
            break
    else:
        pytest.fail(f"never ready; exit {proc.wait()}: {proc.stderr.read() if proc.stderr else ''}")
    deadline = time.monotonic() + 60
    while not then(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(settle)
    children = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc, children, err


def assert_clean_exit(proc: subprocess.Popen[str], children: list[int], err: str, command: str) -> None:
    assert proc.returncode == 130, err
    assert err.strip() == f"tlslab {command}: {INTERRUPTED}", err  # one line: no worker's traceback
    deadline = time.monotonic() + 5
    while (left := [p for p in children if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == []


def test_ctrl_c_in_the_course(tmp_path: Path, started: list[subprocess.Popen[str]]) -> None:
    require_tool("dumpcap")
    proc, children, err = interrupt_when(started, ["course", "--quick", "--no-pause", "--out", str(tmp_path)],
                                         lambda line, _: "running scenario" in line, settle=3.0)
    assert children, "the course had started nothing yet"
    assert_clean_exit(proc, children, err, "course")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _has_workers(pid: int) -> bool:
    """A forked child (same command line as the bench itself) runs: the load generator's workers."""
    own = _cmdline(pid)
    return any(_cmdline(child) == own for child in descendants(pid))


def test_ctrl_c_in_the_bench(tmp_path: Path, started: list[subprocess.Popen[str]]) -> None:
    require_tool("redis-server")
    require_tool("redis-benchmark")
    # While the load generator's forked workers run (each printed a traceback on Ctrl-C): servers up too.
    proc, children, err = interrupt_when(started, ["bench", "--quick", "--out", str(tmp_path)],
                                         lambda line, _: "[bench] [1/" in line, settle=0.3, then=_has_workers)
    assert len(children) >= 2, "the bench had started no servers yet"
    assert_clean_exit(proc, children, err, "bench")


def _run_owned_by(pid: int) -> str | None:
    """The run id of the lab network process `pid` owns (its owner record), if any."""
    for record in names.OWNERS_DIR.glob("*.json") if names.OWNERS_DIR.is_dir() else ():
        try:
            if json.loads(record.read_text())["pid"] == pid:
                return record.stem
        except (OSError, ValueError, KeyError):
            continue
    return None


def test_ctrl_c_in_a_netlab_scenario(tmp_path: Path, started: list[subprocess.Popen[str]]) -> None:
    reason = can_build()
    if reason is not None:
        pytest.skip(reason)
    for tool in ("redis-server", "dumpcap", "nft"):
        require_tool(tool)
    tables = nft_tables()
    # replication-same-ca: namespaces, redis-server primary and replica, a mitmdump attacker, captures.
    proc = subprocess.Popen([TLSLAB, "run", "replication-same-ca", "--out", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    started.append(proc)
    deadline = time.monotonic() + 60
    while (run_id := _run_owned_by(proc.pid)) is None and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run_id is not None, "the scenario never built its network"
    time.sleep(4.0)  # servers and the attacker up inside the namespaces
    children = descendants(proc.pid)
    assert lab_namespaces(run_id), "no lab namespace at the moment of Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert_clean_exit(proc, children, err, "run")
    assert lab_namespaces(run_id) == [] and not (names.OWNERS_DIR / f"{run_id}.json").exists()
    assert lab_links() == [] and nft_tables() == tables
