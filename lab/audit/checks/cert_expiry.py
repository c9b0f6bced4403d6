"""The server certificate is expired, not yet valid, or expires within EXPIRY_WARN_DAYS."""

from __future__ import annotations

import datetime as dt

from lab.audit.checks.base import EXPIRY_WARN_DAYS, AuditContext, cert_fix, server_certs
from lab.audit.model import AuditFinding

ID = "cert-expiry"


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    for source, cert, where in server_certs(ctx):
        seen = f"{where}: {cert.subject}, valid {cert.not_before} to {cert.not_after}"
        if dt.datetime.fromisoformat(cert.not_before) > ctx.now:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    "the server certificate is not valid yet",
                    seen,
                    "verifying clients refuse it; a clock or issuing mistake",
                    cert_fix(ctx),
                    source,
                )
            )
        elif cert.days_left < 0:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"the server certificate expired {-cert.days_left} day(s) ago",
                    seen,
                    "verifying clients refuse it, so clients get told to stop verifying",
                    cert_fix(ctx),
                    source,
                )
            )
        elif cert.days_left < EXPIRY_WARN_DAYS:
            out.append(
                AuditFinding(
                    ID,
                    "medium",
                    f"the server certificate expires in {cert.days_left} day(s)",
                    seen,
                    "when it expires every verifying client stops connecting; renew before",
                    cert_fix(ctx),
                    source,
                )
            )
    return out
