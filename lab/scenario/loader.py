"""Find and load scenario files (scenarios/*.toml), validated against the schema and the registries."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from lab.errors import UserError
from lab.scenario.attackers import ATTACKERS
from lab.scenario.expectations import EXPECTATIONS
from lab.scenario.schema import Registries, Scenario, parse_scenario
from lab.scenario.strict import SchemaError
from lab.scenario.workloads import WORKLOADS

DEFAULT_TAG = "default"

REGISTRIES = Registries(
    workloads={name: w.params for name, w in WORKLOADS.items()},
    attackers={name: a.params for name, a in ATTACKERS.items()},
    expectations={name: k.params for name, k in EXPECTATIONS.items()},
    workload_observes={name: w.observes for name, w in WORKLOADS.items()},
    attacker_observes={name: a.observes for name, a in ATTACKERS.items()},
)


def scenarios_dir() -> Path:
    """scenarios/ beside the lab package (the repository checkout, also with an editable install)."""
    return Path(__file__).resolve().parents[2] / "scenarios"


def load_file(path: Path) -> Scenario:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise UserError(f"cannot read scenario file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SchemaError(path, "", f"a UTF-8 text file (byte {exc.start} is not UTF-8)") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(path, "", f"valid TOML ({exc})") from None
    return parse_scenario(doc, path, REGISTRIES)


def load_all(directory: Path | None = None) -> tuple[Scenario, ...]:
    """Every scenario in the directory in catalogue order (`order`, then name); a bad file stops the load."""
    directory = directory or scenarios_dir()
    if not directory.is_dir():
        raise UserError(f"no scenario directory at {directory}; pass --scenarios DIR")
    return tuple(sorted((load_file(p) for p in directory.glob("*.toml")), key=lambda s: (s.order, s.name)))


def select(
    all_scenarios: Iterable[Scenario],
    names: Iterable[str] = (),
    tags: Iterable[str] = (),
    every: bool = False,
) -> tuple[Scenario, ...]:
    """By name (in the order given), else by tag, else all; an unknown name or tag is a UserError."""
    pool = {s.name: s for s in all_scenarios}
    names, tags = list(names), list(tags)
    if names:
        unknown = [n for n in names if n not in pool]
        if unknown:
            raise UserError(f"unknown scenario(s): {', '.join(unknown)}; `tlslab list` shows the names")
        return tuple(pool[n] for n in dict.fromkeys(names))
    if every:
        return tuple(pool.values())
    chosen = tuple(s for s in pool.values() if any(t in s.tags for t in tags))
    if not chosen:
        known = sorted({t for s in pool.values() for t in s.tags})
        raise UserError(f"no scenario has tag(s) {', '.join(tags)}; known tags: {', '.join(known)}")
    return chosen
