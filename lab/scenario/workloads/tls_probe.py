"""Looking at the TLS layer itself: which library does the work, what gets negotiated, do sessions resume.

These use instruments rather than Redis clients: the server's own memory map (/proc/PID/maps) shows the
TLS library it runs, `openssl s_client` reports the negotiated group as a third-party client, and a small
Python ssl client offers the previous session back to count full vs resumed handshakes.
"""

from __future__ import annotations

import re
import socket
import ssl
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab import procs
from lab.scenario.evidence import Json
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.dial import run_client
from lab.scenario.workloads.result import WorkloadResult

_LIB = re.compile(r"/lib(ssl|crypto)\.so[.\d]*$")
_VERSION = re.compile(rb"OpenSSL \d+\.\d+\.\d+[a-z]?(?:-[\w.]+)? +\d{1,2} \w{3} \d{4}")
_BRIEF = re.compile(
    r"^(Protocol version|Ciphersuite|Signature type|Server Temp Key|Verification"
    r"|Negotiated TLS1\.3 group): (.*)$",
    re.MULTILINE,
)
_SSL_VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def _mapped_tls_libraries(pid: int) -> list[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines() if _LIB.search(line)})


def _library_version(paths: list[str]) -> str | None:
    """The version banner compiled into libcrypto (what `openssl version` prints for the same build)."""
    for path in paths:
        if "crypto" in path:
            found = _VERSION.search(Path(path).read_bytes())
            if found:
                return found.group().decode()
    return None


def _s_client(session: Session) -> dict[str, str]:
    """`openssl s_client -brief`: protocol, cipher suite, key-exchange group, as a third-party client sees."""
    pki = session.prepared.pki
    host, port = session.endpoint("tls")
    cmd = ["openssl", "s_client", "-brief", "-connect", f"{host}:{port}", "-servername", "localhost"]
    if pki is not None:
        cmd += ["-CAfile", str(pki.ca_cert), "-verify_hostname", "localhost"]
        if session.case.target.tls_auth_clients != "no":
            cmd += ["-cert", str(pki.client.cert), "-key", str(pki.client.key)]
    if session.keylog is not None:
        cmd += ["-keylogfile", str(session.keylog)]
    done = procs.run(cmd, input=b"", capture_output=True, timeout=10, check=False)
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    fields = {k: v.strip() for k, v in _BRIEF.findall(text)}
    group = fields.get("Negotiated TLS1.3 group") or fields.get("Server Temp Key", "").split(",")[0]
    return {
        "protocol": fields.get("Protocol version", ""),
        "cipher": fields.get("Ciphersuite", ""),
        "group": group,
        "signature": fields.get("Signature type", ""),
        "verification": fields.get("Verification", ""),
    }


def _program(pid: int) -> str:
    """The server's process name (redis-server, or the Python running the bundled server). Its name, not
    its executable: Debian's redis-server is a link to redis-check-rdb, which picks its role by name."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class TlsInternals:
    """What TLS library the server runs and what a session negotiates (no parameters)."""


def tls_internals(session: Session, _p: TlsInternals) -> WorkloadResult:
    assert session.target is not None
    libraries = _mapped_tls_libraries(session.target.pid)
    clients = tuple(run_client(session, c, [["PING"]]) for c in session.case.clients)
    first = clients[0] if clients else None
    return WorkloadResult(
        clients,
        {
            "server_program": _program(session.target.pid),
            "server_tls_libraries": list(libraries),
            "server_tls_library_version": _library_version(libraries),
            "negotiated": _s_client(session),
            "redis_py": {
                "tls_version": first.tls_version if first else None,
                "cipher": first.cipher if first else None,
                "library": ssl.OPENSSL_VERSION,
            },
        },
    )


@dataclass(frozen=True)
class SessionResumption:
    connections: int = 8
    offer_session: bool = True  # the client offers the previous connection's session back
    tls_version: Literal["TLSv1.2", "TLSv1.3"] = "TLSv1.3"


def _median_ms(values: list[float]) -> float | None:
    return round(statistics.median(values) * 1000, 3) if values else None


def session_resumption(session: Session, p: SessionResumption) -> WorkloadResult:
    """New connections one after another; each handshake timed and classified full or resumed."""
    pki = session.prepared.pki
    assert pki is not None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca_cert)
    ctx.minimum_version = ctx.maximum_version = _SSL_VERSIONS[p.tls_version]
    if session.keylog is not None:
        ctx.keylog_filename = str(session.keylog)
    password = session.case.target.requirepass
    request = (f"AUTH {password}\r\n" if password else "") + "PING\r\n"
    host, port = session.endpoint("tls")
    previous: ssl.SSLSession | None = None
    full: list[float] = []
    resumed: list[float] = []
    for _ in range(p.connections):
        raw = socket.create_connection((host, port), timeout=5)
        t0 = time.perf_counter()
        with ctx.wrap_socket(
            raw, server_hostname="localhost", session=previous if p.offer_session else None
        ) as tls:
            took = time.perf_counter() - t0
            tls.sendall(request.encode())
            reply = b""
            while b"PONG" not in reply:  # reading also takes in TLS 1.3's session tickets
                chunk = tls.recv(4096)
                if not chunk:
                    break
                reply += chunk
            (resumed if tls.session_reused else full).append(took)
            previous = tls.session
    observations: dict[str, Json] = {
        "connections": p.connections,
        "tls_version": p.tls_version,
        "offered_session": p.offer_session,
        "caching": session.case.target.tls_session_caching,
        "full": len(full),
        "resumed": len(resumed),
        "full_handshake_ms_median": _median_ms(full),
        "resumed_handshake_ms_median": _median_ms(resumed),
    }
    return WorkloadResult((), observations)
