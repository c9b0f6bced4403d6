"""`tlslab netlab`: the lab network's housekeeping. `cleanup` removes what a crashed run left behind."""

from __future__ import annotations

import argparse

from lab.errors import UserError

HELP = "lab network housekeeping: `netlab cleanup` removes namespaces (and what runs in them) of dead runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("cleanup", help="remove the namespaces, interfaces, nft tables and processes of lab "
                       "runs whose owner is gone (live runs are spared)")


def run(args: argparse.Namespace) -> int:
    from lab.netlab.namespaces import can_build
    from lab.netlab.stale import cleanup_stale

    reason = can_build()
    if reason is not None:
        raise UserError(f"cannot clean up lab namespaces: {reason}")
    removed = cleanup_stale()
    for r in removed:
        print(f"removed run {r.run_id}: {len(r.namespaces)} namespace(s) ({', '.join(r.namespaces)}), "
              f"{len(r.processes)} process(es) killed")
    print(f"{len(removed)} stale run(s) removed" if removed
          else "nothing stale: no lab namespace of a dead run")
    return 0
