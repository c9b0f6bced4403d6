"""`tlslab audit`: audit your own Redis: a live server (TLS via sslyze, Redis probes), a redis.conf."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from lab.cli.options import (
    add_client_cert,
    add_fail_on,
    add_junit,
    add_own_network,
    add_report_files,
    json_out,
    output_file,
    port,
)

if TYPE_CHECKING:
    from lab.audit import AuditReport

HELP = "audit your own Redis: a live HOST:PORT (TLS, mTLS, AUTH, plaintext ports) and/or a redis.conf"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "endpoint",
        nargs="?",
        metavar="HOST:PORT",
        help="the server's TLS port (or plaintext with --no-tls); loopback only unless --i-own-this-network",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="REDIS_CONF",
        help="audit this redis.conf (no server "
        "needed); with HOST:PORT also what differs between the file and the server",
    )
    add_client_cert(parser)
    parser.add_argument("--name", metavar="SNI", help="the name clients connect to (SNI and hostname check)")
    parser.add_argument(
        "--password",
        help="AUTH password: lets the audit read CONFIG/INFO as the operator (never written to the report)",
    )
    parser.add_argument("--user", help="ACL user name for --password")
    parser.add_argument(
        "--plain-port",
        type=port,
        action="append",
        default=[],
        metavar="N",
        help="also probe this plaintext port on the same host (repeatable; 6379 always is)",
    )
    parser.add_argument(
        "--ca-key",
        type=Path,
        metavar="F",
        help="the --ca key: the audit issues a cert for another name and tries it as a client certificate",
    )
    parser.add_argument("--no-tls", action="store_true", help="HOST:PORT is a plaintext port")
    add_own_network(parser)
    add_report_files(parser)
    add_junit(parser, "check")
    parser.add_argument(
        "--fixed-config",
        type=output_file,
        metavar="OUT",
        help="with --config: write the file with every fix line appended (start it, audit it again)",
    )
    add_fail_on(parser)


def render(report: AuditReport) -> str:
    from lab.audit.output import render as text

    return text(report)


def options_from(args: argparse.Namespace) -> dict[str, object]:
    """The argparse names are AuditOptions' field names (`--plain-port` is plain_port)."""
    import dataclasses

    from lab.audit import AuditOptions

    fields = {f.name for f in dataclasses.fields(AuditOptions)}
    values = {k: v for k, v in vars(args).items() if k in fields}
    values["plain_port"] = tuple(values.get("plain_port") or ())
    return values


def run(args: argparse.Namespace) -> int:
    from lab.audit import AuditOptions, audit
    from lab.audit.output import junit
    from lab.errors import UserError

    report = audit(AuditOptions(**options_from(args)))  # type: ignore[arg-type]
    print(render(report))
    json_path = json_out(args)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        print(f"JSON report: {json_path}")
    if args.html is not None:
        from lab.report.audit_page import render_audit

        assert json_path is not None  # json_out() puts it beside the page
        print(f"HTML report: {render_audit(json_path, args.html)}")
    if args.junit is not None:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit(report))
        print(f"JUnit report: {args.junit}")
    if args.fixed_config is not None:
        if args.config is None:
            raise UserError("--fixed-config needs --config: the file the fixes are appended to")
        from lab.audit.prove import fixed_config

        text, actions = fixed_config(args.config.read_text(), report.findings)
        args.fixed_config.write_text(text)
        print(
            f"fixed config: {args.fixed_config}"
            + (f" (also do by hand: {'; '.join(actions)})" if actions else "")
        )
    if args.fail_on is not None and report.at_least(args.fail_on):
        return 1
    return 0
