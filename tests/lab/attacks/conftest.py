"""redis-server with plaintext + TLS ports for the packet attacks (verbose log shows TLS read errors)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target
from tests.conftest import require_tool


@pytest.fixture(scope="package")
def attack_pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="package")
def dual_target(tmp_path_factory: pytest.TempPathFactory, attack_pki: LabPKI) -> Iterator[RunningTarget]:
    require_tool("redis-server")
    if os.geteuid() != 0:
        pytest.skip("packet attacks need root (raw sockets and sniffing on lo)")
    spec = TargetSpec(kind="redis-server", plaintext=True, tls=True, extra=(("loglevel", "verbose"),))
    with start_target(spec, tmp_path_factory.mktemp("target"), attack_pki) as target:
        yield target


@pytest.fixture
def no_leftover_threads() -> Iterator[None]:
    """The scapy sniffer runs as a thread: none may outlive an attack."""
    before = set(threading.enumerate())
    yield
    assert set(threading.enumerate()) <= before
