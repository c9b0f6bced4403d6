"""Weak cipher suites: no encryption, export-grade, RC4, (3)DES, MD5, anonymous, or no forward secrecy."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding, Severity

ID = "weak-cipher"
BROKEN = ("_NULL_", "_EXPORT", "_RC4_", "_DES_", "_3DES_", "DES40", "_MD5", "_anon_", "_WITH_NULL")


def weakness(cipher: str) -> tuple[Severity, str] | None:
    """(severity, reason) for a weak IANA cipher suite name, None when it is fine."""
    if any(part in cipher for part in BROKEN):
        return "high", "broken or no encryption/authentication"
    if cipher.startswith("TLS_RSA_WITH_"):
        return "low", "RSA key exchange: no forward secrecy (a stolen server key decrypts old captures)"
    return None


def check(ctx: CheckContext) -> list[Finding]:
    findings = []
    for s in ctx.tls_streams:
        verdict = weakness(s.cipher) if s.cipher else None
        if verdict is not None:
            severity, reason = verdict
            findings.append(
                Finding(
                    ID,
                    severity,
                    f"weak cipher {s.cipher} on {s.server.host}:{s.server.port}",
                    (s.server_hello_frame,) if s.server_hello_frame else (),
                    reason,
                    'tls-ciphers "ECDHE+AESGCM:ECDHE+CHACHA20" and tls-protocols "TLSv1.2 TLSv1.3"',
                    s.stream,
                )
            )
    return findings
