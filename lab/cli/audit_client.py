"""`tlslab audit-client -- CMD ...`: does your client verify the server? Run against the lab's rogue Redis."""

from __future__ import annotations

import argparse
import json

from lab.cli.options import output_file, seconds

HELP = "grade a client's certificate checking: run CMD ({port} {ca} {host}) against a rogue Redis per defect"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", type=output_file, metavar="OUT", help="write the grading as JSON")
    parser.add_argument(
        "--timeout", type=seconds, default=15.0, metavar="S", help="per run of CMD (default 15)"
    )
    parser.add_argument(
        "cmd",
        nargs=argparse.REMAINDER,
        metavar="-- CMD ...",
        help="the client command, e.g. -- redis-cli --tls --cacert {ca} -p {port} -a pw PING",
    )


def run(args: argparse.Namespace) -> int:
    from lab.audit.clientaudit import Case, client
    from lab.audit.output import table

    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    result = client(cmd, timeout=args.timeout)
    rows = [("case", "verdict", "sent", "password given away", "server saw")]
    for c in result.cases:
        verdict = (
            ("works" if c.accepted else "FAILED to connect")
            if c.case is Case.GOOD
            else ("ACCEPTED (forged connection)" if c.accepted else "refused")
        )
        sent = ", ".join(" ".join(a[:1]) for a in c.commands[:4]) or "-"
        rows.append((c.case.value, verdict, sent, c.password or "-", c.error[:70] or "-"))
    print(f"client audit of: {result.command}\n\n{table(rows)}\n")
    good = next((c for c in result.cases if c.case is Case.GOOD), None)
    if good is not None and not good.accepted:
        print(
            f"the client did not connect even to the good server: check the command (output: {good.output!r})"
        )
    print(
        "verdict: the client verifies the server"
        if result.verifies
        else f"verdict: the client accepted {len(set(result.accepted) - {Case.GOOD})} forged server(s)"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
        print(f"JSON report: {args.json}")
    return 0 if result.verifies else 1
