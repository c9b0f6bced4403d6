"""lab.scenario.loader: files on disk → scenarios; selection by name, tag, all; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.errors import UserError
from lab.scenario.loader import DEFAULT_TAG, load_all, load_file, scenarios_dir, select
from lab.scenario.strict import SchemaError

GOOD = """
name = "{name}"
title = "T"
story = "S"
tags = {tags}
claim = {{ kind = "promise", text = "C" }}
workload = {{ name = "ping" }}
remediation = {{ summary = "R", advice = true }}
[[expect]]
kind = "target-start"
starts = true
"""


def _write(directory: Path, name: str, tags: str = '["default"]') -> Path:
    path = directory / f"{name}.toml"
    path.write_text(GOOD.format(name=name, tags=tags))
    return path


def test_loads_a_directory_sorted(tmp_path: Path) -> None:
    _write(tmp_path, "b")
    _write(tmp_path, "a", '["extra"]')
    assert [s.name for s in load_all(tmp_path)] == ["a", "b"]


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('name = "broken"\ntitle = \n')
    with pytest.raises(SchemaError, match=r"broken\.toml: expected valid TOML \(.*line 2"):
        load_file(path)


def test_missing_file_and_directory_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read scenario file"):
        load_file(tmp_path / "nope.toml")
    with pytest.raises(UserError, match="no scenario directory"):
        load_all(tmp_path / "nowhere")


def test_select_by_name_tag_and_all(tmp_path: Path) -> None:
    _write(tmp_path, "a")
    _write(tmp_path, "b", '["extra"]')
    pool = load_all(tmp_path)
    assert [s.name for s in select(pool, names=["b", "a", "b"])] == ["b", "a"]
    assert [s.name for s in select(pool, tags=[DEFAULT_TAG])] == ["a"]
    assert [s.name for s in select(pool, every=True)] == ["a", "b"]
    with pytest.raises(UserError, match=r"unknown scenario.*: zzz"):
        select(pool, names=["zzz"])
    with pytest.raises(UserError, match="known tags: default, extra"):
        select(pool, tags=["nope"])


def test_the_shipped_catalogue_loads() -> None:
    names = {s.name for s in load_all(scenarios_dir())}
    assert {"plaintext-sniff", "tls-sniff", "durability-kill9"} <= names
