"""Start the server under test on free loopback ports, wait until it answers, and always stop it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lab import procs
from lab.errors import UserError
from lab.pki import CertFiles, LabPKI
from lab.targets.redisconf import Listen, render
from lab.targets.spec import TargetSpec

HOST = "127.0.0.1"
STOP_GRACE_S = 5.0
_PORT_ATTEMPTS = 3  # a free port can be taken between our probe and the server's bind: retry with new ones
_REASON_LINES = 4  # the tail of a failed start's log that names the reason (Redis prints it last)


class TargetStartError(Exception):
    """The server did not come up. Carries the server's own log lines, which say why in its own words."""

    def __init__(self, message: str, lines: tuple[str, ...], returncode: int | None) -> None:
        super().__init__(message)
        self.lines = lines
        self.returncode = returncode


@dataclass
class RunningTarget:
    """A started server, owned by start_target(): stopped when the `with` block ends, however it ends."""

    spec: TargetSpec
    host: str
    port: int | None  # plaintext listener
    tls_port: int | None
    dir: Path  # the server's `dir` (AOF lives here); kept across restarts in the same workdir
    conf_path: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    log_offset: int = field(default=0, repr=False)  # where this start's lines begin in the kept log

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(p for p in (self.port, self.tls_port) if p is not None)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        with self.log_path.open("rb") as fh:
            fh.seek(self.log_offset)
            return fh.read().decode("utf-8", "replace")

    def kill(self, sig: int = signal.SIGKILL) -> int | None:
        """Send a signal (SIGKILL by default: the crash of durability scenarios). Waits when it is fatal."""
        if self.alive:
            self.process.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            return self.process.wait(timeout=STOP_GRACE_S * 2)
        return self.process.poll()

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after a grace period; returns the exit code. Safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: all sockets are held open until every port is picked."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in socks:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _command(spec: TargetSpec, conf: Path) -> list[str]:
    if spec.kind == "redis-server":
        binary = shutil.which("redis-server")
        if binary is None:
            raise UserError("redis-server is not installed: apt-get install redis-server, "
                            "or use --target bundled")
        return [binary, str(conf)]
    return [sys.executable, "-m", "server", str(conf)]


def _probe_context(pki: LabPKI | None) -> ssl.SSLContext:
    """Readiness only asks "does it answer": no verification, any protocol the spec may restrict to."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    if pki is not None:
        ctx.load_cert_chain(pki.client.cert, pki.client.key)  # tls-auth-clients yes needs one
    return ctx


def _answers(port: int, tls: ssl.SSLContext | None, password: str | None) -> bool:
    """True once the server replies PONG (not -LOADING) on the port, or completes a TLS exchange with us,
    or wants a password we do not have (-NOAUTH: a password kept only as an ACL hash; it is up)."""
    request = b"*1\r\n$4\r\nPING\r\n"
    if password:
        pw = password.encode()
        request = b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw) + request
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as raw:
            sock: socket.socket = raw
            if tls is not None:
                try:
                    sock = tls.wrap_socket(raw)
                except ssl.SSLError:
                    return True  # it speaks TLS, just refuses us (e.g. a client cert we lack): it is up
            sock.sendall(request)
            reply = b""
            while b"PONG" not in reply and b"-NOAUTH" not in reply and not reply.startswith(b"-LOADING"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
            return b"PONG" in reply or b"-NOAUTH" in reply
    except OSError:
        return False


_REDIS_PREFIX = re.compile(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [.\-*#] ")
_BANNER = ("oO0OoO0OoO0Oo", "Redis version=", "Configuration loaded")


def _tail(lines: tuple[str, ...]) -> str:
    """The reason in the server's words: its last lines without Redis's pid/time prefix and start banner."""
    bare = [_REDIS_PREFIX.sub("", line).strip() for line in lines]
    useful = [line for line in bare if line and not any(b in line for b in _BANNER)]
    return " | ".join(useful[-_REASON_LINES:])


def _wait_ready(target: RunningTarget, pki: LabPKI | None, timeout: float) -> None:
    tls_ctx = _probe_context(pki) if target.tls_port is not None else None
    deadline = time.monotonic() + timeout
    pending = [(p, None) for p in (target.port,) if p is not None] + [
        (p, tls_ctx) for p in (target.tls_port,) if p is not None
    ]
    while pending:
        if target.process.poll() is not None:
            lines = tuple(target.log_text().splitlines())
            code = target.process.returncode
            raise TargetStartError(f"{target.spec.kind} exited with code {code} during start: {_tail(lines)}",
                                   lines, code)
        pending = [(p, ctx) for p, ctx in pending if not _answers(p, ctx, target.spec.requirepass)]
        if pending and time.monotonic() > deadline:
            lines = tuple(target.log_text().splitlines())
            waiting = [p for p, _ in pending]
            raise TargetStartError(f"{target.spec.kind} did not answer on port(s) {waiting} within "
                                   f"{timeout:.0f} s: {_tail(lines)}", lines, None)
        if pending:
            time.sleep(0.02)


def _launch(spec: TargetSpec, workdir: Path, pki: LabPKI | None, cert: CertFiles | None,
            log: IO[bytes], timeout: float) -> RunningTarget:
    ports = _free_ports(2)
    listen = Listen(HOST, ports[0] if spec.plaintext else None, ports[1] if spec.tls else None)
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "redis.conf"
    conf.write_text(render(spec, listen, data_dir, cert, pki.ca_cert if pki else None))
    log.flush()
    offset = log.tell()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = procs.spawn(
        _command(spec, conf), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        cwd=workdir, env=env, start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
    )
    target = RunningTarget(spec, HOST, listen.port, listen.tls_port, data_dir, conf, Path(log.name),
                           process, offset)
    try:
        _wait_ready(target, pki, timeout)
    except BaseException:
        target.stop()
        raise
    return target


@contextlib.contextmanager
def start_target(
    spec: TargetSpec,
    workdir: Path,
    pki: LabPKI | None = None,
    server_cert: CertFiles | None = None,
    ready_timeout: float = 15.0,
) -> Iterator[RunningTarget]:
    """Start the target in workdir (redis.conf, server.log, data/), yield it once it answers, stop it after.

    TLS files: server_cert, else pki.server; the CA (for client auth) is pki.ca_cert. With neither, a TLS spec
    is passed to the server without certificates, and its refusal comes back as TargetStartError.
    Starting again in the same workdir reuses data/ (AOF) and appends to server.log.
    """
    # The server runs with workdir as its cwd, so every path handed to it must be absolute.
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cert = server_cert if server_cert is not None else (pki.server if pki is not None else None)
    with (workdir / "server.log").open("ab") as log:
        target: RunningTarget | None = None
        for attempt in range(_PORT_ATTEMPTS):
            try:
                target = _launch(spec, workdir, pki, cert, log, ready_timeout)
                break
            except TargetStartError as exc:
                if attempt + 1 == _PORT_ATTEMPTS or not any("in use" in line for line in exc.lines):
                    raise
        assert target is not None
        try:
            yield target
        finally:
            target.stop()
