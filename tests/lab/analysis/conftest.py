"""One real capture per test session: redis-server, plaintext and TLS 1.2/1.3 clients, with a key log.

What was sent is recorded next to the capture so tests compare the analysis with the truth, never with
hand-written expectations about a fixture file.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lab.capture import Capture
from lab.pki import LabPKI
from lab.targets import TargetSpec, start_target
from tests.conftest import require_tool
from tests.lab.traffic import TlsOptions, session

PASSWORD = "pw-Zq81-secret"
VALUE = "marked-value-7731"


@dataclass(frozen=True)
class LabCapture:
    pcap: Path
    keylog: Path
    pki: LabPKI
    port: int
    tls_port: int
    commands: tuple[tuple[str, ...], ...]  # what every session sent, in order
    sessions: tuple[str, ...]  # the TLS sessions' labels, in connection order


@pytest.fixture(scope="session", params=["bundled", "redis-server"])
def lab_capture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabCapture]:
    """The same traffic against the bundled server and Debian's redis-server: the analysis must not care."""
    if request.param == "redis-server":
        require_tool("redis-server")
    require_tool("dumpcap")
    require_tool("tshark")
    root = tmp_path_factory.mktemp("capture")
    pki = LabPKI.create(root / "pki")
    commands: tuple[tuple[str, ...], ...] = (
        ("AUTH", PASSWORD),
        ("SET", "card", VALUE),
        ("GET", "card"),
        ("DEL", "card"),
    )
    v12, v13 = ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3
    spec = TargetSpec(kind=request.param, tls=True, tls_auth_clients="optional", requirepass=PASSWORD)
    with start_target(spec, root / "target", pki) as srv:
        assert srv.port is not None and srv.tls_port is not None
        with Capture(ports=[srv.port, srv.tls_port], out=root / "lab.pcapng", method="dumpcap") as cap:
            session(srv.port, commands)
            session(srv.port, commands)  # two plaintext sessions: every AUTH must be found
            tls = {
                "tls12-client-cert": TlsOptions(
                    pki.ca_cert, v12, pki.client.cert, pki.client.key, keylog=cap.keylog
                ),
                "tls13-client-cert": TlsOptions(
                    pki.ca_cert, v13, pki.client.cert, pki.client.key, keylog=cap.keylog
                ),
                "tls13-no-cert": TlsOptions(pki.ca_cert, v13, keylog=cap.keylog),
                "tls12-no-sni": TlsOptions(pki.ca_cert, v12, sni=None, keylog=cap.keylog),
            }
            for options in tls.values():
                session(srv.tls_port, commands, options)
        ports = (srv.port, srv.tls_port)
    yield LabCapture(cap.result.path, cap.keylog, pki, *ports, commands, tuple(tls))
