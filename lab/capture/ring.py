"""A dumpcap ring buffer for live watching: fixed-length files, the oldest deleted, none growing unbounded.

with RingCapture(directory, ports=[6379], seconds=2, files=10) as ring:
    for path in ring.finished():   # files dumpcap has moved past, oldest first, each returned once
        ...
ring.last()                        # after the exit: the file that was being written
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from lab.capture.dumpcap import DumpcapSession

STEM = "watch"


class RingCapture:
    def __init__(
        self,
        directory: Path,
        ports: Sequence[int] = (),
        interface: str = "lo",
        seconds: int = 2,
        files: int = 10,
    ) -> None:
        self.directory = directory
        self.ports = tuple(ports)
        self.interface = interface
        self.seconds = seconds
        self.files = files
        self._done: set[Path] = set()
        self._session: DumpcapSession | None = None
        self.packets = 0
        self.dropped = 0

    def __enter__(self) -> RingCapture:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._session = DumpcapSession(
            self.ports, self.directory / f"{STEM}.pcapng", self.interface, ring=(self.seconds, self.files)
        )
        return self

    @property
    def pid(self) -> int | None:
        return self._session.pid if self._session is not None else None

    def _all(self) -> list[Path]:
        return sorted(self.directory.glob(f"{STEM}_*.pcapng"))

    def finished(self) -> list[Path]:
        """Files dumpcap has closed (all but the newest) and that were not returned before."""
        closed = self._all()[:-1]
        new = [p for p in closed if p not in self._done]
        self._done.update(new)
        return new

    def last(self) -> list[Path]:
        """After stopping: every file not returned yet (the one being written when dumpcap stopped)."""
        new = [p for p in self._all() if p not in self._done]
        self._done.update(new)
        return new

    def stop(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            self.packets, self.dropped = session.stop()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
