"""Every page of a real run, read against the JSON it was rendered from (tests/lab/report/pagecheck.py),
and the checker itself shown to catch the defects it exists for."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from lab.report.html import render_run
from tests.lab.report import pagecheck


def _json(reports_dir: Path, name: str) -> dict:
    return json.loads((reports_dir / f"{name}.json").read_text())


def _page(reports_dir: Path, name: str) -> str:
    return (reports_dir / f"{name}.html").read_text()


def test_every_scenario_page_says_only_what_its_json_says(reports_dir: Path) -> None:
    pages = [p for p in sorted(reports_dir.glob("*.json")) if p.name != "run.json"]
    assert len(pages) >= 7
    problems = {p.stem: pagecheck.scenario_page(_page(reports_dir, p.stem), _json(reports_dir, p.stem))
                for p in pages}
    assert {k: v for k, v in problems.items() if v} == {}


def test_tls_secrets_are_readable_only_with_the_key_log_and_the_page_says_so(reports_dir: Path) -> None:
    data = _json(reports_dir, "tls-sniff")
    page = (reports_dir / "tls-sniff.html").read_text()
    exposures = [x for c in data["cases"] for x in c["capture"]["exposures"]]
    assert exposures and all(not x["frames"] and x["decrypted_frames"] for x in exposures)
    assert 'class="exposure clear"' not in page, "an 'in clear' badge on a TLS session with no frame in clear"
    assert "readable only with the key log, frame(s)" in page


def test_the_plaintext_client_on_the_tls_port_leaks_its_password_and_the_page_shows_the_bytes(
    reports_dir: Path,
) -> None:
    data = _json(reports_dir, "plaintext-client-to-tls-port")
    (exposure,) = [x for x in data["cases"][0]["capture"]["exposures"] if x["label"] == "password"]
    assert exposure["frames"], "the plaintext client's AUTH was not found in clear"
    clear = [e for e in exposure["excerpts"] if not e["decrypted"]]
    assert clear and clear[0]["frame"] == exposure["frames"][0] and "AUTH" in clear[0]["before"]
    check = [e for e in data["expectations"] if e["kind"] == "secret-in-clear"]
    assert check and all(e["met"] for e in check)
    page = (reports_dir / "plaintext-client-to-tls-port.html").read_text()
    assert f"<li>frame {exposure['frames'][0]} (as sent, no key needed)" in page
    assert '<mark class="secret"' in page and data["cases"][0]["observations"] is not None


def test_the_matrix_page_counts_a_leaked_password_as_the_attacker_winning(reports_dir: Path) -> None:
    data = _json(reports_dir, "mitm-matrix")
    assert pagecheck.matrix_page((reports_dir / "mitm-matrix.html").read_text(), data) == []


def test_the_index_shows_every_expectation(reports_dir: Path) -> None:
    scenarios = [_json(reports_dir, p.stem) for p in reports_dir.glob("*.json") if p.name != "run.json"]
    assert pagecheck.index_page((reports_dir / "index.html").read_text(), scenarios) == []


def test_the_checker_catches_an_in_clear_badge_and_a_wrong_refusal_count(
    reports_dir: Path, tmp_path: Path
) -> None:
    """A checker that cannot fail is no checker: a page and a JSON that disagree are caught."""
    out = tmp_path / "run"
    out.mkdir()
    for name in ("tls-sniff", "mitm-verify"):
        shutil.copy(reports_dir / f"{name}.json", out / f"{name}.json")
    render_run(out)
    sniff, mitm = _json(out, "tls-sniff"), _json(out, "mitm-verify")
    lying = copy.deepcopy(sniff)
    lying["cases"][0]["capture"]["exposures"][0]["frames"] = [3]  # the JSON says "in clear", the page did not
    assert pagecheck.scenario_page((out / "tls-sniff.html").read_text(), lying)
    fewer = copy.deepcopy(mitm)
    fewer["cases"][0]["clients"][0]["connected"] = True
    assert any("refusal count" in p for p in pagecheck.scenario_page(_page(out, "mitm-verify"), fewer))
    assert pagecheck.scenario_page(_page(out, "mitm-verify"), mitm) == []


def test_the_markdown_page_says_in_clear_only_with_frames(reports_dir: Path) -> None:
    for name in ("tls-sniff", "plaintext-client-to-tls-port"):
        data, md = _json(reports_dir, name), (reports_dir / f"{name}.md").read_text()
        exposures = [x for c in data["cases"] for x in (c.get("capture") or {}).get("exposures", ())]
        assert md.count("readable in clear in frames") == sum(1 for x in exposures if x["frames"])
        keylog_only = sum(1 for x in exposures if not x["frames"] and x["decrypted_frames"])
        assert md.count("readable only with the key log, frames") == keylog_only
