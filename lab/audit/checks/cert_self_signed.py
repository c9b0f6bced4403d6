"""The server certificate is self-signed: every client must pin it or skip verification."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext, cert_fix, server_certs
from lab.audit.model import AuditFinding

ID = "cert-self-signed"


def check(ctx: AuditContext) -> list[AuditFinding]:
    return [
        AuditFinding(
            ID,
            "medium",
            "the server certificate is self-signed",
            f"{where}: {cert.subject}",
            "no CA can revoke or rotate it; clients end up with verification off",
            cert_fix(ctx),
            source,
        )
        for source, cert, where in server_certs(ctx)
        if cert.self_signed
    ]
