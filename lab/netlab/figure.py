"""The network as a figure for the report: the switch in the middle, each host with its role and address,
the capture point on the bridge, the attacker marked. Drawn from the Topology alone."""

from __future__ import annotations

import math
from pathlib import Path

from lab.netlab.topology import CapturePoint, Role, Topology

_COLOURS = {Role.ATTACKER: "#c0392b", Role.CLIENT: "#2471a3", Role.PROXY: "#7d3c98"}
_DEFAULT = "#1e8449"


def draw_topology(topo: Topology, out: Path) -> Path:
    """Write the figure (PNG or SVG by suffix) and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6))
    ax.set_axis_off()
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.6)
    ax.add_patch(plt.Rectangle((-0.5, -0.18), 1.0, 0.36, color="#555555"))  # room for the capture line
    label = f"switch (bridge)\n{topo.block}"
    if topo.capture is CapturePoint.SWITCH:
        label += "\ncapture: mirror port"
    ax.text(0, 0, label, ha="center", va="center", color="white", fontsize=8)
    for i, host in enumerate(topo.hosts):
        angle = math.pi / 2 - 2 * math.pi * i / len(topo.hosts)
        x, y = math.cos(angle) * 1.1, math.sin(angle) * 1.1
        colour = _COLOURS.get(host.role, _DEFAULT)
        ax.plot([0, x], [0, y], color="#999999", zorder=0)
        ax.add_patch(plt.Circle((x, y), 0.32, color=colour))
        # the role only when the name does not already say it ("server" / "server")
        role = "" if host.name == host.role.value else f"\n{host.role.value}"
        ax.text(x, y, f"{host.name}{role}\n{host.address}", ha="center", va="center",
                color="white", fontsize=8)
    ax.set_title("lab network: every host is a namespace on one bridge; no route out")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
