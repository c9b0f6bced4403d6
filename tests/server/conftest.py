"""Fixtures that run the real bundled server (`python -m server`) as a subprocess on free loopback ports.

- `lab_pki`: one CA + server/client certs for the session (lab.pki), for TLS listeners and clients.
- `bundled`: a module-wide server with a plaintext and a TLS listener (tls-auth-clients optional);
  cheap to share: tests that change server state (CONFIG SET, SHUTDOWN, requirepass) start their own.
- `start_bundled(**spec)`: start a server with any lab.targets.TargetSpec fields; every server it
  started is stopped when the test ends, also on failure.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target

StartBundled = Callable[..., RunningTarget]


@pytest.fixture(scope="session")
def lab_pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


def _spec(fields: dict[str, Any]) -> TargetSpec:
    return TargetSpec(**{"kind": "bundled", **fields})


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, lab_pki: LabPKI) -> Iterator[RunningTarget]:
    spec = _spec({"tls": True, "tls_auth_clients": "optional"})
    with start_target(spec, tmp_path_factory.mktemp("bundled"), pki=lab_pki) as target:
        yield target


@pytest.fixture
def start_bundled(tmp_path: Path, lab_pki: LabPKI) -> Iterator[StartBundled]:
    with contextlib.ExitStack() as stack:
        count = 0

        def start(**fields: Any) -> RunningTarget:
            nonlocal count
            count += 1
            workdir = tmp_path / f"bundled-{count}"
            return stack.enter_context(start_target(_spec(fields), workdir, pki=lab_pki))

        yield start


def client_tls_context(pki: LabPKI, client_cert: bool = True, check_hostname: bool = True) -> ssl.SSLContext:
    """What a careful client uses: trusts only the lab CA, checks the name, optionally shows its cert."""
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    ctx.check_hostname = check_hostname
    if client_cert:
        ctx.load_cert_chain(pki.client.cert, pki.client.key)
    return ctx
