"""Figures a run drew are copied beside the pages, so the report folder stands on its own."""

from __future__ import annotations

import json
from pathlib import Path

from lab.report.figures import collect


def test_traffic_analysis_figure_is_copied(reports_dir: Path) -> None:
    data = json.loads((reports_dir / "traffic-analysis.json").read_text())
    hrefs = collect(data, reports_dir)
    assert hrefs == ("figures/traffic-analysis-main-value-sizes-vs-record-lengths.png",)
    assert (reports_dir / hrefs[0]).read_bytes()[:4] == b"\x89PNG"
    assert collect(json.loads((reports_dir / "plaintext-sniff.json").read_text()), reports_dir) == ()
