"""`tlslab course --no-pause --quick` end to end, as CI runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.cli import main
from tests.conftest import require_tool


def test_course_runs_end_to_end_without_pausing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("dumpcap")
    require_tool("tshark")
    assert main(["course", "--no-pause", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for n in range(1, 16):
        assert f"[{n}/15]" in out
    assert "(--no-pause: no answer asked)" in out
    assert "▶ running scenario plaintext-sniff live" in out
    assert "Summary" in out and "unmet" in out
    assert (tmp_path / "reports" / "latest" / "index.html").is_file()
