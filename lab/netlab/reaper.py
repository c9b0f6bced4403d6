"""Find and end the processes inside a namespace, and remove namespaces: the last step of every teardown.

A process is inside a namespace when /proc/<pid>/ns/net is the same inode as the namespace's bind mount.
Processes the owners stopped cleanly are already gone; this catches whatever a crash or Ctrl-C left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from pyroute2 import netns

from lab.netlab.nsexec import ns_path

KILL_WAIT_S = 5.0


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def pids_in(names: Iterable[str]) -> list[int]:
    """Pids of processes (other than this one) whose network namespace is one of `names`."""
    wanted = {i for n in names if (i := _inode(ns_path(n))) is not None}
    if not wanted:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid() and _inode(entry / "ns" / "net") in wanted:
            found.append(int(entry.name))
    return found


def kill_all_in(names: Iterable[str]) -> list[int]:
    """SIGKILL every process in the namespaces and wait until they are gone; return their pids."""
    names = list(names)
    killed: list[int] = []
    deadline = time.monotonic() + KILL_WAIT_S
    while (pids := pids_in(names)) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if pid not in killed:
                killed.append(pid)
        for pid in pids:  # our own children must be reaped, or they linger as zombies in the namespace
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.02)
    return killed


def remove_namespace(name: str) -> bool:
    """Unmount and unlink one namespace (its interfaces go with it once nothing holds it); False if absent."""
    if not ns_path(name).exists():
        return False
    netns.remove(name)
    return True
