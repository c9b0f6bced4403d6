"""Netlab tests build real namespaces: root only (CI runs as root), skipped elsewhere with the reason."""

from __future__ import annotations

import pytest

from lab.netlab.namespaces import can_build
from tests.conftest import require_tool


@pytest.fixture
def netlab_root() -> None:
    reason = can_build()
    if reason is not None:
        pytest.skip(reason)
    require_tool("ip")


@pytest.fixture
def redis_host(netlab_root: None) -> None:
    require_tool("redis-server")
    require_tool("dumpcap")
