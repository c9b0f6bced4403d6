"""What a run may not leave behind: processes started for it, ports it bound. Shared by the scenario tests."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def processes_mentioning(text: str) -> list[str]:
    """Live processes whose command line contains `text` (a run's folder appears in every server's and
    dumpcap's arguments), other than this test process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue  # it ended while we looked
        cmdline = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        if text in cmdline and state != "Z":
            found.append(f"{entry.name}: {cmdline.strip()}")
    return found


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0
