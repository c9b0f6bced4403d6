"""The one severity scale of findings (analysis, audits, `--fail-on`): light, so the CLI can use it."""

from __future__ import annotations

from typing import Literal

Severity = Literal["high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")  # lowest first: index is the rank


def at_least(severities: list[Severity] | tuple[Severity, ...], floor: Severity) -> bool:
    """True when one of `severities` is `floor` or higher (what a `--fail-on` gate asks)."""
    rank = SEVERITIES.index(floor)
    return any(SEVERITIES.index(s) >= rank for s in severities)
