"""Step 6, report: reports/<run-id>/<scenario>.json and .md, run.json, JUnit XML, and reports/latest.

Rendered only from the frozen results (nothing is measured here). The HTML report of issue 7 reads the
same JSON files.
"""

from __future__ import annotations

import json
import logging
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from lab.report.html import render_run
from lab.report.views import DISK_KINDS
from lab.scenario.evidence import Json
from lab.scenario.results import RunResult, ScenarioResult, to_json
from lab.scenario.verdict import LABELS

log = logging.getLogger(__name__)

MARK = LABELS


def _short(value: Json, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown(result: ScenarioResult) -> str:
    lines = [
        f"# {result.title}",
        "",
        f"**{result.claim.kind.capitalize()}:** {result.claim.text}",
        "",
        result.story,
        "",
        f"Scenario `{result.name}` on target `{result.target}`: **{MARK[result.verdict]}** "
        f"({result.duration_s:.1f} s)",
        "",
    ]
    if result.error:
        lines += ["## Error", "", "```", result.error, "```", ""]
    lines += ["## Expectations", "", "| case | expected | observed | verdict |", "|---|---|---|---|"]
    for e in result.expectations:
        lines.append(f"| {e.case} | {_short(e.expected)} | {_short(e.observed)} | {'✔' if e.met else '✘'} |")
    if result.not_judged:
        lines += ["", f"Not judged on {result.target} (facts about the other target only; neither met nor "
                  "unmet here):", "", "| case | judged on | expected there | observed here |",
                  "|---|---|---|---|"]
        lines += [f"| {e.case} | {e.target} | {_short(e.expected)} | {_short(e.observed)} |"
                  for e in result.not_judged]
    about_disk = any(e.kind in DISK_KINDS for e in (*result.expectations, *result.not_judged))
    for case in result.cases:
        title = f"## Case `{case.name}`"
        if case.fix:
            title = f"## Fix case `{case.name}` (the remediation applied)"
        lines += ["", title, ""]
        if case.ports:
            lines.append("Ports: " + ", ".join(f"{k} {v}" for k, v in case.ports.items()))
        if case.start_error:
            lines.append(f"The server refused to start: `{case.start_error}`")
        if case.error:
            lines.append(f"**Error:** `{case.error}`")
        for c in case.clients:
            state = "connected" if c.connected else f"refused — {c.error}"
            tls = f", {c.tls_version} {c.cipher}" if c.tls_version else ""
            lines.append(f"- client `{c.name}` ({c.library}, {c.posture}): {state}{tls}")
        if case.capture is not None:
            cap = case.capture
            lines.append(
                f"- capture: `{cap.pcap}` ({cap.packets} packets, {cap.method})"
                + (f", key log `{cap.keylog}`" if cap.keylog else "")
            )
            for x in cap.exposures:  # "in clear" only with frames: a TLS secret is readable with the key only
                if x.frames:
                    lines.append(
                        f"- **{x.label}** readable in clear in frames {', '.join(map(str, x.frames[:12]))}"
                    )
                elif x.decrypted_frames:
                    lines.append(f"- **{x.label}** readable only with the key log, frames "
                                 f"{', '.join(map(str, x.decrypted_frames[:12]))}")
        for x in case.at_rest:
            lines.append(f"- **{x.label}** readable on disk in {', '.join(x.files)}")
        for f in case.disk if about_disk else ():
            held = ", ".join(f.secrets) or "no secret of this case"
            key = "" if f.encrypted is None else ", encrypted" if f.encrypted else ", unencrypted"
            key += " private key" if key else ""
            lines.append(f"- file `{f.name}` ({f.kind.value}, mode {f.mode}, readable by "
                         f"{', '.join(f.readable_by) or 'no one'}): {held}{key}")
        if case.observations:
            lines += ["", "Observations:", "", "```json", _json(case.observations), "```"]
        if case.log_tail and (case.error or case.start_error):
            lines += ["", "Server log (tail):", "", "```", *case.log_tail, "```"]
    rem = result.remediation
    lines += ["", "## Remediation", "", fix_status(result), "", rem.summary]
    if rem.config:
        lines += ["", "```", *rem.config, "```"]
    if rem.client:
        lines += ["", "```python", rem.client.strip(), "```"]
    return "\n".join(lines) + "\n"


def fix_status(result: ScenarioResult) -> str:
    """One sentence from the FixResult: advice, proven (n of n checks), or not proven and why."""
    fix = result.fix
    if fix.advice:
        return "Advice: the lab cannot run this change, so it is not proven here."
    if fix.proven:
        return (f"Fix proven: applied in case `{fix.case}` and the attack run again; "
                f"{fix.met} of {fix.checks} checks held.")
    return f"Fix NOT proven (case `{fix.case}`, {fix.met} of {fix.checks} checks held): {fix.error}"


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def write_scenario(result: ScenarioResult, reports: Path) -> tuple[Path, Path]:
    reports.mkdir(parents=True, exist_ok=True)
    json_path, md_path = reports / f"{result.name}.json", reports / f"{result.name}.md"
    json_path.write_text(to_json(result), "utf-8")
    md_path.write_text(markdown(result), "utf-8")
    return json_path, md_path


def write_run(run: RunResult) -> Path:
    """run.json beside the scenario files, and reports/latest → this run (relative, so the tree can move)."""
    reports = Path(run.reports_dir)
    path = reports / "run.json"
    path.write_text(to_json(run), "utf-8")
    latest = reports.parent / "latest"
    tmp = reports.parent / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(reports.name, target_is_directory=True)
    os.replace(tmp, latest)  # atomic: readers never see a missing link
    try:
        render_run(reports)  # issue 7's HTML pages (index.html etc.) from the JSON just written
    except Exception as exc:  # the HTML is a view of run.json: failing to draw it must not cost the verdicts
        log.warning("HTML report not written (%s: %s); the JSON and Markdown reports are complete; "
                    "retry with `tlslab report %s`", type(exc).__name__, exc, run.run_id)
    return path


def write_junit(run: RunResult, path: Path) -> Path:
    """One testsuite per run, one testcase per scenario: unmet → <failure>, error → <error>."""
    counts = run.counts
    suite = ET.Element(
        "testsuite",
        name=f"tlslab-{run.target}",
        tests=str(len(run.scenarios)),
        failures=str(counts["unmet"]),
        errors=str(counts["error"]),
        time=f"{run.duration_s:.3f}",
        timestamp=run.started_at,
    )
    for s in run.scenarios:
        case = ET.SubElement(
            suite, "testcase", classname=f"scenario.{run.target}", name=s.name, time=f"{s.duration_s:.3f}"
        )
        if s.verdict == "error":
            ET.SubElement(case, "error", message=s.error or "error").text = s.error
        elif s.verdict == "unmet":
            text = "\n".join(
                f"[{e.case}] expected {e.expected}; observed {_short(e.observed, 400)}" for e in s.unmet
            )
            ET.SubElement(case, "failure", message=f"{len(s.unmet)} expectation(s) unmet").text = text
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path
