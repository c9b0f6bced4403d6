"""dumpcap on the loopback interface, with the start and flush delays that keep every packet of a run.

dumpcap prints "Capturing on ..." when the interface is open, but packets in the first ~30 ms after that line
are still lost, and the last packets need a moment to reach the file: wait after start and before SIGINT.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from lab import procs
from lab.capture.result import CaptureError
from lab.capture.rights import GRANT_HINT, is_permission_problem

START_SETTLE_S = 0.25  # after "Capturing on": the kernel socket is open but not yet delivering
FLUSH_SETTLE_S = 0.5  # after the traffic: let the last packets reach dumpcap before SIGINT
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

_PACKETS_RE = re.compile(r"Packets(?: captured)?: (\d+)")
_DROPPED_RE = re.compile(r"received/dropped on interface .*?: (\d+)/(\d+)")
BUFFER_MB = 64  # kernel capture buffer; the 2 MB default drops packets on a busy machine under load


class DumpcapPermissionError(CaptureError):
    """dumpcap runs but may not capture: the relay fallback applies."""


def bpf_for_ports(ports: Sequence[int], also: str = "") -> str:
    """The capture filter: TCP on the ports, or whatever `also` matches (e.g. "arp" on a lab bridge)."""
    if not ports:
        return f"tcp or ({also})" if also else "tcp"
    tcp = " or ".join(f"tcp port {int(p)}" for p in ports)
    return f"({tcp}) or ({also})" if also else tcp


class DumpcapSession:
    """A running dumpcap; `stop()` always ends it (SIGINT, SIGKILL if it hangs) and counts packets."""

    def __init__(
        self,
        ports: Sequence[int],
        out: Path,
        interface: str = "lo",
        also: str = "",
        ring: tuple[int, int] | None = None,
    ) -> None:
        """`ring=(seconds, files)`: a ring buffer of `seconds`-long files, the oldest deleted past `files`."""
        binary = shutil.which("dumpcap")
        if binary is None:
            raise DumpcapPermissionError(
                "dumpcap not found: install it with `apt-get install tshark` (or use the relay capture)"
            )
        self._lines: list[str] = []
        self._ready = threading.Event()
        bpf = bpf_for_ports(ports, also)
        cmd = [binary, "-i", interface, "-B", str(BUFFER_MB), "-f", bpf, "-w", str(out)]
        if ring is not None:
            cmd += ["-b", f"duration:{int(ring[0])}", "-b", f"files:{int(ring[1])}"]
        self._proc = procs.spawn(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read_stderr, name="dumpcap-stderr", daemon=True)
        self._reader.start()
        try:
            self._wait_ready()
        except BaseException:
            self._terminate()
            raise

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._lines.append(line.rstrip("\n"))
            if "Capturing on" in line:
                self._ready.set()
        self._ready.set()  # EOF: dumpcap exited; _wait_ready looks at the return code

    def _stderr_text(self) -> str:
        return " ".join(line.strip() for line in self._lines if line.strip())

    def _wait_ready(self) -> None:
        if not self._ready.wait(START_TIMEOUT_S):
            raise CaptureError(
                f"dumpcap did not start capturing within {START_TIMEOUT_S:.0f} s: {self._stderr_text()}"
            )
        if self._proc.poll() is not None:
            self._reader.join(timeout=1)
            text = self._stderr_text() or f"exit code {self._proc.returncode}"
            if is_permission_problem(text):
                raise DumpcapPermissionError(f"dumpcap may not capture ({text}); {GRANT_HINT}")
            raise CaptureError(f"dumpcap failed to start: {text}")
        time.sleep(START_SETTLE_S)

    def stop(self) -> tuple[int, int]:
        """Flush, stop, and return (packets written, packets the kernel dropped)."""
        time.sleep(FLUSH_SETTLE_S)
        self._terminate()
        self._reader.join(timeout=STOP_TIMEOUT_S)
        counts = [int(m.group(1)) for line in self._lines if (m := _PACKETS_RE.search(line))]
        if self._proc.returncode not in (0, -signal.SIGINT) or not counts:
            raise CaptureError(
                f"dumpcap did not stop cleanly (exit {self._proc.returncode}): {self._stderr_text()}"
            )
        dropped = [int(m.group(2)) for line in self._lines if (m := _DROPPED_RE.search(line))]
        return counts[-1], sum(dropped)

    def _terminate(self) -> None:
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
            try:
                self._proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
