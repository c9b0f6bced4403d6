"""Every name the lab gives a kernel object, in one place: namespaces carry the run id, so runs never collide.

Only objects named here are the lab's: cleanup of a crashed run removes exactly these and nothing else.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

PREFIX = "tlslab-"
RUN_ID = re.compile(r"^[0-9a-f]{6}$")
BRIDGE = "labbr0"  # lives in the run's own switch namespace, so the name needs no run id
HOST_IFACE = "eth0"  # a host's side of its veth pair, inside the host's namespace
OWNERS_DIR = Path("/run/tlslab-netlab")  # <run id>.json: which process owns a live network


def new_run_id() -> str:
    return secrets.token_hex(3)


def switch_ns(run_id: str) -> str:
    return f"{PREFIX}{run_id}-switch"


def host_ns(run_id: str, host: str) -> str:
    return f"{PREFIX}{run_id}-{host}"


def switch_port(host: str) -> str:
    """The switch's side of a host's veth pair (host names are at most 10 characters: 13 of IFNAMSIZ's 15)."""
    return f"sw-{host}"


def run_of(ns_name: str) -> str | None:
    """The run id in one of our namespace names, None for anyone else's namespace."""
    if not ns_name.startswith(PREFIX):
        return None
    run_id = ns_name[len(PREFIX):].split("-", 1)[0]
    return run_id if RUN_ID.match(run_id) else None


def mac_for(address: str) -> str:
    """A locally administered MAC derived from the IPv4 address (02:00:c6:12:00:0a for 198.18.0.10):
    a trainer can read who a frame is from without a lookup table, and forged ARP stands out."""
    octets = [int(o) for o in address.split(".")]
    return "02:00:" + ":".join(f"{o:02x}" for o in octets)
