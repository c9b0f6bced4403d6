"""Servers with known defects, on both targets, for the audit tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.pki import SERVER_NAMES, CertFiles, LabPKI
from lab.targets.process import RunningTarget, start_target
from lab.targets.spec import TargetSpec

WEAK_CIPHERS = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0"
PASSWORD = "audit-test-secret-77"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("audit-pki"))


def expiring(pki: LabPKI, days: int = 10) -> CertFiles:
    return pki.ca.issue(*SERVER_NAMES, valid_days=days).write(pki.dir, f"server-{days}d")


def defective_spec(kind: str) -> TargetSpec:
    """The issue's defects at once: TLS 1.2 with a weak cipher, optional client certs, plaintext open, no
    password (the cert expiring in 10 days is passed to start_target)."""
    return TargetSpec(
        kind=kind,
        plaintext=True,
        tls=True,
        tls_auth_clients="optional",  # type: ignore[arg-type]
        tls_protocols="TLSv1.2 TLSv1.3",
        tls_ciphers=WEAK_CIPHERS,
    )


def hardened_spec(kind: str) -> TargetSpec:
    return TargetSpec(
        kind=kind,
        plaintext=False,
        tls=True,
        tls_auth_clients="yes",  # type: ignore[arg-type]
        requirepass=PASSWORD,
        extra=(("bind", "127.0.0.1 -::1"),),
    )


def kinds() -> list[str]:
    return ["bundled", "redis-server"]


def need(kind: str) -> None:
    if kind == "redis-server" and shutil.which("redis-server") is None:
        pytest.skip("redis-server not found: apt-get install redis-server (make test installs it as root)")


@pytest.fixture(params=kinds(), scope="module")
def defective(
    request: pytest.FixtureRequest, pki: LabPKI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningTarget]:
    need(request.param)
    with start_target(
        defective_spec(request.param), tmp_path_factory.mktemp("defective"), pki, server_cert=expiring(pki)
    ) as target:
        yield target


@pytest.fixture(params=kinds(), scope="module")
def hardened(
    request: pytest.FixtureRequest, pki: LabPKI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningTarget]:
    need(request.param)
    with start_target(hardened_spec(request.param), tmp_path_factory.mktemp("hardened"), pki) as target:
        yield target


def conf_of(target: RunningTarget) -> Path:
    return target.conf_path
