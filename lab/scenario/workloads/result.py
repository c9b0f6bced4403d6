"""What a workload hands back to the lifecycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lab.scenario.evidence import ClientObservation, Json, Secret


@dataclass(frozen=True)
class WorkloadResult:
    clients: tuple[ClientObservation, ...] = ()
    observations: Mapping[str, Json] = field(default_factory=dict)
    secrets: tuple[Secret, ...] = ()
