"""Results as JSON-ready data: what `dataclasses.asdict` leaves that `json` cannot write, made plain.

Results are frozen dataclasses and their JSON is `dataclasses.asdict` of them; `plain` turns what is left
(paths, enums, tuples, read-only mappings) into strings, lists and dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any


def plain(value: Any) -> Any:
    """`value` with paths as strings, enums as their values, tuples as lists, mapping keys as strings."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
