"""`tlslab analyze`: what a capture shows about Redis and TLS: plaintext Redis, secrets in clear, weak TLS."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lab.cli.options import add_fail_on, add_report_files, add_traffic, json_out
from lab.severity import SEVERITIES, at_least

if TYPE_CHECKING:
    from lab.analysis import CaptureReport

HELP = "analyse a pcap/pcapng: Redis in clear (AUTH, commands), TLS versions, ciphers, certs, secrets"
MAX_FRAMES_SHOWN = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("capture", type=Path, help="pcap or pcapng file")
    add_traffic(parser, "a port Redis listens on (repeatable; 6379 always counts; content is checked too)")
    add_report_files(parser)
    add_fail_on(parser)


def _frames(frames: tuple[int, ...]) -> str:
    shown = ",".join(str(f) for f in frames[:MAX_FRAMES_SHOWN])
    return shown + (f",… ({len(frames)} frames)" if len(frames) > MAX_FRAMES_SHOWN else "")


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def render(report: CaptureReport) -> str:
    out = [
        f"{report.path}: {report.read.packets} frames read ({report.read.tcp_packets} TCP), "
        f"{len(report.streams)} TCP streams, {len(report.redis_streams)} Redis, {report.seconds:.2f} s"
    ]
    if report.read.truncated:
        out.append(
            f"WARNING: capture is truncated; analysed the {report.read.packets} frames before the cut "
            f"({report.read.message})"
        )
    for skip in report.read.skipped:
        out.append(f"skipped: {skip.frames} frame(s): {skip.reason} (first: frame {skip.first_frame})")
    rows = [
        ("stream", "client -> server", "transport", "redis", "tls", "cipher", "sni", "client cert", "resp")
    ]
    for s in report.streams:
        cert = {None: "?", True: "yes", False: "no"}[s.client_cert_present] if s.transport == "tls" else "-"
        rows.append(
            (
                str(s.stream),
                f"{s.client.host}:{s.client.port} -> {s.server.host}:{s.server.port}",
                s.transport + (" (decrypted)" if s.decrypted else ""),
                s.redis_evidence or "no",
                s.tls_version or "-",
                s.cipher or "-",
                s.sni or "-",
                cert,
                str(len(s.transcript)),
            )
        )
    out += ["", _table(rows)]
    findings = sorted(report.findings, key=lambda f: -SEVERITIES.index(f.severity))
    out += ["", f"findings: {len(findings)}"]
    if findings:
        out.append(
            _table(
                [("severity", "check", "finding", "frames")]
                + [(f.severity, f.check, f.title, _frames(f.evidence)) for f in findings]
            )
        )
    for result in report.checks:
        if result.status == "error":
            out.append(f"check {result.check} failed: {result.error}")
    for e in report.exposures:
        seen = f"in clear in frames {_frames(e.frames)}" if e.frames else "never in clear"
        extra = f"; after decryption in frames {_frames(e.decrypted_frames)}" if e.decrypted_frames else ""
        out.append(f"secret {e.label}: {seen}{extra}")
    return "\n".join(out)


def say(text: str) -> None:
    """Print; a reader that went away (`| head`) ends the output quietly, not with a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Later writes, and the interpreter's own flush at exit, must not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def run(args: argparse.Namespace) -> int:
    from lab.analysis import analyze
    from lab.analysis.jsonout import write_json

    report = analyze(args.capture, keylog=args.keylog, ports=args.port, secrets=args.secret)
    say(render(report))
    # The HTML page is rendered from the JSON, as `tlslab report` does, so both always agree.
    json_path = json_out(args)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        with json_path.open("w", encoding="utf-8") as out:
            write_json(report, out)
        say(f"JSON report: {json_path}")
    if args.html is not None:
        from lab.report.html import render_analysis

        assert json_path is not None  # json_out() puts it beside the page
        say(f"HTML report: {render_analysis(json_path, args.html)}")
    if args.fail_on is not None and at_least([f.severity for f in report.findings], args.fail_on):
        return 1
    return 0
