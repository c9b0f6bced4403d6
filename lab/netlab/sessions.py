"""Lab clients (lab.clients: redis-py, redis-cli, with their TLS postures) run from a host of the network."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from lab.clients import ClientOutcome, ClientSpec, Posture, run_session
from lab.clients.model import Library
from lab.netlab.namespaces import Network
from lab.pki import LabPKI


def client_spec(pki: LabPKI, server_name: str, password: str | None, posture: Posture = Posture.TLS_FULL,
                library: Library = "redis-py", client_cert: bool = True, timeout: float = 3.0) -> ClientSpec:
    """A client trusting the lab CA, checking `server_name` (the host's real name) where its posture does."""
    return ClientSpec.from_pki(pki, library, posture, client_cert=client_cert, password=password,
                               server_hostname=server_name, timeout=timeout)


def session(net: Network, host: str, spec: ClientSpec, address: str, port: int,
            commands: Sequence[Sequence[str]], keylog: Path | None = None) -> ClientOutcome:
    """One client session from `host` to address:port (the client's sockets live in the host's namespace)."""
    return net.call(host, run_session, spec, address, port, commands, keylog)


def wait_for_value(net: Network, host: str, spec: ClientSpec, address: str, port: int, key: str,
                   value: str, timeout: float = 10.0) -> bool:
    """Poll GET key on address:port until it returns value (a replica catching up); False at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = session(net, host, spec, address, port, [("GET", key)])
        if out.replies and out.replies[-1] == value:
            return True
        time.sleep(0.1)
    return False
