"""What a lab network may not leave behind, as `ip` itself reports it (not as the lab thinks it is)."""

from __future__ import annotations

import subprocess

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
