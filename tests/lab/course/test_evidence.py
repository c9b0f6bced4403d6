"""Evidence lines from real scenario results (the engine runs them; nothing is re-measured here)."""

from __future__ import annotations

from pathlib import Path

from lab.course.evidence import agreement_line, evidence_lines
from lab.scenario.lifecycle.prepare import RunPaths
from lab.scenario.lifecycle.runner import run_scenario
from lab.scenario.loader import load_all, select


def test_refusal_config_and_expectations(tmp_path: Path) -> None:
    paths = RunPaths.new(tmp_path)
    refused, protocols = (
        run_scenario(s, paths, "bundled")
        for s in select(load_all(), names=["tls-without-certs", "old-protocols"])
    )
    lines = evidence_lines(refused)
    assert lines[0].startswith("  tls-without-certs: ✔ met")
    assert any("server refused to start" in line and "tls-cert-file" in line for line in lines)
    text = "\n".join(evidence_lines(protocols, show_config=True))
    assert 'tls-protocols "TLSv1.2 TLSv1.3"' in text
    assert "refused (tls-error)" in text and "observed:" in text
    assert "agrees" in agreement_line([refused, protocols])
    assert agreement_line([]) == ""
