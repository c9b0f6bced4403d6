"""Run mitmproxy (mitmdump) in reverse TLS mode between a client and the real server, and always stop it.

A subprocess rather than an in-process DumpMaster, on purpose:
- stopping is a signal to one PID, after which the kernel frees the listen port every time (an in-process
  master keeps it bound after run() returns unless its servers are cleared by hand);
- mitmproxy's own event loop, logging handlers and crash modes stay out of the lab process (and its tests);
- the cost (~1.2 s start-up) is paid once per attacker configuration, since one attacker serves many clients.
The addons report through a JSON-lines journal (journal.py); the listen port is bound by mitmproxy itself
(port 0) and read back from its "ready" event, so no port race.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.attacks.safety import require_loopback
from lab.errors import UserError
from lab.mitm.certs import AttackerTLS
from lab.mitm.journal import JOURNAL_OPTION, Event, read_journal
from lab.mitm.tamper import TAMPER_OPTION, TamperRule, rules_to_option

ADDONS_SCRIPT = Path(__file__).with_name("addons.py")
READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
_TERMINAL = frozenset({"client_disconnected", "blocked_upstream"})


class MitmStartError(UserError):
    """mitmdump did not come up; the message carries the tail of its own output."""


@dataclass(frozen=True)
class MitmSpec:
    upstream_host: str
    upstream_port: int
    attacker: AttackerTLS
    tamper: tuple[TamperRule, ...] = ()
    listen_host: str = "127.0.0.1"
    allow_non_loopback: bool = False
    # Transparent: clients dial the real server and never the attacker; a redirect (lab.netlab.transparent)
    # delivers their connections here, and mitmproxy reads the original destination from the socket.
    transparent: bool = False
    scripts: tuple[Path, ...] = ()  # further addon scripts, loaded after the lab's own


def mitmdump_argv(spec: MitmSpec, journal: Path) -> list[str]:
    sets = [
        ("confdir", str(spec.attacker.confdir)),
        # The attacker does not care whom it talks to upstream (the lab CA is not in the system store anyway).
        ("ssl_insecure", "true"),
        # Connect upstream first: the forged cert then copies the real server's names.
        ("connection_strategy", "eager"),
        ("flow_detail", "0"),
        ("termlog_verbosity", "warn"),
        (JOURNAL_OPTION, str(journal)),
        (TAMPER_OPTION, rules_to_option(spec.tamper)),
        *spec.attacker.options,
    ]
    mode = (f"transparent@{spec.listen_host}:0" if spec.transparent
            else f"reverse:tls://{spec.upstream_host}:{spec.upstream_port}@{spec.listen_host}:0")
    if spec.transparent:
        sets.append(("tcp_hosts", ".*"))  # whatever follows TLS is raw TCP (RESP), never parsed as HTTP
    argv = [sys.executable, "-c", "from mitmproxy.tools.main import mitmdump; mitmdump()", "--mode", mode,
            "-s", str(ADDONS_SCRIPT)]
    for script in spec.scripts:
        argv += ["-s", str(script)]
    for name, value in sets:
        argv += ["--set", f"{name}={value}"]
    return argv


class MitmProxy:
    """A running attacker. Sessions are read from the journal between mark() and settle()."""

    def __init__(self, process: subprocess.Popen[bytes], journal: Path, log: Path, port: int) -> None:
        self.process = process
        self.journal = journal
        self.log = log
        self.port = port

    @property
    def pid(self) -> int:
        return self.process.pid

    def events(self) -> tuple[Event, ...]:
        return read_journal(self.journal)

    def mark(self) -> int:
        """Where the next session's events start."""
        return len(self.events())

    def settle(self, since: int, timeout: float = 3.0) -> tuple[Event, ...]:
        """Events since `since`, once every client connection opened since then has ended (or timeout).

        Sessions are run one after another; waiting for each connection's last event keeps late events of one
        client out of the next client's slice. mitmproxy does not always report a client disconnect (a client
        closing without close_notify leaves it half-open), so a server disconnect after replies counts too.
        """
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()[since:]
            opened = {e["conn"] for e in events if e["kind"] == "client_connected"}
            ended = {e["conn"] for e in events if e["kind"] in _TERMINAL
                     or (e["kind"] == "server_disconnected" and not e.get("before_any_reply"))}
            if opened <= ended or time.monotonic() > deadline or self.process.poll() is not None:
                return events
            time.sleep(0.02)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # mitmdump shuts down cleanly (exit 0) on SIGINT
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def run_mitm(spec: MitmSpec, workdir: Path) -> Iterator[MitmProxy]:
    """Start mitmdump for `spec` (journal and log under workdir), yield it once it listens, stop it always."""
    require_loopback(spec.upstream_host, spec.listen_host, allow_non_loopback=spec.allow_non_loopback)
    workdir.mkdir(parents=True, exist_ok=True)
    stem = f"mitm-{spec.attacker.source.value}"
    journal, log = workdir / f"{stem}.jsonl", workdir / f"{stem}.log"
    journal.unlink(missing_ok=True)
    with open(log, "wb") as log_file:
        # Own session: a Ctrl-C in the terminal reaches the lab, which then stops mitmdump by PID.
        process = procs.spawn(mitmdump_argv(spec, journal), stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        port = _wait_ready(process, journal, log)
        yield MitmProxy(process, journal, log, port)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], journal: Path, log: Path) -> int:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        ready = [e for e in read_journal(journal) if e["kind"] == "ready"]
        if ready and ready[0]["listen"]:
            return int(ready[0]["listen"][0][1])
        if process.poll() is not None:
            break
        time.sleep(0.02)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
    state = f"exited with {process.returncode}" if process.poll() is not None else "did not listen in time"
    raise MitmStartError(f"mitmdump {state}: {' | '.join(tail) or 'no output'}; check that mitmproxy 11 is "
                         f"installed in this venv (pip install -e .)")


def events_of(events: Sequence[Event], kind: str) -> list[Event]:
    return [e for e in events if e["kind"] == kind]
