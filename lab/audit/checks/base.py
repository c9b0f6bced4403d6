"""What every audit check gets: the facts of a live server, of a config file, or both.

A check is a module with ID and `check(ctx) -> Sequence[AuditFinding]`; it judges each source it has
facts for and says nothing about a source it has none for (an empty list is never a finding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lab.audit.certfacts import CertFacts
from lab.audit.conffacts import ConfFacts
from lab.audit.endpoint import Endpoint
from lab.audit.model import Source
from lab.audit.pqprobe import PqFacts
from lab.audit.redisprobe import RedisFacts
from lab.audit.tlsscan import TlsFacts

EXPIRY_WARN_DAYS = 30


@dataclass(frozen=True)
class AuditContext:
    endpoint: Endpoint | None
    server_name: str | None  # the name clients use (SNI, hostname check)
    tls: TlsFacts | None  # None: no TLS scan (config-only audit, or a plaintext endpoint)
    redis: RedisFacts | None
    conf: ConfFacts | None
    now: dt.datetime
    pq: PqFacts | None = None

    @property
    def tls_on_in_conf(self) -> bool:
        return self.conf is not None and self.conf.values["tls-port"] != "0"

    @property
    def live_tls(self) -> TlsFacts | None:
        return self.tls if self.tls is not None and self.tls.reachable else None


def server_certs(ctx: AuditContext) -> list[tuple[Source, CertFacts, str]]:
    """The server's leaf certificate from each source: (source, facts, where it was seen)."""
    out = []
    tls = ctx.live_tls
    if tls is not None and tls.leaf is not None:
        out.append((Source.LIVE, tls.leaf, f"leaf certificate sent by {ctx.endpoint}"))
    if ctx.conf is not None:
        for f in ctx.conf.files:
            if f.directive == "tls-cert-file" and f.cert is not None:
                out.append((Source.CONFIG, f.cert, ctx.conf.at("tls-cert-file")))
    return out


def cert_fix(ctx: AuditContext) -> tuple[str, ...]:
    """Issue a new leaf and point Redis at it (CONFIG SET of the same directives reloads the files)."""
    cert = ctx.conf.values["tls-cert-file"] if ctx.conf is not None else ""
    key = ctx.conf.values["tls-key-file"] if ctx.conf is not None else ""
    return (
        f"tls-cert-file {cert or '/etc/redis/tls/redis.crt'}",
        f"tls-key-file {key or '/etc/redis/tls/redis.key'}",
    )
