"""One redis-server 7.0 and one bundled server for the whole differential suite (each case FLUSHALLs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab.targets import TargetSpec, start_target
from tests.server.differential.harness import Servers
from tests.server.reference import reference_redis


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with (
        reference_redis(tmp_path_factory.mktemp("redis")) as reference,
        start_target(TargetSpec(kind="bundled"), tmp_path_factory.mktemp("bundled")) as bundled,
    ):
        yield Servers(reference, bundled)
