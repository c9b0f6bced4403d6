"""The evidence of a scenario result as terminal lines: verdict, each expectation with what was observed,
refusals in the server's own words, and (when a lesson asks) the TLS lines of the server's redis.conf.

Formatting only: the result was measured by the scenario engine; nothing is re-run here.
"""

from __future__ import annotations

from lab.report.views import config_lines, short
from lab.scenario.results import ScenarioResult
from lab.scenario.verdict import LABELS

VERDICT = LABELS
SHOWN = 14


def evidence_lines(
    result: ScenarioResult, show_config: bool = False, show: tuple[str, ...] = ()
) -> list[str]:
    lines = [f"  {result.name}: {VERDICT[result.verdict]} ({result.duration_s:.1f} s) on {result.target} — "
             f"{result.title}"]
    if result.error:
        lines += [f"    ⚠ {line}" for line in result.error.splitlines()]
    if show_config:
        for case in result.cases:
            conf = [c for c in config_lines(case.workdir) if c.startswith(("port", "tls-"))]
            if conf:
                lines.append(f"    the server's redis.conf ({case.name}):")
                lines += [f"      {c}" for c in conf]
    many_cases = len(result.cases) > 1
    for case in result.cases:
        shown = [f"{k} = {short(case.observations[k], 80)}" for k in show if k in case.observations]
        if shown:
            where = f"[{case.name}] " if many_cases else ""
            lines.append(f"    {where}measured: " + " · ".join(shown))
    for case in result.cases:
        for c in case.clients:
            where = f"[{case.name}] " if many_cases else ""
            outcome = "connected" + (f", {c.tls_version}" if c.tls_version else "") if c.connected else (
                f"refused ({c.error_class or 'error'})")
            lines.append(f"    {where}client {c.name} ({c.library}, {c.posture}): {outcome}")
    for e in result.expectations[:SHOWN]:
        mark = "✔" if e.met else "✘"
        where = f"[{e.case}] " if many_cases else ""
        lines.append(f"    {mark} {where}{e.expected}")
        lines.append(f"        observed: {short(e.observed, 150)}")
    if len(result.expectations) > SHOWN:
        lines.append(f"    … {len(result.expectations) - SHOWN} more in the report")
    for case in result.cases:
        if case.start_error:
            lines.append(f"    server refused to start ({case.name}): {short(case.start_error, 200)}")
    return lines


def agreement_line(results: list[ScenarioResult]) -> str:
    """Whether this run's evidence agrees with the lesson: the lesson states the claim, the run judges it."""
    if not results:
        return ""
    if all(r.verdict == "met" for r in results):
        return "  The evidence above agrees: every expectation was met in this run."
    return ("  ⚠ This run does NOT agree everywhere (see the ✘/⚠ lines above): the lesson states the claim, "
            "the run is the judge; look at the report.")
