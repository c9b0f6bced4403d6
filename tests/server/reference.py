"""A real redis-server 7.0 to compare the bundled server against (skips when redis-server is missing)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from lab.targets import RunningTarget, TargetSpec, start_target
from tests.conftest import require_tool


@contextlib.contextmanager
def reference_redis(workdir: Path) -> Iterator[RunningTarget]:
    """redis-server on a free loopback port, no persistence (`save ""`, appendonly no); stopped after."""
    require_tool("redis-server")
    with start_target(TargetSpec(kind="redis-server"), workdir) as target:
        yield target
