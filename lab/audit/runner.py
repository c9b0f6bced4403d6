"""audit(...) → AuditReport: gather the facts (TLS scan, Redis probes, config file), run every check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lab.audit import pqprobe, redisprobe, tlsscan
from lab.audit.canames import ca_names
from lab.audit.checks import run_checks
from lab.audit.checks.base import AuditContext
from lab.audit.conffacts import read_config
from lab.audit.endpoint import (
    Endpoint,
    parse_endpoint,
    require_client_files,
    require_listening,
    require_owned,
)
from lab.audit.model import AuditReport
from lab.audit.sameca import issue_other_name
from lab.errors import UserError
from lab.jsonable import plain

DEFAULT_PLAINTEXT_PORT = 6379


@dataclass(frozen=True)
class AuditOptions:
    """Everything `tlslab audit` takes, as one typed value (the CLI maps its --options onto these fields)."""

    endpoint: str | None = None
    config: Path | None = None
    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    name: str | None = None
    password: str | None = None
    user: str | None = None
    plain_port: tuple[int, ...] = ()
    ca_key: Path | None = None
    no_tls: bool = False  # the endpoint is a plaintext port (audit it as such, no TLS scan)
    i_own_this_network: bool = False


def _check_files(options: AuditOptions) -> None:
    for label, path in (
        ("--ca", options.ca),
        ("--cert", options.cert),
        ("--key", options.key),
        ("--ca-key", options.ca_key),
        ("--config", options.config),
    ):
        if path is not None and not path.is_file():
            what = "a folder" if path.is_dir() else "no such file"
            wanted = "the redis.conf to audit" if label == "--config" else "an existing PEM file"
            raise UserError(f"{label} {path}: {what}; pass {wanted}")
    if options.key is not None and options.cert is None:
        raise UserError("--key without --cert: pass the client certificate too")
    if options.ca_key is not None and options.ca is None:
        raise UserError("--ca-key needs --ca (the certificate of that CA)")
    require_client_files(options.ca, options.cert, options.key)
    if options.endpoint is None and options.config is None:
        raise UserError("nothing to audit: give HOST:PORT, --config redis.conf, or both")


def audit(options: AuditOptions, now: dt.datetime | None = None) -> AuditReport:
    started = time.monotonic()
    _check_files(options)
    when = now or dt.datetime.now(dt.UTC)
    endpoint: Endpoint | None = None
    if options.endpoint is not None:
        endpoint = parse_endpoint(options.endpoint)
        require_owned(endpoint, options.i_own_this_network)
        require_listening(endpoint)
    conf = read_config(options.config, when) if options.config is not None else None
    tls = redis = pq = None
    errors: list[str] = []
    names: tuple[str, ...] = ()
    if endpoint is not None:
        if not options.no_tls:
            tls = tlsscan.scan(endpoint, options.name, options.ca, options.cert, options.key, when)
            if not tls.reachable:
                errors.append(f"TLS scan: {tls.error}")
            else:
                names, err = ca_names(endpoint, options.name, options.cert, options.key)
                errors += [f"CA names: {err}"] if err else []
                pq = pqprobe.probe(endpoint, options.name)
                errors += [f"post-quantum probe: {pq.error}"] if pq.error else []
            errors += [f"TLS scan, {e}" for e in tls.errors]
        ports = tuple(dict.fromkeys((*options.plain_port, DEFAULT_PLAINTEXT_PORT)))
        with tempfile.TemporaryDirectory(prefix="tlslab-audit-") as tmp:
            other = None
            if options.ca is not None and options.ca_key is not None:
                files = issue_other_name(options.ca, options.ca_key, Path(tmp))
                other = (files.cert, files.key)
            redis = redisprobe.probe(
                endpoint,
                tls=tls is not None and tls.reachable,
                server_name=options.name,
                ca_file=options.ca,
                cert=options.cert,
                key=options.key,
                plaintext_ports=ports,
                password=options.password,
                user=options.user,
                same_ca=other,
            )
    ctx = AuditContext(endpoint, options.name, tls, redis, conf, when, pq)
    checks = run_checks(ctx)
    facts = {"tls": tls, "client_ca_names": names, "post_quantum": pq, "redis": redis, "config": conf}
    target = " + ".join(str(t) for t in (endpoint, options.config) if t is not None)
    return AuditReport(
        target=target,
        facts=plain(
            {k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for k, v in facts.items()}
        ),
        checks=checks,
        seconds=time.monotonic() - started,
        errors=tuple(errors),
    )
