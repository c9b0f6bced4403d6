"""Options that mean the same in several subcommands, declared once so that their meaning cannot drift.

Not a subcommand (it is not in SUBCOMMANDS); light imports only, like every module here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lab.severity import SEVERITIES


def port(text: str) -> int:
    """A TCP port (1-65535), checked when the arguments are read."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give 1-65535") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port: give 1-65535")
    return value


def _seconds(text: str, zero: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (value >= 0 if zero else value > 0) or value == float("inf"):
        wanted = "of 0 or more" if zero else "above 0"
        raise argparse.ArgumentTypeError(f"{text} s: give a number of seconds {wanted}")
    return value


def seconds(text: str) -> float:
    """A timeout in seconds, > 0 (a zero or negative one is a typo, not a request)."""
    return _seconds(text, zero=False)


def duration(text: str) -> float:
    """How long to run, in seconds, >= 0 (0: start, then stop at once)."""
    return _seconds(text, zero=True)


def _writable_base(path: Path) -> None:
    """The nearest existing folder above `path` must be a folder we may write in (the rest is created)."""
    base = next(p for p in (path.absolute().parent, *path.absolute().parents) if p.exists())
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"{path}: {base} is a file, not a folder; choose another place")
    if not os.access(base, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{path}: no permission to write in {base}; choose another place")


def output_file(text: str) -> Path:
    """A file the command writes: checked before any work is done, so that no result is lost at the end."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a folder; give a file path (e.g. {path}/<name>)")
    _writable_base(path)
    return path


def output_dir(text: str) -> Path:
    """A folder the command writes into (created if missing), checked before any work is done."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a file; give a folder (it is created if missing)")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise argparse.ArgumentTypeError(f"no permission to write in {path}; choose another folder")
    else:
        _writable_base(path)
    return path


def add_target(parser: argparse.ArgumentParser) -> None:
    """--target: which server the scenarios run against."""
    parser.add_argument(
        "--target",
        choices=("bundled", "redis-server"),
        default="bundled",
        help="server under test (default: the bundled server)",
    )


def add_scenarios(parser: argparse.ArgumentParser) -> None:
    """--scenarios: where the scenario files are read from (None: the checkout's scenarios/)."""
    parser.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        metavar="DIR",
        help="scenario directory (default: scenarios/ of this checkout)",
    )


def add_out_root(parser: argparse.ArgumentParser) -> None:
    """--out: the folder that gets reports/ and captures/ (run, course)."""
    parser.add_argument(
        "--out",
        type=output_dir,
        default=Path("."),
        metavar="DIR",
        help="where reports/ and captures/ are written (default: current directory)",
    )


def add_traffic(parser: argparse.ArgumentParser, port_help: str) -> None:
    """--port, --keylog, --secret: what to look at in traffic (analyze a capture, watch live)."""
    parser.add_argument("--port", type=port, action="append", default=[], metavar="N", help=port_help)
    parser.add_argument(
        "--keylog",
        type=Path,
        help="NSS key log the clients write (SSLKEYLOGFILE): decrypts their TLS sessions",
    )
    parser.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="S",
        help="a value to trace (password, marked value): frames where it crosses in clear",
    )


def add_report_files(parser: argparse.ArgumentParser) -> None:
    """--json, --html: the report as files (analyze, audit); the page is rendered from the JSON."""
    parser.add_argument("--json", type=output_file, metavar="OUT", help="write the full report as JSON")
    parser.add_argument(
        "--html",
        type=output_file,
        metavar="OUT",
        help="write a self-contained HTML page (its JSON goes beside it unless --json is given)",
    )


def json_out(args: argparse.Namespace) -> Path | None:
    """Where add_report_files' JSON goes: --json, else beside --html (the page is made from it), else none."""
    if args.json is not None or args.html is None:
        json_path: Path | None = args.json
        return json_path
    html: Path = args.html
    return html.with_suffix(".json")


def add_junit(parser: argparse.ArgumentParser, case: str) -> None:
    """--junit: results as JUnit XML for CI (run, audit)."""
    parser.add_argument(
        "--junit", type=output_file, metavar="OUT", help=f"write JUnit XML (one test case per {case})"
    )


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """--fail-on: exit 1 on a finding of this severity or higher (a CI gate)."""
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        metavar="SEVERITY",
        help=f"exit 1 when a finding has this severity or higher ({'|'.join(SEVERITIES)})",
    )


def add_own_network(parser: argparse.ArgumentParser, scope: str = "") -> None:
    """--i-own-this-network: the one switch that lets a tool reach beyond loopback and lab hosts."""
    parser.add_argument(
        "--i-own-this-network",
        action="store_true",
        help=f"{scope}allow a target that is not loopback or a lab host (only your own servers)",
    )


def add_client_cert(parser: argparse.ArgumentParser, scope: str = "") -> None:
    """--ca, --cert, --key: what a TLS client of the user's own server needs (audit, bench --endpoint)."""
    parser.add_argument(
        "--ca", type=Path, metavar="F", help=f"{scope}the CA clients trust: the chain is verified against it"
    )
    parser.add_argument(
        "--cert", type=Path, metavar="F", help=f"{scope}client certificate (servers with tls-auth-clients)"
    )
    parser.add_argument("--key", type=Path, metavar="F", help=f"{scope}the client certificate's key")
