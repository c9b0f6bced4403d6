"""lab.analysis.model: the report is frozen and its JSON form is plain data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lab.analysis.model import CaptureReport, CheckResult, Finding, ReadStats


def test_to_dict_is_json_and_flattens_findings() -> None:
    finding = Finding("no-sni", "info", "t", (4,), "why", "fix", 0)
    report = CaptureReport(
        Path("/x.pcapng"),
        None,
        ReadStats(10, 9, False),
        (),
        (),
        (CheckResult("no-sni", "completed", (finding,)),),
        0.5,
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["path"] == "/x.pcapng" and data["findings"][0]["evidence"] == [4]
    assert report.findings == (finding,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.seconds = 1.0  # type: ignore[misc]
