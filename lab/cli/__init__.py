"""`tlslab`: one subcommand per module in this package.

Each module defines HELP, `add_arguments(parser)` and `run(args) -> int`; keep their top-level
imports light (heavy libraries are imported inside `run`) so that `tlslab --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from lab.errors import UserError

# A new subcommand: one module in lab/cli/ and one line here.
SUBCOMMANDS: tuple[str, ...] = (
    "server",
    "analyze",
    "run",
    "list",
    "bench",
    "report",
    "course",
    "audit",
    "watch",
    "audit-client",  # a "-" in a command's name is a "_" in its module's
    "netlab",
)


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line naming the problem and where the fix is documented (exit 2), like every
    other bad input, instead of argparse's usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tlslab", description="Redis TLS Lab: see what TLS does for Redis.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"lab.cli.{name.replace('-', '_')}")
        # A RAW_ARGS command takes its arguments verbatim (`tlslab server --port 7000` as redis-server
        # would): a prefix no argument uses stops argparse from reading "--port" as its own option.
        raw = getattr(module, "RAW_ARGS", False)
        options: dict[str, Any] = {"prefix_chars": "\x00", "add_help": False} if raw else {}
        p = sub.add_parser(name, help=module.HELP, description=module.HELP, **options)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from lab.procs import sigterm_as_interrupt

    args = build_parser().parse_args(argv)
    try:
        with sigterm_as_interrupt():  # `kill` and `timeout` stop a run as cleanly as Ctrl-C
            code: int = args._run(args)
    except UserError as exc:
        print(f"tlslab {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"tlslab {args.command}: interrupted; everything started was stopped.", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    return code


if __name__ == "__main__":
    sys.exit(main())
