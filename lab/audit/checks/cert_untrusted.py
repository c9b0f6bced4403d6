"""The chain the server sends does not verify against the CA its clients are given (--ca)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext, cert_fix
from lab.audit.model import AuditFinding, Source

ID = "cert-untrusted"


def check(ctx: AuditContext) -> list[AuditFinding]:
    tls = ctx.live_tls
    if tls is None or tls.chain_trusted is not False:
        return []
    subjects = " <- ".join(c.subject for c in tls.chain)
    return [
        AuditFinding(
            ID,
            "high",
            "the server's chain does not verify against the given CA",
            f"chain {subjects}: {tls.trust_error}",
            "a verifying client refuses it; clients told to skip verification accept any MITM",
            cert_fix(ctx),
            Source.LIVE,
        )
    ]
