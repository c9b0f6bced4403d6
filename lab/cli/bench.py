"""`tlslab bench`: what TLS costs Redis, measured; `tlslab bench server`: bundled vs redis-server ratios."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from lab.bench.results import TargetKind
from lab.cli.options import add_client_cert, add_own_network, output_dir, output_file
from lab.errors import UserError

HELP = (
    "measure TLS overhead (plaintext / TLS 1.2 / TLS 1.3, pipelining, value size, new connections, fsync) "
    "on the bundled server and redis-server; `bench server` writes the bundled/redis-server ratio table"
)

_TARGETS: dict[str, tuple[TargetKind, ...]] = {
    "bundled": ("bundled",),
    "redis-server": ("redis-server",),
    "both": ("bundled", "redis-server"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what",
        nargs="?",
        choices=("matrix", "server"),
        default="matrix",
        help="matrix (default): the TLS overhead report; server: bundled vs redis-server ratios "
        "and memory for 1M keys",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small subset in under a minute (used by tests)"
    )
    parser.add_argument(
        "--target", choices=tuple(_TARGETS), default="both", help="which server(s) (default both)"
    )
    parser.add_argument(
        "--key-axis",
        action="store_true",
        help="handshake capacity: the resumed handshakes with RSA-2048 and RSA-4096 certificates too (the "
        "default run has their full handshakes; about 40 s more)",
    )
    parser.add_argument(
        "--full-matrix",
        action="store_true",
        help="the matrix with pipeline 64 and appendfsync everysec too (about 30 s more; not with --quick)",
    )
    parser.add_argument(
        "--endpoint",
        metavar="HOST:PORT[,TLS_PORT]",
        help="bench a server you already run: plaintext vs TLS cells with redis-benchmark (loopback unless "
        "--i-own-this-network); TLS needs --ca, mTLS --cert/--key",
    )
    add_client_cert(parser, "with --endpoint: ")
    parser.add_argument("--password", help="with --endpoint: AUTH password")
    parser.add_argument(
        "--name", default="localhost", metavar="SNI", help="with --endpoint: the server's name"
    )
    add_own_network(parser, "with --endpoint: ")
    parser.add_argument("--json", type=output_file, metavar="OUT", help="also write the results JSON to OUT")
    parser.add_argument(
        "--out",
        type=output_dir,
        metavar="DIR",
        help="output folder (default reports/<run-id>/bench, pcapng in captures/<run-id>/bench)",
    )


def run(args: argparse.Namespace) -> int:
    run_id = time.strftime("%Y%m%d-%H%M%S")
    out: Path = args.out if args.out is not None else Path("reports") / run_id / "bench"
    captures = out / "captures" if args.out is not None else Path("captures") / run_id / "bench"
    if args.endpoint is not None:
        from lab.bench.endpoint import bench_endpoint, write

        result = bench_endpoint(
            args.endpoint,
            ca=args.ca,
            cert=args.cert,
            key=args.key,
            password=args.password,
            sni=args.name,
            requests=2_000 if args.quick else 20_000,
            i_own_this_network=args.i_own_this_network,
        )
        data, table = write(result, out)
        print(result.table() + f"\n\nresults: {data}  table: {table}")
        return 0 if all(c.run.error is None for c in result.cells) else 1
    targets = _TARGETS[args.target]
    if "redis-server" in targets and shutil.which("redis-server") is None:
        raise UserError(
            "redis-server is not installed: apt-get install redis-server, or use --target bundled"
        )

    from lab.bench.results import write_json

    if args.what == "server":
        from lab.bench.server_ratio import run_server_bench

        if args.target != "both":
            raise UserError("`bench server` compares the two servers: drop --target (it always runs both)")
        ratio_report = run_server_bench(out, quick=args.quick, progress=_progress)
        if args.json is not None:
            write_json(ratio_report, args.json)
        print(f"ratio table: {out / 'server-ratios.md'}  results: {out / 'server-ratios.json'}")
        return 0 if any(r.ratio is not None for r in ratio_report.rows) else 1

    from lab.bench.progress import Bar, Lines
    from lab.bench.suite import run_bench

    # A bar with cells done and time left on a terminal; plain lines in a log or a pipe.
    steps = Bar() if sys.stderr.isatty() else Lines(_progress)
    try:
        report = run_bench(
            targets,
            args.quick,
            out,
            captures,
            run_id,
            progress=steps,
            key_axis=args.key_axis,
            full_matrix=args.full_matrix,
        )
    finally:
        if isinstance(steps, Bar):
            steps.close()
    if args.json is not None:
        write_json(report, args.json)
    print(f"summary: {out / 'summary.md'}  results: {out / 'results.json'}  figures: {out / 'figures'}")
    if args.out is None:  # reports/<run-id>/bench: its run folder gets the HTML pages (`tlslab report` too)
        from lab.report.html import render_run

        render_run(out.parent)
        print(f"performance page: {out.parent / 'performance.html'}")
    for note in report.notes:
        print(f"note: {note}")
    return 0 if report.cells else 1


def _progress(line: str) -> None:
    print(f"[bench] {line}", flush=True)
