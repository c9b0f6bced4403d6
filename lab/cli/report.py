"""`tlslab report [RUN]`: rebuild a run's HTML pages from its JSON, without re-running anything."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = (
    "rebuild the HTML report of a run from its JSON (default: reports/latest); RUN is a run id, a run "
    "folder, or a `tlslab analyze --json` file"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "run", nargs="?", metavar="RUN", help="run id, run folder or analyze JSON (default: latest)"
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where run folders live (default: reports/)",
    )


def run(args: argparse.Namespace) -> int:
    from lab.report.html import render_analysis, render_run
    from lab.report.rundata import resolve_run

    if args.run is not None and Path(args.run).is_file():
        page = render_analysis(Path(args.run))
    else:
        page = render_run(resolve_run(args.run, args.reports))
    print(f"report: {page}")
    print(f"open it: file://{page.resolve()}")
    return 0
