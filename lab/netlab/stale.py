"""Remove what a crashed earlier run left: namespaces named by the lab whose owning process is gone.

Only names that lab.netlab.names recognises as the lab's are touched, and never those of a run whose owner
still runs (two runs at once are allowed). Interfaces, bridges and nft tables live inside those namespaces
and go with them; processes still inside are killed first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lab.netlab import names
from lab.netlab.namespaces import owner_alive, teardown
from lab.netlab.nsexec import NETNS_DIR
from lab.netlab.reaper import pids_in


@dataclass(frozen=True)
class StaleRun:
    run_id: str
    namespaces: tuple[str, ...]
    processes: tuple[int, ...]  # pids that were still running inside, killed


def lab_namespaces() -> dict[str, list[str]]:
    """The lab's namespaces by run id (from /run/netns, what `ip netns list` shows)."""
    runs: dict[str, list[str]] = defaultdict(list)
    if NETNS_DIR.is_dir():
        for entry in sorted(NETNS_DIR.iterdir()):
            run_id = names.run_of(entry.name)
            if run_id is not None:
                runs[run_id].append(entry.name)
    return dict(runs)


def cleanup_stale() -> tuple[StaleRun, ...]:
    """Tear down every lab run whose owner is gone; return what was removed."""
    removed = []
    for run_id, spaces in lab_namespaces().items():
        if owner_alive(run_id):
            continue
        pids = tuple(pids_in(spaces))
        teardown(run_id, spaces)
        removed.append(StaleRun(run_id, tuple(spaces), pids))
    for record in names.OWNERS_DIR.glob("*.json") if names.OWNERS_DIR.is_dir() else ():
        if not owner_alive(record.stem):
            record.unlink(missing_ok=True)  # an owner record without namespaces: a run that died early
    return tuple(removed)
