"""Self-signed server certificates: clients can only trust them by pinning or by not verifying at all."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "cert-self-signed"


def check(ctx: CheckContext) -> list[Finding]:
    findings, seen = [], set()
    for s in ctx.tls_streams:
        cert = s.server_cert
        if cert is None or not cert.self_signed or (cert.subject, cert.not_after) in seen:
            continue
        seen.add((cert.subject, cert.not_after))
        findings.append(
            Finding(
                ID,
                "medium",
                f"self-signed server cert {cert.subject} on {s.server.host}:{s.server.port}",
                (cert.frame,),
                "clients either pin it or skip verification (tls-no-verify), and the latter lets any MITM in",
                "issue the server cert from a CA the clients trust (tls-ca-cert-file on clients)",
                s.stream,
            )
        )
    return findings
