"""Build frozen dataclasses from parsed TOML tables, refusing anything the dataclass does not declare.

TOML keys are kebab-case (like redis.conf directives); the dataclass field `tls_auth_clients` is written
`tls-auth-clients`. Every error names the file, the dotted key and what was expected, so a typo in a
scenario file is a one-line fix instead of a silently ignored setting.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from lab.errors import UserError

T = TypeVar("T")


class FieldError(ValueError):
    """Raised by a parameter dataclass's own check (__post_init__) about one of its keys."""

    def __init__(self, field: str, expected: str, got: object = dataclasses.MISSING) -> None:
        super().__init__(expected)
        self.field = field
        self.expected = expected
        self.got = got


def choices(values: Iterable[object]) -> str:
    """`one of "a", "b"` for an error message."""
    return "one of " + ", ".join(_show(v) for v in values)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


class SchemaError(UserError):
    """A scenario file does not match the schema: file, key, what was expected, what was found."""

    def __init__(self, file: Path | str, key: str, expected: str, got: object = dataclasses.MISSING) -> None:
        where = f"{file}: {key}" if key else str(file)
        found = "" if got is dataclasses.MISSING else f", got {_show(got)}"
        super().__init__(f"{where}: expected {expected}{found}")
        self.file = str(file)
        self.key = key
        self.expected = expected


def toml_key(field_name: str) -> str:
    return field_name.replace("_", "-")


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _describe(tp: Any) -> str:
    origin = get_origin(tp)
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if origin is Literal:
        return choices(get_args(tp))
    if _is_enum(tp):
        return choices(m.value for m in tp)
    if origin is tuple:
        return f"an array of {_describe(get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    if dataclasses.is_dataclass(tp):
        return "a table"
    if origin in (dict, Mapping):
        inner = get_args(tp)[1]
        return "a table" if inner is object else f"a table of {_describe(inner).removeprefix('a ')}s"
    return str(tp)


def convert(tp: Any, value: object, file: Path | str, key: str) -> Any:
    """Check `value` against the annotation `tp` and convert it (arrays → tuples, tables → dataclasses)."""
    origin = get_origin(tp)
    if tp is object:
        return value
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        for option in options:
            try:
                return convert(option, value, file, key)
            except SchemaError:
                if len(options) == 1:
                    raise
        raise SchemaError(file, key, " or ".join(_describe(o) for o in options), value)
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif origin is Literal:
        if value in get_args(tp) and isinstance(value, str):
            return value
    elif _is_enum(tp):
        for member in tp:
            if member.value == value:
                return member
    elif origin is tuple:
        if isinstance(value, list):
            item = get_args(tp)[0]
            return tuple(convert(item, v, file, f"{key}[{i}]") for i, v in enumerate(value))
    elif origin in (dict, Mapping):
        if isinstance(value, dict):
            item = get_args(tp)[1]
            return {name: convert(item, sub, file, _join(key, name)) for name, sub in value.items()}
    elif dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, dict):
            return build(tp, value, file, key)
    else:
        raise TypeError(f"unsupported annotation {tp} in schema")
    raise SchemaError(file, key, _describe(tp), value)


def build(cls: type[T], table: Mapping[str, object], file: Path | str, key: str = "") -> T:
    """Make `cls` from a TOML table: unknown keys, missing required keys and wrong types are SchemaErrors."""
    hints = typing.get_type_hints(cls)
    fields = {toml_key(f.name): f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name in table:
        if name not in fields:
            close = difflib.get_close_matches(name.replace("_", "-"), list(fields), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            allowed = ", ".join(fields) or "no keys"
            raise SchemaError(file, _join(key, name), f"one of the known keys: {allowed}{hint}", name)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in table:
            values[field.name] = convert(hints[field.name], table[name], file, _join(key, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise SchemaError(
                file, _join(key, name), f"this key ({_describe(hints[field.name])}); it is missing"
            )
    try:
        return cls(**values)
    except FieldError as exc:
        raise SchemaError(file, _join(key, toml_key(exc.field)), exc.expected, exc.got) from None
    except ValueError as exc:  # a dataclass's own cross-field check (__post_init__) says what is wrong
        raise SchemaError(file, key or "(top level)", str(exc)) from None
