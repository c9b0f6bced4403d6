"""`tlslab analyze` end to end: the table, the JSON, --fail-on, and one clear line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import main
from tests.lab.analysis.conftest import PASSWORD, LabCapture, lab_capture  # noqa: F401  (fixture)


def test_table_and_json(lab_capture: LabCapture, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    out = tmp_path / "report.json"
    code = main(
        [
            "analyze",
            str(lab_capture.pcap),
            "--port",
            str(lab_capture.tls_port),
            "--secret",
            PASSWORD,
            "--json",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "plaintext-redis" in text and "Redis AUTH password in clear" in text and "TLSv1.3" in text
    assert PASSWORD not in text  # the report names the secret by a masked label only
    data = json.loads(out.read_text())
    assert len(data["streams"]) == 6 and data["read"]["truncated"] is False
    assert {f["check"] for f in data["findings"]} >= {"plaintext-redis", "secret-in-clear", "no-sni"}


def test_html_page_is_rendered_from_the_json_beside_it(lab_capture: LabCapture, tmp_path: Path) -> None:  # noqa: F811
    page = tmp_path / "out" / "capture.html"
    args = ["analyze", str(lab_capture.pcap), "--keylog", str(lab_capture.keylog), "--html", str(page)]
    assert main(args) == 0
    data = json.loads(page.with_suffix(".json").read_text())
    html = page.read_text()
    assert "<html" in html and "Redis AUTH password in clear" in html
    assert len(data["streams"]) == 6 and str(lab_capture.tls_port) in html


def test_fail_on_gives_a_ci_exit_code(lab_capture: LabCapture) -> None:  # noqa: F811
    assert main(["analyze", str(lab_capture.pcap), "--fail-on", "high"]) == 1


def test_keylog_shows_decrypted_streams(lab_capture: LabCapture, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["analyze", str(lab_capture.pcap), "--keylog", str(lab_capture.keylog)]) == 0
    assert capsys.readouterr().out.count("tls (decrypted)") == 4


@pytest.mark.parametrize("kind", ["missing", "not-a-capture", "garbage-keylog"])
def test_bad_input_is_one_line_and_non_zero(lab_capture: LabCapture, tmp_path: Path, kind: str) -> None:  # noqa: F811
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00garbage" * 100)
    args = {
        "missing": [str(tmp_path / "nope.pcapng")],
        "not-a-capture": [str(junk)],
        "garbage-keylog": [str(lab_capture.pcap), "--keylog", str(junk)],
    }[kind]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tlslab")), "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tlslab analyze: ") and "Traceback" not in done.stderr
