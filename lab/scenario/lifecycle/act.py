"""Step 3, act: run the case's workload against the started session."""

from __future__ import annotations

from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads import WORKLOADS, WorkloadResult


def act(session: Session) -> WorkloadResult:
    step = session.case.workload
    return WORKLOADS[step.name].run(session, step.params)
