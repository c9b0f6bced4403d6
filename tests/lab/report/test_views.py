"""Verdict rows and case evidence, from the JSON of a real run."""

from __future__ import annotations

import json
from pathlib import Path

from lab.report.views import case_view, config_lines, short, verdict_row


def _scenario(reports_dir: Path, name: str) -> dict:
    return json.loads((reports_dir / f"{name}.json").read_text())


def test_short_reads_like_words() -> None:
    assert short({"frames": [4, 17], "ports": []}) == "frames: 4, 17 · ports: none"
    assert short(True) == "yes" and short(None) == "—"
    assert short("x" * 300, 20) == "x" * 19 + "…"


def test_verdict_row_of_a_real_scenario(reports_dir: Path) -> None:
    row = verdict_row(_scenario(reports_dir, "plaintext-sniff"), reports_dir)
    assert row.verdict == "met" and row.claim_kind == "promise"
    assert [c.expected for c in row.checks][1] == "password readable in the capture"
    labels = dict(row.links.captures)
    assert (reports_dir / labels["pcapng"]).is_file()


def test_config_lines_mask_the_password_and_keep_tls(reports_dir: Path) -> None:
    data = _scenario(reports_dir, "mitm-matrix")
    lines = config_lines(data["cases"][0]["workdir"])
    assert "tls-auth-clients no" in lines
    assert "requirepass •••" in lines and not any("report-matrix-pw" in line for line in lines)


def test_case_view_cites_the_refusal(reports_dir: Path) -> None:
    data = _scenario(reports_dir, "tls-without-certs")
    view = case_view(data, data["cases"][0])
    assert not view.started and view.start_error and "tls-cert-file" in view.start_error


def test_a_cut_line_keeps_what_the_expectation_matched() -> None:
    from lab.report.views import pattern_of

    line = ("10860:M 04 Dec 2026 00:46:42.648 # Error accepting a client connection: "
            "error:0A00010B:SSL routines::wrong version number (addr=127.0.0.1:55555 laddr=127.0.0.1:6380)")
    expected = "log has line /wrong version number/"
    cut = short(line, 100, pattern_of(expected))
    assert len(cut) <= 100 and "wrong version number" in cut
    assert "wrong version number" not in short(line, 100), "the plain cut is the defect this guards against"


def test_the_index_row_lists_every_expectation(reports_dir: Path) -> None:
    data = json.loads((reports_dir / "tls-sniff.json").read_text())
    row = verdict_row(data, reports_dir)
    assert len(row.checks) == len(data["expectations"]) > 3 and row.more == 0


def test_a_lab_networks_streams_are_shown_by_host_role_not_as_raw_observations() -> None:
    stream = {"label": "proxy→server", "client": "198.18.0.11:40000", "server": "198.18.0.12:6379",
              "transport": "plaintext"}
    front = {**stream, "label": "client→proxy", "transport": "tls"}
    case = {"name": "main", "observations": {"front_streams": [front], "back_streams": [stream],
                                             "back_readable": True, "streams": []}}
    view = case_view({"name": "tls-terminating-proxy", "expectations": []}, case)
    assert [(r["segment"], r["label"], r["transport"]) for r in view.role_streams] == [
        ("front", "client→proxy", "tls"), ("back", "proxy→server", "plaintext")]
    shown = json.loads(view.observations)
    assert "back_streams" not in shown and shown["back_readable"] is True
    assert shown["streams"] == []  # an empty list is no stream table: it stays a plain observation
