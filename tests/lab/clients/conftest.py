"""Shared by the client tests: one PKI, and the target kinds every client case runs against."""

from __future__ import annotations

import importlib.util

import pytest

from lab.pki import LabPKI
from lab.targets import TargetKind


@pytest.fixture(scope="package")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(params=["redis-server", "bundled"])
def kind(request: pytest.FixtureRequest) -> TargetKind:
    if request.param == "redis-server":
        request.getfixturevalue("redis_server_bin")
    elif importlib.util.find_spec("server.__main__") is None:
        pytest.skip("the bundled server has no entry point yet (server/__main__.py)")
    name: TargetKind = request.param
    return name
