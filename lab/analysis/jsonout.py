"""A CaptureReport written as JSON one stream at a time: never the whole document in memory as text.

The result parses to exactly `report.to_dict()`; only the layout differs (one stream per line).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TextIO

from lab.analysis.model import CaptureReport
from lab.jsonable import plain


def write_json(report: CaptureReport, out: TextIO) -> None:
    out.write('{"streams": [')
    for i, stream in enumerate(report.streams):
        out.write(",\n  " if i else "\n  ")
        out.write(json.dumps(plain(dataclasses.asdict(stream))))
    out.write("\n]")
    rest = {f.name: getattr(report, f.name) for f in dataclasses.fields(report) if f.name != "streams"}
    rest["read"] = dataclasses.asdict(report.read)
    rest["exposures"] = [dataclasses.asdict(e) for e in report.exposures]
    rest["checks"] = [dataclasses.asdict(c) for c in report.checks]
    rest["findings"] = [dataclasses.asdict(f) for f in report.findings]
    for key, value in plain(rest).items():
        out.write(f",\n{json.dumps(key)}: {json.dumps(value, indent=2)}")
    out.write("\n}\n")
