"""Capture on the switch: dumpcap on the bridge in the switch namespace, as a switch's mirror port sees it.

The evidence is lab.capture's own (pcapng + TLS key log + CaptureResult): only where dumpcap sits differs.
Every frame between any two hosts crosses the bridge once, ARP included (the poisoning shows there).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from lab.capture import Capture
from lab.netlab.namespaces import Network


@contextlib.contextmanager
def bridge_capture(net: Network, ports: Sequence[int], out: Path, arp: bool = True) -> Iterator[Capture]:
    """Record TCP on `ports` (and ARP) on the bridge into `out`; `cap.keylog` is where clients write keys."""
    cap = Capture(ports, out, method="dumpcap", interface=net.bridge, also="arp" if arp else "")
    with contextlib.ExitStack() as stack:
        net.enter("switch", cap, stack)
        yield cap
