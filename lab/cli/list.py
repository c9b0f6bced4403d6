"""`tlslab list`: the scenario catalogue, with tags and the claim each one tests."""

from __future__ import annotations

import argparse

from lab.cli.options import add_scenarios

HELP = "list the scenarios (name, tags, the myth/pitfall/promise each one tests)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tag", action="append", default=[], metavar="T", help="only scenarios with this tag"
    )
    add_scenarios(parser)


def run(args: argparse.Namespace) -> int:
    from lab.scenario.loader import DEFAULT_TAG, load_all, select

    chosen = load_all(args.scenarios)
    if args.tag:
        chosen = select(chosen, tags=args.tag)
    width = max((len(s.name) for s in chosen), default=8)
    for s in chosen:
        mark = "*" if DEFAULT_TAG in s.tags else " "
        tags = ",".join(t for t in s.tags if t != DEFAULT_TAG)
        print(f"{mark} {s.name:<{width}}  {s.claim.kind:<7}  {s.title}  [{tags}]")
    print(f"\n{len(chosen)} scenario(s); * = in the default set (`make scenario`, `tlslab run --default`)")
    return 0
