"""HTML pages from a run's results: index.html (verdict table), <scenario>.html, performance.html, and
the page of a `tlslab analyze` JSON. Jinja2 templates in templates/; CSS inline, figures as relative files,
so a report folder opens from the file system with no network.

Public API:
    render_run(reports_dir: Path) -> Path          # writes the run's pages, returns index.html
    render_analysis(json_path: Path, out: Path | None = None) -> Path
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from lab.report import figures, matrix, views
from lab.report.markdown import to_html
from lab.report.rundata import JsonDict, RunData, load_run, read_json
from lab.scenario.verdict import LABELS

MARKS = LABELS
ATTACKER_NAMES = {
    "mitm-ca": "mitmproxy's CA",
    "rogue-ca": "rogue CA",
    "same-ca-other-host": "same CA, other host (serverAuth only)",
    "same-ca-any-purpose": "same CA, other host (server + client EKU)",
    "stolen-client-cert": "stolen client cert",
    "expired": "expired cert",
    "self-signed": "self-signed cert",
}
TRANSCRIPT_LINES = 30
MASKED = "•••"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lab.report", "templates"),
        autoescape=True,
        # the JSON comes from other modules that keep evolving: a field they drop renders as nothing
        # instead of costing the whole report (the tests check what a page must show)
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["basename"] = lambda p: Path(str(p)).name
    env.filters["masked"] = views.masked
    return env


def _attacker_cell(value: Any) -> str:
    """Attacker observations for a table cell. What it stole is shown: that is the scenario's evidence,
    and the expectations that judge it quote the same values."""
    if isinstance(value, list):
        return views.short(", ".join(str(v) for v in value) or "none", 300)
    return views.short(value, 300)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%"


def _nav(has_matrix: bool, has_performance: bool) -> list[tuple[str, str]]:
    nav = [("Verdicts", "index.html")]
    if has_matrix:
        nav.append(("MITM matrix", "mitm-matrix.html"))
    if has_performance:
        nav.append(("Performance", "performance.html"))
    return nav


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)  # a browser reloading the page never sees half of it
    return path


def _scenario_page(env: jinja2.Environment, s: JsonDict, data: RunData, common: dict[str, Any]) -> str:
    reports_dir = data.reports_dir
    rel: Callable[[str], str] = lambda p: views.relative(p, reports_dir)  # noqa: E731
    return env.get_template("scenario.html.j2").render(
        **common,
        here="MITM matrix" if s["name"] == "mitm-matrix" else "",
        s=s,
        checks=views.checks(s),
        not_judged=views.checks(s, key="not_judged"),
        cases=[views.case_view(s, c) for c in s.get("cases", ())],
        grid=matrix.grid(s),
        figures=figures.collect(s, reports_dir),
        rel=rel,
        attacker_cell=_attacker_cell,
    )


def _num(value: float | None, digits: int = 0) -> str:
    """A results field as the performance page prints it ("-" when it was not measured)."""
    return "-" if value is None else f"{value:,.{digits}f}"


def _calls(pair: Sequence[float] | None) -> str:
    return "-" if pair is None else f"{pair[0]:.2f} / {pair[1]:.2f}"


def _performance_page(env: jinja2.Environment, data: RunData, common: dict[str, Any]) -> str:
    assert data.bench is not None and data.bench_dir is not None
    b, bench_dir = data.bench, data.bench_dir
    figs = []
    for raw in b.get("figures", ()):
        path = bench_dir / "figures" / Path(raw).name
        if path.is_file():
            figs.append({"name": path.stem.replace("_", " ").replace("-", " "),
                         "href": views.relative(path, data.reports_dir)})
    summary = bench_dir / "summary.md"
    return env.get_template("performance.html.j2").render(
        **common,
        here="Performance",
        b=b,
        overheads=b.get("overheads", ()),
        figures=figs,
        pct=_pct,
        num=_num,
        calls=_calls,
        results_href=views.relative(bench_dir / "results.json", data.reports_dir),
        summary_href=views.relative(summary, data.reports_dir) if summary.is_file() else None,
        summary_html=to_html(summary.read_text("utf-8")) if summary.is_file() else "",
    )


def render_run(reports_dir: Path) -> Path:
    """Write index.html, one page per scenario, the MITM matrix and performance pages; return index.html."""
    data = load_run(reports_dir)
    env = _environment()
    has_matrix = any(s["name"] == "mitm-matrix" for s in data.scenarios)
    run = data.run or {}
    common: dict[str, Any] = {
        "run_id": data.run_id,
        "marks": MARKS,
        "home": "index.html",
        "nav": _nav(has_matrix, data.bench is not None),
        "attacker_names": ATTACKER_NAMES,
        "words": matrix.WORDS,
        "legend": matrix.LEGEND,
        "same_ca_why": matrix.SAME_CA_WHY,
    }
    performance, performance_note = None, ""
    if data.bench is not None:
        try:
            page = _performance_page(env, data, common)
        except (jinja2.UndefinedError, KeyError, TypeError, ValueError) as exc:
            # bench results of another shape (an older or newer bench) must not cost the run its report
            performance_note = f"the bench results in {data.bench_dir} could not be shown: {exc}"
            common["nav"] = _nav(has_matrix, False)
        else:
            performance = _write(data.reports_dir / "performance.html", page)
    for s in data.scenarios:
        _write(data.reports_dir / f"{s['name']}.html", _scenario_page(env, s, data, common))
    counts = run.get("counts") or {v: sum(1 for s in data.scenarios if s.get("verdict") == v) for v in MARKS}
    index = env.get_template("index.html.j2").render(
        **common,
        here="Verdicts",
        run=data.run,
        target=run.get("target", ""),
        started_at=run.get("started_at", ""),
        duration_s=float(run.get("duration_s", 0.0)),
        interrupted=bool(run.get("interrupted")),
        counts=counts,
        scenarios=data.scenarios,
        rows=[views.verdict_row(s, data.reports_dir) for s in data.scenarios],
        matrix_page="mitm-matrix.html" if has_matrix else None,
        performance_page=performance.name if performance else None,
        bench_run=(data.bench or {}).get("run_id", ""),
        performance_note=performance_note,
        captures_dir=views.relative(run.get("captures_dir", data.reports_dir), data.reports_dir),
        peer=run.get("peer"),
        peer_verdicts={v["name"]: v for v in (run.get("peer") or {}).get("verdicts", ())},
        fixes={s["name"]: s.get("fix") or {} for s in data.scenarios},
    )
    return _write(data.reports_dir / "index.html", index)


# --- tlslab analyze --------------------------------------------------------------------------------


def _line_text(line: JsonDict) -> str:
    """A transcript line with AUTH credentials masked (the page may be projected; the JSON keeps them)."""
    args = [str(a) for a in line.get("args", ())]
    upper = [a.upper() for a in args]
    if upper[:1] == ["AUTH"]:
        return " ".join([args[0], *([MASKED] * (len(args) - 1))])
    if upper[:1] == ["HELLO"] and "AUTH" in upper:
        at = upper.index("AUTH")
        return " ".join([*args[: at + 2], MASKED, *args[at + 3 :]])
    return str(line.get("text", ""))


def _transcripts(report: JsonDict) -> list[dict[str, Any]]:
    out = []
    for s in report.get("streams", ()):
        lines = s.get("transcript") or []
        if not lines:
            continue
        shown = [{**line, "text": _line_text(line)} for line in lines[:TRANSCRIPT_LINES]]
        out.append({"stream": s["stream"], "decrypted": s.get("decrypted", False), "lines": shown,
                    "more": max(0, len(lines) - TRANSCRIPT_LINES), "note": s.get("transcript_note", "")})
    return out


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def is_analysis(data: JsonDict) -> bool:
    return "streams" in data and "checks" in data and "read" in data


def render_analysis(json_path: Path, out: Path | None = None) -> Path:
    """The page of a `tlslab analyze --json` file (default: beside it, .html)."""
    from lab.errors import UserError

    report = read_json(json_path)
    if not is_analysis(report):
        raise UserError(f"{json_path} is not a `tlslab analyze --json` report (no streams/checks/read)")
    out = out or json_path.with_suffix(".html")
    findings = sorted(report.get("findings", ()), key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), 9))
    page = _environment().get_template("analysis.html.j2").render(
        run_id="",
        home=out.name,
        nav=[("Capture analysis", out.name)],
        here="Capture analysis",
        a=report,
        redis_streams=sum(1 for s in report.get("streams", ()) if s.get("redis")),
        findings=findings,
        failed_checks=[c for c in report.get("checks", ()) if c.get("status") == "error"],
        transcripts=_transcripts(report),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    return _write(out, page)
