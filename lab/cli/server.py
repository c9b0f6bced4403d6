"""`tlslab server`: run the bundled Redis-compatible server, exactly like `python -m server`."""

from __future__ import annotations

import argparse

RAW_ARGS = True  # redis-server's own syntax, --help included (the server prints its usage)
HELP = "run the bundled TLS Redis server (arguments as redis-server: [redis.conf] [--directive value ...])"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "server_args", nargs=argparse.REMAINDER, help="redis.conf path and --directive value pairs"
    )


def run(args: argparse.Namespace) -> int:
    from server.__main__ import main as server_main

    return server_main(list(args.server_args))
