"""An audit report as a text table, JUnit XML (one test case per check) and, via lab.report, an HTML page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from lab.audit.model import SEVERITIES, AuditFinding, AuditReport

MAX_OBSERVED = 90


def table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _short(text: str, limit: int = MAX_OBSERVED) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ordered(findings: Sequence[AuditFinding]) -> list[AuditFinding]:
    return sorted(findings, key=lambda f: (-SEVERITIES.index(f.severity), f.check, f.source.value))


def render(report: AuditReport) -> str:
    findings = ordered(report.findings)
    out = [
        f"audit of {report.target}: {len(findings)} finding(s) from {len(report.checks)} checks, "
        f"{report.seconds:.1f} s"
    ]
    if findings:
        out += [
            "",
            table(
                [("severity", "source", "check", "finding", "observed")]
                + [(f.severity, f.source.value, f.check, f.title, _short(f.observed)) for f in findings]
            ),
        ]
        out += ["", "fixes:"]
        seen: set[tuple[str, ...]] = set()
        for f in findings:
            if f.fix and f.fix not in seen:
                seen.add(f.fix)
                out.append(f"  {f.check}: " + " | ".join(f.fix))
    else:
        out += ["", "no findings: no check tripped"]
    out += [f"check {c.check} failed: {c.error}" for c in report.checks if c.status == "error"]
    out += [f"could not probe: {e}" for e in report.errors]
    return "\n".join(out)


def junit(report: AuditReport) -> str:
    """One <testcase> per check and source; a finding is a <failure> with its evidence and fix."""
    suite = ET.Element(
        "testsuite",
        name=f"tlslab audit {report.target}",
        tests=str(len(report.checks)),
        failures=str(sum(1 for c in report.checks if c.findings)),
        errors=str(sum(1 for c in report.checks if c.status == "error")),
        time=f"{report.seconds:.3f}",
    )
    for c in report.checks:
        case = ET.SubElement(suite, "testcase", classname="tlslab.audit", name=c.check)
        if c.status == "error":
            ET.SubElement(case, "error", message=c.error)
        for f in c.findings:
            failure = ET.SubElement(case, "failure", message=f"[{f.severity}] {f.title}", type=f.severity)
            failure.text = (
                f"source: {f.source.value}\nobserved: {f.observed}\nwhy: {f.why}\nfix: " + "\n  ".join(f.fix)
            )
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
