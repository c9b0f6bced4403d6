"""Evidence of a run: dumpcap on loopback (or, without capture rights, a recording relay) plus a TLS key log.

with Capture(ports=[port, tls_port], out=run_dir / "scenario.pcapng") as cap:
    host, port = cap.address(tls_port)        # where clients connect (the relay's port in relay mode)
    client(..., keylog=cap.keylog)            # NSS key log next to the pcapng
cap.result  # CaptureResult(path, method, packets, ports, keylog, note)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal

from lab.capture.dumpcap import DumpcapPermissionError, DumpcapSession
from lab.capture.relay import HOST, RelaySession
from lab.capture.result import CaptureError, CaptureResult, Method
from lab.capture.synth import write_pcapng

__all__ = ["Capture", "CaptureError", "CaptureResult", "Method", "keylog_path_for"]

log = logging.getLogger(__name__)


def keylog_path_for(pcap: Path) -> Path:
    """The key log of a capture: same folder and stem, `.keylog` (load it in Wireshark to decrypt)."""
    return pcap.with_suffix(".keylog")


class Capture:
    """Context manager: capture TCP to `ports` on loopback into `out` (pcapng); always stopped on exit.

    method "auto" uses dumpcap and falls back to the relay (with a note saying how to grant capture rights)
    when dumpcap may not capture; "dumpcap" fails instead of falling back; "relay" forces the fallback.
    """

    def __init__(
        self,
        ports: Sequence[int],
        out: Path,
        method: Literal["auto", "dumpcap", "relay"] = "auto",
        interface: str = "lo",
        also: str = "",
    ) -> None:
        if not ports:
            raise CaptureError("no ports to capture: pass the server ports of the run")
        self.ports = tuple(int(p) for p in ports)
        self.out = out
        self.keylog = keylog_path_for(out)
        self._method = method
        self._interface = interface
        self._also = also  # more BPF for dumpcap, ORed with the ports (the relay records TCP only)
        self._dumpcap: DumpcapSession | None = None
        self._relay: RelaySession | None = None
        self._note = ""
        self._result: CaptureResult | None = None

    def __enter__(self) -> Capture:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if self._method in ("auto", "dumpcap"):
            try:
                self._dumpcap = DumpcapSession(self.ports, self.out, self._interface, self._also)
                return self
            except DumpcapPermissionError as exc:
                if self._method == "dumpcap":
                    raise
                self._note = f"packet capture unavailable, recorded through a relay instead: {exc}"
                log.warning("%s", self._note)
        self._relay = RelaySession(self.ports)
        return self

    @property
    def method(self) -> Method:
        return "dumpcap" if self._dumpcap is not None else "relay"

    def address(self, server_port: int) -> tuple[str, int]:
        """Where a client connects to reach `server_port` with its traffic recorded."""
        if self._relay is not None:
            return HOST, self._relay.port_for(server_port)
        if server_port not in self.ports:
            raise CaptureError(f"port {server_port} is not captured: add it to Capture(ports=...)")
        return HOST, server_port

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> CaptureResult:
        if self._result is not None:
            return self._result
        dropped = 0
        if self._dumpcap is not None:
            packets, dropped = self._dumpcap.stop()
            if dropped:
                log.warning("dumpcap: the kernel dropped %d packets: the capture has holes", dropped)
        elif self._relay is not None:
            packets = write_pcapng(self._relay.stop(), self.out)
        else:
            raise CaptureError("capture was never started: use it as a context manager")
        keylog = self.keylog if self.keylog.exists() and self.keylog.stat().st_size > 0 else None
        self._result = CaptureResult(self.out, self.method, packets, self.ports, keylog, self._note, dropped)
        return self._result

    @property
    def result(self) -> CaptureResult:
        if self._result is None:
            raise CaptureError("the capture is still running: read .result after the `with` block")
        return self._result
