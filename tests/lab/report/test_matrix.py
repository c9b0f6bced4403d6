"""The MITM matrix grid, from the observations of a real (one-certificate) matrix run."""

from __future__ import annotations

import json
from pathlib import Path

from lab.report.matrix import grid


def test_grid_rows_columns_and_counts(reports_dir: Path) -> None:
    g = grid(json.loads((reports_dir / "mitm-matrix.json").read_text()))
    assert g is not None
    assert [x.label for x in g.groups] == ["tls-auth-clients no"]
    assert g.groups[0].attackers == ("same-ca-other-host",)
    by_client = {(r.library, r.posture): r.cells[0] for r in g.rows}
    chain_only = by_client[("redis-cli", "tls-chain-only")]
    assert chain_only is not None and chain_only.word == "attacker wins" and chain_only.met
    assert g.cells == 8 and g.compromised == 4 and g.unmet == 0
    assert [r.library_span for r in g.rows] == [4, 0, 0, 0, 4, 0, 0, 0]


def test_a_scenario_without_cells_has_no_grid(reports_dir: Path) -> None:
    assert grid(json.loads((reports_dir / "plaintext-sniff.json").read_text())) is None
