"""Dependencies point one way: the scenario framework imports the toolkits, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

LAB = Path(__file__).resolve().parents[3] / "lab"
TOOLKITS = ("mitm", "attacks", "analysis", "capture", "clients", "targets", "pki.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_toolkit_imports_the_scenario_framework() -> None:
    offenders = []
    for name in TOOLKITS:
        root = LAB / name
        for path in [root] if root.suffix else sorted(root.rglob("*.py")):
            if any(m == "lab.scenario" or m.startswith("lab.scenario.") for m in _imports(path)):
                offenders.append(str(path.relative_to(LAB)))
    assert offenders == []


def test_the_verdict_labels_are_written_once() -> None:
    hits = [str(p.relative_to(LAB)) for p in sorted(LAB.rglob("*.py")) if "✘ unmet" in p.read_text("utf-8")]
    assert hits == ["scenario/verdict.py"]
