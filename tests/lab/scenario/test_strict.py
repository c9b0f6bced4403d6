"""lab.scenario.strict: every wrong key or type names the file, the dotted key and what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from lab.errors import UserError
from lab.scenario.strict import SchemaError, build


@dataclass(frozen=True)
class Inner:
    level: Literal["low", "high"] = "low"


@dataclass(frozen=True)
class Outer:
    name: str
    count: int = 1
    ratio: float = 0.5
    enabled: bool = False
    tags: tuple[str, ...] = ()
    inner: Inner = field(default_factory=Inner)
    tls_port: int | None = None
    value: str | int | bool | None = None

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count >= 0")


def _error(table: dict[str, object]) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        build(Outer, table, "x.toml")
    return info.value


def test_builds_with_conversions() -> None:
    got = build(
        Outer, {"name": "a", "ratio": 2, "tags": ["t"], "inner": {"level": "high"}, "tls-port": 7}, "x.toml"
    )
    assert got == Outer(name="a", ratio=2.0, tags=("t",), inner=Inner("high"), tls_port=7)
    assert isinstance(got.ratio, float)


def test_unknown_key_suggests_the_kebab_spelling() -> None:
    err = _error({"name": "a", "tls_port": 7})
    assert str(err).startswith("x.toml: tls_port: expected one of the known keys")
    assert 'did you mean "tls-port"' in str(err)
    assert isinstance(err, UserError)


def test_missing_required_key() -> None:
    assert str(_error({})) == "x.toml: name: expected this key (a string); it is missing"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"name": 3}, "x.toml: name: expected a string, got 3"),
        ({"name": "a", "count": True}, "x.toml: count: expected an integer, got true"),
        ({"name": "a", "count": "2"}, 'x.toml: count: expected an integer, got "2"'),
        ({"name": "a", "enabled": 1}, "x.toml: enabled: expected true or false, got 1"),
        ({"name": "a", "tags": ["t", 2]}, "x.toml: tags[1]: expected a string, got 2"),
        ({"name": "a", "tags": "t"}, 'x.toml: tags: expected an array of strings, got "t"'),
        (
            {"name": "a", "inner": {"level": "mid"}},
            'x.toml: inner.level: expected one of "low", "high", got "mid"',
        ),
        ({"name": "a", "inner": {"lvl": "low"}}, "x.toml: inner.lvl: expected one of the known keys: level"),
        ({"name": "a", "inner": "low"}, 'x.toml: inner: expected a table, got "low"'),
        (
            {"name": "a", "value": 1.5},
            "x.toml: value: expected a string or an integer or true or false, got 1.5",
        ),
        ({"name": "a", "count": -1}, "x.toml: (top level): expected count >= 0"),
    ],
)
def test_wrong_types_are_named(table: dict[str, object], message: str) -> None:
    assert str(_error(table)).startswith(message)


def test_union_keeps_the_type_given() -> None:
    assert build(Outer, {"name": "a", "value": True}, "x.toml").value is True
    assert build(Outer, {"name": "a", "value": 3}, "x.toml").value == 3
