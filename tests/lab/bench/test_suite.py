"""lab.bench.suite: a real --quick run on redis-server; structure and sanity of results, never their speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.bench.suite import parser_name, run_bench
from server import resp
from tests.conftest import require_tool
from tests.lab.bench.conftest import png


@pytest.mark.slow
def test_quick_run_writes_sane_results(tmp_path: Path) -> None:
    for tool in ("redis-server", "redis-benchmark", "tshark"):
        require_tool(tool)
    lines: list[str] = []
    report = run_bench(
        ("redis-server",), True, tmp_path / "out", tmp_path / "cap", "t1", progress=lines.append
    )
    assert lines
    # Only the two notes a healthy run may carry: a disagreement explained, or a busy host.
    assert all("outside ±15%" in n or n.startswith("load average") for n in report.notes), report.notes
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["quick"] is True and data["targets"] == ["redis-server"]
    assert len(data["cells"]) == len(report.cells) >= 5
    for cell in report.cells:
        assert cell.ops_per_s is not None and cell.ops_per_s.median > 0, cell.cell.key
        assert len(cell.runs) == report.repeats
        assert all(run.errors == 0 for run in cell.runs), cell.cell.key
        assert cell.p50_us is not None and cell.p99_us is not None and cell.p50_us <= cell.p99_us
        assert cell.cpu_us_per_op is not None and cell.cpu_us_per_op > 0
        if cell.cell.connection == "new-resumed":
            assert cell.resumed_fraction is not None and cell.resumed_fraction > 0.9
        if cell.cell.connection == "new-full" and cell.cell.transport != "plain":
            assert cell.resumed_fraction == 0
    checked = [c for c in report.cells if c.agreement is not None]
    assert checked, "the quick run cross-checks with redis-benchmark"
    assert {o.tls_cell.transport for o in report.overheads} == {"tls1.3"}
    assert report.wire and all(w.error is None and w.ops > 0 for w in report.wire)
    assert report.figures and all(png(Path(f)) for f in report.figures)
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "## Lab generator vs redis-benchmark" in summary and "redis/redis/issues/7595" in summary
    assert list((tmp_path / "cap").glob("*.pcapng"))


def test_results_say_which_parser_the_bundled_server_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the optional C build the bundled server is slower: the results say so, and how to fix it."""
    built = resp.FAST_PARSE is not resp.parse_simple
    assert parser_name().startswith("C fast path") == built
    monkeypatch.setattr(resp, "FAST_PARSE", resp.parse_simple)
    assert parser_name().startswith("pure Python") and "make setup" in parser_name()
