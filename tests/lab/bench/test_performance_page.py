"""performance.html against the results.json it was built from: every cost, capacity and storm number on
the page is a field of the JSON, formatted, and `tlslab report` rebuilds it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lab.bench.results import BenchReport, write_json
from lab.report.html import render_run


class _Tables(HTMLParser):
    """Rows of cells of each <table id=...>."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._id = dict(attrs).get("id")
            if self._id:
                self.tables[self._id] = []
        elif tag == "tr" and self._id:
            self.tables[self._id].append([])
        elif tag == "td" and self._id:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._id and self._cell is not None:
            self.tables[self._id][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "table":
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _page(report: BenchReport, tmp_path: Path) -> tuple[dict[str, Any], dict[str, list[list[str]]], str]:
    run = tmp_path / "run"
    write_json(report, run / "bench" / "results.json")
    render_run(run)
    html = (run / "performance.html").read_text()
    parser = _Tables()
    parser.feed(html)
    data = json.loads((run / "bench" / "results.json").read_text())
    return data, {k: [r for r in v if r] for k, v in parser.tables.items()}, html


def _n(v: float | None, digits: int = 0) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def test_every_cost_number_on_the_page_is_a_json_field(cost_report: BenchReport, tmp_path: Path) -> None:
    data, tables, _ = _page(cost_report, tmp_path)
    rows = tables["attribution-table"]
    assert len(rows) == len(data["attribution"]) > 0
    for row, a in zip(rows, data["attribution"], strict=True):
        assert row[0] == a["tls_cell"]["target"]
        assert row[2:7] == [
            _n(a["plain_cpu_us"], 2),
            _n(a["tls_cpu_us"], 2),
            _n(a["extra_cpu_us"], 2),
            _n(a["floor_us"], 3),
            _n(a["rest_us"], 2),
        ]
        if a["tls_syscalls"] is not None:
            assert row[8] == f"{a['tls_syscalls'][0]:.2f} / {a['tls_syscalls'][1]:.2f}"
        for cell, trace in zip(row[9:11], (a["plain_trace"], a["tls_trace"]), strict=True):
            if trace is None:
                assert cell == "-"
            else:
                per = (trace["reads_per_request"], trace["writes_per_request"], trace["all_per_request"])
                assert cell == " / ".join(_n(v, 2) for v in per)


def test_capacity_and_storm_rows_match_the_json(cost_report: BenchReport, tmp_path: Path) -> None:
    data, tables, html = _page(cost_report, tmp_path)
    (row,) = tables["capacity-table"]
    (h,) = data["capacity"]
    assert row[:4] == [h["target"], h["key_type"], h["transport"], h["resumption"]]
    assert row[4] == _n(h["connections_per_s"]["median"])
    assert row[5:8] == [_n(h["server_cpu_us"]), _n(h["floor_us"]), _n(h["capacity_per_core"])]
    assert row[-1] == ("client-bound" if h["client_bound"] else "server")
    storm = tables["storm-table"]
    assert [r[1:] for r in storm] == [
        [
            _n(p["rate_asked"]),
            _n(p["rate_achieved"]),
            str(p["handshake_errors"]),
            _n(p["p50_us"]),
            _n(p["p99_us"]),
            _n(p["p999_us"]),
            _n(p["arrival_busy"] * 100) + "%",
            "-" if p["limit"] == "reached" else f"{p['limit']}-bound",
        ]
        for p in data["storm"]
    ]
    assert data["storm"][-1]["limit"] == "client"  # the fixture's 130 of 400/s
    (probe,) = data["session_ids"]
    assert probe["verdict"] == "only-when-server-closes"
    assert (
        f"{probe['resumed_client_closes']} resumed when the client closed, {probe['resumed_server_closes']} "
        f"when the server closed (after QUIT) — {probe['explanation']}." in html.replace("&#39;", "'")
    )
    for s in data["floor"]["sign"]:
        assert f"{s['key_type']}: {s['signs_per_s']:,.0f} signs/s" in html


def test_a_report_without_the_new_fields_shows_no_empty_sections(
    small_report: BenchReport, tmp_path: Path
) -> None:
    _, tables, html = _page(small_report, tmp_path)
    assert not {"attribution-table", "capacity-table", "storm-table"} & set(tables)
    assert "crypto floor" not in html


def test_results_of_the_previous_shape_still_render(cost_report: BenchReport, tmp_path: Path) -> None:
    """A results.json written before the strace, session-id, storm-limit and clients fields: the page
    shows "-" where they would be, instead of failing."""
    run = tmp_path / "run"
    path = write_json(cost_report, run / "bench" / "results.json")
    data = json.loads(path.read_text())
    del data["session_ids"]
    for a in data["attribution"]:
        del a["plain_trace"], a["tls_trace"]
    for p in data["storm"]:
        del p["arrival_busy"], p["limit"]
    for h in data["capacity"]:
        del h["clients"]
    path.write_text(json.dumps(data))
    render_run(run)
    parser = _Tables()
    parser.feed((run / "performance.html").read_text())
    storm = [r for r in parser.tables["storm-table"] if r]
    assert [r[-2:] for r in storm] == [["-", "-"]] * len(data["storm"])
    (row,) = [r for r in parser.tables["capacity-table"] if r]
    assert row[-2] == "-"
