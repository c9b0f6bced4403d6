"""TLS compression (CRIME) and renegotiation: insecure, or client-initiated accepted (a DoS lever)."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditFinding, Source

ID = "tls-compression-renegotiation"


def check(ctx: AuditContext) -> list[AuditFinding]:
    tls = ctx.live_tls
    if tls is None:
        return []
    out = []
    if tls.compression:
        out.append(
            AuditFinding(
                ID,
                "high",
                "the server accepts TLS compression",
                "sslyze: compression accepted",
                "CRIME: compressed records leak secrets by their length",
                ("build Redis against OpenSSL 1.1+ (compression is off there)",),
                Source.LIVE,
            )
        )
    if tls.secure_renegotiation is False:
        out.append(
            AuditFinding(
                ID,
                "high",
                "no secure renegotiation (RFC 5746)",
                "sslyze: not supported",
                "an attacker can splice its own bytes in front of a client's session",
                ("build Redis against a current OpenSSL",),
                Source.LIVE,
            )
        )
    if tls.client_renegotiation:
        out.append(
            AuditFinding(
                ID,
                "medium",
                "client-initiated renegotiation is accepted",
                "sslyze renegotiated repeatedly on one connection",
                "each renegotiation costs the server a handshake: a cheap DoS",
                ("build Redis against a current OpenSSL",),
                Source.LIVE,
            )
        )
    return out
