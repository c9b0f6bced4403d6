"""haproxy (Debian's 2.6) on a lab host: TLS in front, plaintext or TLS again behind; always stopped.

TCP mode only: haproxy passes Redis bytes as they are, it does not speak RESP.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lab.errors import UserError
from lab.netlab.namespaces import LiveHost, Network
from lab.pki import CertFiles

FRONT_PORT = 6380  # inside the proxy's own namespace no other listener can hold it
READY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Backend:
    """Where haproxy forwards, and whether it re-encrypts (TLS to Redis, verifying it, with a client cert)."""

    address: str
    port: int
    tls: bool = False
    ca: Path | None = None
    name: str = ""  # the name the backend's cert must carry (checked with verifyhost)
    client_cert: CertFiles | None = None


def render(front: LiveHost, front_pem: Path, backend: Backend) -> str:
    server = f"    server redis {backend.address}:{backend.port}"
    if backend.tls:
        if backend.ca is None:
            raise UserError("a TLS backend needs ca= (haproxy verifies the Redis server's certificate)")
        server += f" ssl verify required ca-file {backend.ca}"
        if backend.name:
            server += f" verifyhost {backend.name} sni str({backend.name})"
        if backend.client_cert is not None:
            server += f" crt {backend.client_cert.cert.with_suffix('.pem')}"
    return "\n".join([
        "global", "    maxconn 256",
        "defaults", "    mode tcp", "    timeout connect 5s", "    timeout client 30s",
        "    timeout server 30s",
        "frontend redis_tls", f"    bind {front.address}:{FRONT_PORT} ssl crt {front_pem}",
        "    default_backend redis",
        "backend redis", server, "",
    ])


def combined_pem(files: CertFiles) -> Path:
    """haproxy's `crt` takes cert and key in one file (0600, beside the two)."""
    path = files.cert.with_suffix(".pem")
    path.touch(0o600)
    path.write_bytes(files.cert.read_bytes() + files.key.read_bytes())
    return path


def _listening(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_haproxy(net: Network, host: LiveHost, front_cert: CertFiles, backend: Backend,
                  workdir: Path) -> subprocess.Popen[bytes]:
    """Start haproxy in the foreground on `host`; the Network stops it at teardown (or the caller sooner)."""
    binary = shutil.which("haproxy")
    if binary is None:
        raise UserError("haproxy is not installed: apt-get install haproxy")
    if backend.client_cert is not None:
        combined_pem(backend.client_cert)
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "haproxy.cfg"
    conf.write_text(render(host, combined_pem(front_cert), backend))
    log = (workdir / "haproxy.log").open("wb")
    proc = net.popen(host.name, [binary, "-db", "-f", str(conf)], stdin=subprocess.DEVNULL, stdout=log,
                     stderr=subprocess.STDOUT)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not net.call(host.name, _listening, host.address, FRONT_PORT):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise UserError(f"haproxy did not start: {(workdir / 'haproxy.log').read_text()[-500:]}")
        time.sleep(0.05)
    return proc
