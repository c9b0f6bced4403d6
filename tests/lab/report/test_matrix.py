"""The MITM matrix grid, from the observations of a real (one-certificate) matrix run."""

from __future__ import annotations

import json
from pathlib import Path

from lab.report.matrix import grid


def test_grid_rows_columns_and_counts(reports_dir: Path) -> None:
    g = grid(json.loads((reports_dir / "mitm-matrix.json").read_text()))
    assert g is not None
    assert [x.label for x in g.groups] == ["tls-auth-clients no", "tls-auth-clients yes"]
    assert g.groups[0].attackers == ("same-ca-other-host", "same-ca-any-purpose")
    by_client = {(r.library, r.posture): r.cells for r in g.rows}
    chain_only, _, chain_only_mtls, any_purpose_mtls = by_client[("redis-cli", "tls-chain-only")]
    # Redis accepts any client cert of its CA: the attacker's own any-purpose cert passes mTLS
    assert any_purpose_mtls is not None and any_purpose_mtls.observed == "compromised"
    assert any_purpose_mtls.met
    assert chain_only is not None and chain_only.word == "attacker wins" and chain_only.met
    # the server blocks the attacker's session, but the client sent its password through it first
    assert chain_only_mtls is not None and chain_only_mtls.observed == "blocked-at-server"
    assert chain_only_mtls.leaked and chain_only_mtls.attacker_wins
    assert chain_only_mtls.word == "attacker got the password"
    assert g.cells == 32 and g.compromised == 12 and g.leaked_though_blocked == 4 and g.unmet == 0
    assert g.attacker_wins == 16
    assert [r.library_span for r in g.rows] == [4, 0, 0, 0, 4, 0, 0, 0]


def test_a_leaked_password_is_never_a_block(reports_dir: Path) -> None:
    data = json.loads((reports_dir / "mitm-matrix.json").read_text())
    g = grid(data)
    assert g is not None
    leaked = {cid for c in data["cases"] for cid in c["observations"]["leaked"]}
    assert leaked, "the mTLS case recorded no leaked password: the test stands on nothing"
    for r in g.rows:
        for cell in r.cells:
            if cell is not None and cell.leaked:
                assert cell.shown in ("leaked", "compromised") and cell.attacker_wins


def test_a_scenario_without_cells_has_no_grid(reports_dir: Path) -> None:
    assert grid(json.loads((reports_dir / "plaintext-sniff.json").read_text())) is None
