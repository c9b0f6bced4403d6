"""How to get capture rights when dumpcap refuses: the text the user needs, in one place."""

from __future__ import annotations

GRANT_HINT = (
    "grant capture rights to dumpcap: `sudo setcap cap_net_raw,cap_net_admin+eip /usr/bin/dumpcap` "
    "(or `sudo dpkg-reconfigure wireshark-common` and `sudo usermod -aG wireshark $USER`, "
    "then log in again), "
    "or run as root"
)

# Phrases dumpcap/libpcap print when the process may not open the interface.
_PERMISSION_MARKERS = ("permission", "operation not permitted", "not permitted", "cap_net_raw")


def is_permission_problem(stderr_text: str) -> bool:
    """True when dumpcap's own message says it lacks the right to capture (not another failure)."""
    low = stderr_text.lower()
    return any(marker in low for marker in _PERMISSION_MARKERS)
