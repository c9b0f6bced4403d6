"""The page of a `tlslab audit --json` report (same look as the capture-analysis page)."""

from __future__ import annotations

from pathlib import Path

from lab.errors import UserError
from lab.report.html import _environment, _write
from lab.report.rundata import read_json

_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def render_audit(json_path: Path, out: Path | None = None) -> Path:
    report = read_json(json_path)
    if report.get("kind") != "audit":
        raise UserError(f"{json_path} is not a `tlslab audit --json` report (no kind: audit)")
    out = out or json_path.with_suffix(".html")
    findings = sorted(report.get("findings", ()), key=lambda f: _ORDER.get(f.get("severity"), 9))
    tls = (report.get("facts") or {}).get("tls")
    page = _environment().get_template("audit.html.j2").render(
        run_id="", home=out.name, nav=[("Audit", out.name)], here="Audit", a=report, findings=findings,
        failed_checks=[c for c in report.get("checks", ()) if c.get("status") == "error"],
        tls=tls if tls and tls.get("reachable") else None,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    return _write(out, page)
