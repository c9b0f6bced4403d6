"""What a lab network may not leave behind, as `ip` itself reports it (not as the lab thinks it is)."""

from __future__ import annotations

import os
import subprocess
import time

from lab.netlab import names


def ip(*args: str) -> str:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=True).stdout


def lab_namespaces(run_id: str = "") -> list[str]:
    """Namespaces `ip netns list` shows that belong to the lab (to one run, if given)."""
    return [line.split()[0] for line in ip("netns", "list").splitlines()
            if line.startswith(names.PREFIX + run_id)]


def lab_links() -> list[str]:
    """Interfaces of the root namespace the lab might have made (bridge, switch ports, veths)."""
    out = []
    for line in ip("-o", "link", "show").splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name == names.BRIDGE or name.startswith("sw-") or "veth" in line:
            out.append(name)
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(") ", 1)[1][0]
    except OSError:
        return False
    return state != "Z"


def stray_in(namespace: str) -> subprocess.Popen[bytes]:
    """A process inside a namespace that the lab did not start (so it does not die with the lab): what
    cleanup must find and kill by itself. The caller kills it if the test fails first."""
    proc = subprocess.Popen(["ip", "netns", "exec", namespace, "sleep", "60"], start_new_session=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _netns_of(proc.pid) == _netns_of(os.getpid()):
        time.sleep(0.02)  # until `ip` has joined the namespace (it then execs sleep, same pid)
    return proc


def _netns_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None
