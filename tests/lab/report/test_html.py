"""The report as a person sees it: the engine's run rendered, opened in headless Chromium, screenshotted."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from lab.report.html import render_analysis, render_run
from lab.scenario.results import RunResult
from tests.conftest import require_tool

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
)


def chromium(page: Path, tmp: Path, *action: str) -> subprocess.CompletedProcess[str]:
    binary = require_tool("chromium")
    argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *action, page.resolve().as_uri()]
    return subprocess.run(argv, capture_output=True, text=True, timeout=90, check=False)


def screenshot(page: Path, tmp: Path) -> Path:
    png = tmp / f"{page.stem}.png"
    done = chromium(page, tmp, f"--screenshot={png}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "no screenshot written"
    assert png.stat().st_size > 20_000, "screenshot looks blank"
    return png


def dom(page: Path, tmp: Path) -> str:
    done = chromium(page, tmp, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "img" and name == "src") or (tag == "a" and name == "href")):
                self.refs.append(value)


def local_refs(page: Path) -> list[str]:
    parser = _Refs()
    parser.feed(page.read_text("utf-8"))
    return [r for r in parser.refs if not re.match(r"(https?|file|mailto):|#", r)]


def test_engine_writes_the_index_and_chromium_shows_the_verdict_table(
    real_run: RunResult, reports_dir: Path, tmp_path: Path
) -> None:
    index = reports_dir / "index.html"
    assert index.is_file(), "the engine's report step did not render index.html"
    text = dom(index, tmp_path)
    assert 'id="verdicts"' in text
    for s in real_run.scenarios:
        assert f'href="{s.name}.html"' in text
    assert "tls-without-certs" in text and "password readable in the capture" in text
    assert (reports_dir.parent / "latest" / "index.html").is_file()
    screenshot(index, tmp_path)


def test_every_local_link_and_image_of_every_page_exists(reports_dir: Path) -> None:
    pages = sorted(reports_dir.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "plaintext-sniff.html", "mitm-matrix.html"}
    for page in pages:
        for ref in local_refs(page):
            assert (page.parent / ref).exists(), f"{page.name} links to missing {ref}"


def test_scenario_page_shows_frames_log_fix_and_figure(reports_dir: Path, tmp_path: Path) -> None:
    sniff = dom(reports_dir / "plaintext-sniff.html", tmp_path)
    data = json.loads((reports_dir / "plaintext-sniff.json").read_text())
    frames = data["cases"][0]["capture"]["exposures"][0]["frames"]
    assert f"readable without any key in frame(s) {frames[0]}" in sniff
    assert "The fix" in sniff and "port 0" in sniff
    assert "plaintext-Secret" not in sniff, "the requirepass value leaked into the page"
    refused = (reports_dir / "tls-without-certs.html").read_text()
    assert "The server refused to start" in refused and "tls-cert-file" in refused
    figure_page = reports_dir / "traffic-analysis.html"
    images = [r for r in local_refs(figure_page) if r.endswith(".png")]
    assert images and all((reports_dir / i).is_file() for i in images)
    screenshot(figure_page, tmp_path)


def test_matrix_page_is_a_colour_coded_grid(reports_dir: Path, tmp_path: Path) -> None:
    text = dom(reports_dir / "mitm-matrix.html", tmp_path)
    assert 'id="matrix"' in text
    assert "tls-auth-clients no" in text and "tls-auth-clients yes" in text
    # same-CA certificate: the no-verify and chain-only clients fall, the full and pinned ones hold;
    # under mTLS the server blocks the session but those clients have already sent the password
    # a same-CA cert with clientAuth passes mTLS (no identity check): compromised in both modes
    assert text.count('class="m-compromised"') == 12
    assert text.count('class="m-leaked"') == 4
    assert 'class="m-blocked-at-server"' not in text, "a leaked password is shown as the server blocking"
    assert text.count('class="m-blocked-at-client"') == 8
    assert text.count('class="m-not-applicable"') == 8
    assert 'class="small same-ca-why"' in text and "no check of its name" in text
    assert ' m-unmet"' not in text, "a cell differs from the lab's expectation"
    screenshot(reports_dir / "mitm-matrix.html", tmp_path)


def test_rebuilding_gives_the_same_pages_without_running_anything(reports_dir: Path) -> None:
    before = {p.name: p.read_text() for p in reports_dir.glob("*.html")}
    assert render_run(reports_dir) == reports_dir / "index.html"
    after = {p.name: p.read_text() for p in reports_dir.glob("*.html")}
    assert after == before


def test_analyze_json_renders_in_the_same_style(real_run: RunResult, tmp_path: Path) -> None:
    from lab.analysis import analyze

    sniff = next(s for s in real_run.scenarios if s.name == "plaintext-sniff")
    capture = sniff.cases[0].capture
    assert capture is not None
    report = analyze(Path(capture.pcap))
    path = tmp_path / "analysis.json"
    path.write_text(json.dumps(report.to_dict()))
    page = render_analysis(path)
    text = dom(page, tmp_path)
    assert 'id="findings"' in text and "AUTH default •••" in text  # redis-py opens with HELLO 3 AUTH
    assert "Redis transcript" in text
    assert "plaintext-Secret" not in text, "the AUTH password must be masked on the page"


def test_unreadable_bench_results_cost_the_run_nothing_but_its_performance_page(
    reports_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "reports" / reports_dir.name
    shutil.copytree(reports_dir, copy)
    bench = tmp_path / "reports" / "29991231-000000" / "bench"
    bench.mkdir(parents=True)
    (bench / "results.json").write_text('{"run_id": "29991231-000000"}')  # not the shape the page needs
    index = render_run(copy).read_text()
    assert "could not be shown" in index
    assert not (copy / "performance.html").exists()
    assert 'href="performance.html"' not in (copy / "plaintext-sniff.html").read_text()
