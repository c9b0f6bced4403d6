"""Step 3, act: run the case's workload against the started session."""

from __future__ import annotations

from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads import WORKLOADS, WorkloadResult


def act(session: Session) -> WorkloadResult:
    step = session.case.workload
    workload = WORKLOADS[step.name]
    result = workload.run(session, step.params)
    own = getattr(step.params, "observes", None)
    declared = own if isinstance(own, tuple) else workload.observes
    undeclared = sorted(set(result.observations) - set(declared))
    if undeclared:  # the loader checked expectations against the declaration: it must be the truth
        raise RuntimeError(f"workload {step.name} reported undeclared observation(s) "
                           f"{', '.join(undeclared)}; add them to its `observes` in lab.scenario.workloads")
    return result
