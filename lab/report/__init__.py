"""Reports people open: HTML pages rendered from a run's JSON (never re-measured), self-contained on disk.

rundata   what a run left (run.json, <scenario>.json, bench/results.json)
views     verdict rows and per-case evidence     matrix   the MITM matrix grid
figures   figures copied beside the pages        markdown the bench summary as HTML
html      render_run(reports_dir) -> index.html; render_analysis(json) -> page
"""
