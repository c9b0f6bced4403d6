"""Steps 2 and 4, start and stop: everything a case runs (target, attacker, capture) lives in one Session.

`start()` brings them up in order; `stop()` — always called by the runner, also after errors, timeouts and
Ctrl-C — takes them down in reverse order with SIGINT held back, so a second Ctrl-C cannot interrupt the
cleanup and leave a server or dumpcap behind. A target that refuses to start is data (`start_error`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab.capture import Capture, CaptureResult
from lab.scenario.attackers import ATTACKERS, Attacker
from lab.scenario.evidence import Json
from lab.scenario.lifecycle.prepare import PreparedCase
from lab.targets import RunningTarget, TargetKind, TargetStartError, start_target

Dial = Literal["plaintext", "tls"]


@dataclass(frozen=True)
class Stopped:
    """What stop() hands to verify."""

    log_text: str
    capture: CaptureResult | None
    data_dir: Path | None
    attacker: Mapping[str, Json]


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Defer Ctrl-C until the block is done, then raise it. A Python-level handler, not a signal mask:
    the mask is per thread, and a helper thread (dumpcap's reader) would still take the signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


class Session:
    """The running world of one case. Workloads get it to find endpoints and, for crash trials, restart."""

    def __init__(self, prepared: PreparedCase, kind: TargetKind) -> None:
        self.prepared = prepared
        self.case = prepared.case
        self.spec = dataclasses.replace(prepared.case.target, kind=kind)
        self.target: RunningTarget | None = None
        self.capture: Capture | None = None
        self.attacker: Attacker | None = None
        self.start_error: TargetStartError | None = None
        self.ports: dict[str, int] = {}  # "plaintext"/"tls" → the port of the first start (what was captured)
        self._stack = ExitStack()
        self._stopped: Stopped | None = None

    @property
    def keylog(self) -> Path | None:
        return self.capture.keylog if self.capture is not None else None

    def _start_target(self) -> RunningTarget:
        p = self.prepared
        return self._stack.enter_context(start_target(self.spec, p.workdir, p.pki, p.server_cert))

    def start(self) -> bool:
        """Target, then attacker, then capture of all their ports. False when the target refused to start."""
        try:
            self.target = self._start_target()
        except TargetStartError as exc:
            self.start_error = exc
            return False
        self.ports = {k: v for k, v in (("plaintext", self.target.port), ("tls", self.target.tls_port)) if v}
        extra_ports: tuple[int, ...] = ()
        if self.case.attacker is not None:
            kind = ATTACKERS[self.case.attacker.name]
            self.attacker = self._stack.enter_context(kind.start(self, self.case.attacker.params))
            extra_ports = self.attacker.ports
        if self.prepared.pcap is not None:
            self.capture = self._stack.enter_context(
                Capture(ports=[*self.target.ports, *extra_ports], out=self.prepared.pcap)
            )
        return True

    def server_port(self, dial: Dial) -> int:
        if self.target is None:
            raise RuntimeError("the target is not running")
        port = self.target.port if dial == "plaintext" else self.target.tls_port
        if port is None:
            raise RuntimeError(f"the target has no {dial} port (see the scenario's [target])")
        return port

    def endpoint(self, dial: Dial) -> tuple[str, int]:
        """Where a client dials for the server's `dial` port (via the attacker and the capture, if any)."""
        host, port = (self.target.host if self.target else "127.0.0.1"), self.server_port(dial)
        if self.attacker is not None:
            host, port = self.attacker.endpoint(dial) or (host, port)
        if self.capture is not None:
            host, port = self.capture.address(port)
        return host, port

    def restart(self, sig: int = signal.SIGKILL) -> RunningTarget:
        """Crash (or stop) the server with `sig` and start it again on the same data dir (new ports).

        Traffic to the new ports is not captured: crash trials run without capture.
        """
        if self.target is None:
            raise RuntimeError("the target is not running")
        self.target.kill(sig)
        self.target = self._start_target()
        return self.target

    def _log_text(self) -> str:
        log = self.prepared.workdir / "server.log"
        return log.read_text("utf-8", "replace") if log.exists() else ""

    def stop(self) -> Stopped:
        """Stop everything that was started (idempotent); SIGINT waits until it is done."""
        if self._stopped is not None:
            return self._stopped
        with _sigint_deferred():
            attacker: Mapping[str, Json] = {}
            try:
                if self.attacker is not None:
                    attacker = dict(self.attacker.observations())
            finally:
                self._stack.close()
            capture = self.capture.result if self.capture is not None else None
            data_dir = self.target.dir if self.target is not None else None
            self._stopped = Stopped(self._log_text(), capture, data_dir, attacker)
        return self._stopped
