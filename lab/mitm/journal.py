"""The attacker's event log: addons running inside mitmdump append JSON lines; the lab reads them back.

A file, not a socket: mitmdump is a separate process (see runner.py), the file survives a crash of either
side, and it is the "mitmproxy flow log" kept beside the capture. One event per line, each with the client
connection id ("conn") so the lab can tell sessions apart when one attacker serves several clients.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

JOURNAL_OPTION = "tlslab_journal"

Event = dict[str, Any]


class Journal:
    """mitmproxy addon owning the log file; other addons call emit()."""

    def __init__(self) -> None:
        self._out: IO[str] | None = None

    def load(self, loader: Any) -> None:
        loader.add_option(JOURNAL_OPTION, str, "", "JSON-lines file for the lab addons' observations.")

    def configure(self, updated: set[str]) -> None:
        from mitmproxy import ctx  # only inside mitmdump: the lab process reads journals without mitmproxy

        if JOURNAL_OPTION in updated and getattr(ctx.options, JOURNAL_OPTION):
            if self._out is not None:
                self._out.close()
            self._out = open(getattr(ctx.options, JOURNAL_OPTION), "a", buffering=1, encoding="utf-8")  # noqa: SIM115

    def emit(self, kind: str, conn: str | None = None, **fields: Any) -> None:
        if self._out is None:
            return
        self._out.write(json.dumps({"t": time.time(), "kind": kind, "conn": conn, **fields}) + "\n")

    def done(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def read_journal(path: Path) -> tuple[Event, ...]:
    """All complete events so far (a line still being written is skipped, not an error)."""
    if not path.exists():
        return ()
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return tuple(events)
