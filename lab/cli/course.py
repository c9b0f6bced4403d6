"""`tlslab course`: the guided walk through the deep dive (steps, myths, pitfalls, fast-and-safe), live."""

from __future__ import annotations

import argparse

from lab.cli.options import add_out_root, add_scenarios, add_target

HELP = (
    "a guided course: each lesson explains, asks you to predict, runs the scenario that settles it live "
    "and shows the evidence; paced by Enter (--no-pause for CI, --quick for a short selection)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-pause", action="store_true", help="ask nothing, wait for nothing (CI)")
    parser.add_argument(
        "--quick", action="store_true", help="every lesson's text, but only a few cheap scenarios run live"
    )
    add_target(parser)
    add_out_root(parser)
    add_scenarios(parser)


def run(args: argparse.Namespace) -> int:
    from lab.course.lessons import check_scenarios, load_lessons
    from lab.course.walk import walk
    from lab.scenario.loader import load_all

    lessons = load_lessons()
    catalogue = {s.name: s for s in load_all(args.scenarios)}
    check_scenarios(lessons, set(catalogue))
    ask = None if args.no_pause else input
    result = walk(lessons, catalogue, args.out, args.target,
                  say=lambda text: print(text, flush=True), ask=ask, quick=args.quick)
    return 0 if result.ok else 1
