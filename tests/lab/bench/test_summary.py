"""lab.bench.summary: measured numbers, the agreement verdicts and published figures with their sources."""

from __future__ import annotations

from pathlib import Path

from lab.bench.results import BenchReport
from lab.bench.summary import PUBLISHED, render, write_summary


def test_summary_states_the_measured_overhead(small_report: BenchReport) -> None:
    text = render(small_report)
    # TLS 1.3 at P1: 75k vs 100k medians = -25%; at P16 600k vs 800k = -25%; new connections 1k vs 10k = -90%.
    assert (
        "TLS 1.3 changes throughput by -25% at pipeline 1, -25% at pipeline 16, -90% with a new connection"
        in text
    )
    assert "| redis-server | plain P1 16 B | 100,000 | 99,000 | 1.01 | 1.01 to 1.01 | yes |" in text
    assert "| NO |" in text  # TLS: 75k vs redis-benchmark 42k
    assert "2.0 records per request" in text


def test_every_published_figure_has_a_source(small_report: BenchReport, tmp_path: Path) -> None:
    assert all(p.source.startswith(("https://", "RFC")) for p in PUBLISHED)
    text = write_summary(small_report, tmp_path / "s.md").read_text()
    assert "https://github.com/redis/redis/issues/7595" in text and "-23%" in text
    assert "## Notes" in text and "a note" in text
