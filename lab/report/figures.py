"""Figures a run produced, copied next to the pages so a report folder stands on its own.

A figure is any observation value naming an existing .png/.svg file (the traffic-analysis scatter, ...).
Copying is all that happens: figures are drawn by the code that measured, never here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIGURE_SUFFIXES = (".png", ".svg")
FIGURES_DIR = "figures"


def _paths(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.lower().endswith(FIGURE_SUFFIXES):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _paths(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _paths(v)


def collect(scenario: dict[str, Any], reports_dir: Path) -> tuple[str, ...]:
    """Copy the scenario's figures into reports_dir/figures/; return their hrefs relative to reports_dir."""
    hrefs: list[str] = []
    for case in scenario.get("cases", ()):
        for raw in _paths(case.get("observations") or {}):
            source = Path(raw)
            if not source.is_file():
                continue
            name = f"{scenario['name']}-{case['name']}-{source.name}"
            dest = reports_dir / FIGURES_DIR / name
            if source.resolve() != dest.resolve():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
            hrefs.append(f"{FIGURES_DIR}/{name}")
    return tuple(dict.fromkeys(hrefs))
