"""`tlslab run`: run scenarios, show progress, end with a verdict table and where the report is.

Exit code: 0 when every expectation of every scenario is met, 1 otherwise (unmet or error), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import TYPE_CHECKING

from lab.cli.options import add_junit, add_out_root, add_scenarios, add_target
from lab.scenario.verdict import LABELS

if TYPE_CHECKING:
    from collections.abc import Callable

    from lab.scenario.results import RunResult, ScenarioResult
    from lab.scenario.schema import Scenario

HELP = "run scenarios: NAME... | --all | --tag T | --default; writes reports/<run-id>/ and captures/<run-id>/"

VERDICT = LABELS
LOG_LINES = 6  # of an errored case's server log, in the terminal (the report has more)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="scenario names (see `tlslab list`)")
    pick = parser.add_mutually_exclusive_group()
    pick.add_argument("--all", action="store_true", help="every scenario")
    pick.add_argument("--default", action="store_true", help="the default set (what `make scenario` runs)")
    pick.add_argument("--tag", action="append", default=[], metavar="T", help="scenarios with this tag")
    add_target(parser)
    add_out_root(parser)
    add_junit(parser, "scenario")
    parser.add_argument(
        "--also",
        choices=("bundled", "redis-server", "redis-server-if-installed"),
        default=None,
        metavar="TARGET",
        help="run the same scenarios on this target too; the index shows both verdicts side by side "
        "(redis-server-if-installed: only when redis-server is on PATH)",
    )
    add_scenarios(parser)


def _say(text: str) -> None:
    print(text, flush=True)


def _table(run: RunResult, latest: bool = True) -> None:
    width = max([len(s.name) for s in run.scenarios] + [8])
    _say("")
    _say(f"{'scenario':<{width}}  {'verdict':<8}  {'time':>7}  expectations")
    for s in run.scenarios:
        met = sum(e.met for e in s.expectations)
        _say(f"{s.name:<{width}}  {VERDICT[s.verdict]:<8}  {s.duration_s:6.1f}s  {met}/{len(s.expectations)}")
    for s in run.scenarios:
        for e in s.unmet:
            _say(f"  ✘ {s.name} [{e.case}] expected {e.expected}; observed {_clip(e.observed)}")
        if s.error:
            for line in s.error.splitlines():
                _say(f"  ⚠ {s.name}: {line}")
            for case in s.cases:
                if case.error and case.log_tail:
                    _say(f"    server log of case {case.name} (last lines):")
                    for log_line in case.log_tail[-LOG_LINES:]:
                        _say(f"    | {log_line}")
    counts = run.counts
    _say(
        f"\n{counts['met']} met · {counts['unmet']} unmet · {counts['error']} error "
        f"on {run.target} in {run.duration_s:.1f} s" + (" — INTERRUPTED" if run.interrupted else "")
    )
    where = "also reports/latest" if latest else "its verdicts are a column of the other run's index"
    _say(f"report: {run.reports_dir}/  ({where})   evidence: {run.captures_dir}/")


def _clip(value: object, limit: int = 160) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(args: argparse.Namespace) -> int:
    from lab.errors import UserError
    from lab.scenario.lifecycle.peer import PeerFailed, PeerRun
    from lab.scenario.lifecycle.runner import run_all
    from lab.scenario.loader import DEFAULT_TAG, load_all, select
    from lab.scenario.report import write_junit
    from lab.scenario.results import RunResult

    if not (args.names or args.all or args.default or args.tag):
        raise UserError(
            "say what to run: scenario NAMEs, --default, --tag T or --all (`tlslab list` shows them)"
        )
    if args.names and (args.all or args.default or args.tag):
        raise UserError("give either scenario NAMEs or one of --all/--default/--tag, not both")
    catalogue = load_all(args.scenarios)
    tags = [DEFAULT_TAG] if args.default else args.tag
    chosen = select(catalogue, names=args.names, tags=tags, every=args.all)
    total = len(chosen)
    also = args.also
    if also == "redis-server-if-installed":
        also = "redis-server" if shutil.which("redis-server") else None
        if also is None:
            _say("redis-server is not installed: the bundled server's verdicts only")
    if also == args.target:
        raise UserError(f"--also {also} is the --target already; name the other one")
    if also is None:
        _say(f"tlslab run: {total} scenario(s) on the {args.target} target")
        result = run_all(chosen, args.out, args.target, *_progress("", total))
        peer: RunResult | None = None
        peer_failed = False
    else:
        # side by side: the other target in a process of its own, each line of progress naming its target
        _say(f"tlslab run: {total} scenario(s) on the {args.target} and the {also} target at once")
        other = PeerRun(chosen, args.out, also, *_progress(f"[{also}] ", total))
        got: dict[str, RunResult | PeerFailed] = {}

        def wait_peer(interrupted: bool) -> RunResult | None:
            try:
                got["peer"] = other.stop() if interrupted else other.result()
            except KeyboardInterrupt:
                got["peer"] = other.stop()
            done = got["peer"]
            if isinstance(done, PeerFailed):
                _say(f"tlslab run: the {also} run failed: {done.message}")
                return None
            _table(done, latest=False)
            return done

        try:
            result = run_all(chosen, args.out, args.target, *_progress(f"[{args.target}] ", total),
                             wait_peer=wait_peer)
        except BaseException:
            other.stop()
            raise
        done = got.get("peer")
        peer = done if isinstance(done, RunResult) else None
        peer_failed = peer is None
    _table(result)
    if args.junit is not None:
        _say(f"junit: {write_junit(result, args.junit)}")
    if result.interrupted or (peer is not None and peer.interrupted):
        print("tlslab run: interrupted; everything started was stopped.", file=sys.stderr)
        return 130
    return 0 if result.ok and not peer_failed and (peer is None or peer.ok) else 1


def _progress(prefix: str, total: int) -> tuple[Callable[[int, Scenario], None],
                                                Callable[[int, ScenarioResult], None], Callable[[str], None]]:
    """The progress lines of one run (on_start, on_done, note), each starting with `prefix`."""

    def on_start(i: int, s: Scenario) -> None:
        _say(f"{prefix}[{i + 1:>2}/{total}] {s.name}: {s.title}")

    def on_done(_i: int, r: ScenarioResult) -> None:
        _say(f"{prefix}        {VERDICT[r.verdict]}  {r.name} ({r.duration_s:.1f} s)")

    def note(message: str) -> None:
        _say(f"{prefix}        · {message}")

    return on_start, on_done, note
