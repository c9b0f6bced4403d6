"""A lab run in its own process, for the interruption tests: builds a network, starts a process inside a
host, says "ready <run id> <pid>", then waits to be interrupted (or killed)."""

from __future__ import annotations

import sys
import time

from lab.netlab.namespaces import network_up
from lab.netlab.topology import Role, topology


def main() -> None:
    run_id = sys.argv[1]
    topo = topology(("client", Role.CLIENT), ("server", Role.SERVER))
    with network_up(topo, run_id) as net:
        proc = net.popen("server", [sys.executable, "-c", "import time; time.sleep(120)"])
        print(f"ready {net.run_id} {proc.pid}", flush=True)
        time.sleep(120)


if __name__ == "__main__":
    main()
