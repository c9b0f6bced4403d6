"""Options that mean the same in several subcommands, declared once so that their meaning cannot drift.

Not a subcommand (it is not in SUBCOMMANDS); light imports only, like every module here.
"""

from __future__ import annotations

import argparse
from pathlib import Path


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
