from __future__ import annotations

from pathlib import Path

from lab.netlab.arpmitm import arp_topology
from lab.netlab.figure import draw_topology


def test_the_figure_names_every_host_its_role_address_and_the_capture_point(tmp_path: Path) -> None:
    svg = draw_topology(arp_topology(), tmp_path / "net.svg").read_text()
    for text in ("attacker", "198.18.0.12", "client", "198.18.0.10", "server", "capture: mirror port"):
        assert text in svg, text
    assert "#c0392b" in svg  # the attacker is drawn in its own colour
    assert draw_topology(arp_topology(), tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
