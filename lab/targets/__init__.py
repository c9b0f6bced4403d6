"""The server under test: a TargetSpec rendered to redis.conf, run by redis-server or the bundled server."""

from lab.targets.process import HOST, RunningTarget, TargetStartError, start_target
from lab.targets.spec import KINDS, TargetKind, TargetSpec

__all__ = ["HOST", "KINDS", "RunningTarget", "TargetKind", "TargetSpec", "TargetStartError", "start_target"]
