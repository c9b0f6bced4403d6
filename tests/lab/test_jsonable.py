"""lab.jsonable: what dataclasses.asdict leaves, made plain for json, and nothing else changed."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from types import MappingProxyType

from lab.jsonable import plain


class Colour(Enum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Sample:
    path: Path
    colour: Colour
    ports: dict[str, int]
    frames: tuple[tuple[int, ...], ...]
    note: str | None


def test_paths_enums_tuples_and_mappings_become_json() -> None:
    sample = Sample(Path("/tmp/x.pcapng"), Colour.RED, {"tls": 6380}, ((1, 2), ()), None)
    data = plain(dataclasses.asdict(sample))
    assert data == {
        "path": "/tmp/x.pcapng",
        "colour": "red",
        "ports": {"tls": 6380},
        "frames": [[1, 2], []],
        "note": None,
    }
    assert json.loads(json.dumps(data)) == data


def test_mapping_keys_become_strings_and_scalars_pass_through() -> None:
    assert plain(MappingProxyType({1: (b"raw", 1.5, True)})) == {"1": [b"raw", 1.5, True]}
    assert plain("text") == "text" and plain(None) is None
