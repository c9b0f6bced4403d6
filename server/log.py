"""Redis-style log lines: `pid:M 23 Nov 2026 07:32:38.664 * message` to stdout or `logfile`.

The level characters are Redis's (. debug, - verbose, * notice, # warning), so tools and people that
read redis-server logs read ours the same way. Never called on the per-command hot path.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

LEVELS = {"debug": 0, "verbose": 1, "notice": 2, "warning": 3}
VERBOSE = LEVELS["verbose"]
_MARKS = ".-*#"


class RedisLog:
    __slots__ = ("_out", "_owned", "level")

    def __init__(self, level: str = "notice", logfile: str = "") -> None:
        self.level = LEVELS[level]
        self._owned = bool(logfile)
        # Kept open for the server's lifetime (closed by close()), like Redis's log file.
        self._out: TextIO = (
            open(logfile, "a", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
            if logfile
            else sys.stdout
        )

    def set_level(self, level: str) -> None:
        """CONFIG SET loglevel: takes effect at the next line, as in Redis."""
        self.level = LEVELS[level]

    def log(self, level: int, message: str) -> None:
        if level < self.level:
            return
        now = time.time()
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(now))
        self._out.write(f"{os.getpid()}:M {stamp}.{int(now * 1000) % 1000:03d} {_MARKS[level]} {message}\n")
        self._out.flush()

    def debug(self, message: str) -> None:
        self.log(0, message)

    def verbose(self, message: str) -> None:
        self.log(1, message)

    def notice(self, message: str) -> None:
        self.log(2, message)

    def warning(self, message: str) -> None:
        self.log(3, message)

    def fileno(self) -> int:
        """The descriptor lines go to (a fork()ed child keeps it open and closes the others)."""
        return self._out.fileno()

    def close(self) -> None:
        if self._owned:
            self._out.close()
