"""A scenario's verdict and how it is labelled everywhere (terminal, Markdown, HTML, course): one map.

A leaf module (no imports from the lab) so that the CLI and the report views can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

Verdict = Literal["met", "unmet", "error"]

LABELS: Mapping[str, str] = MappingProxyType({"met": "✔ met", "unmet": "✘ unmet", "error": "⚠ error"})
