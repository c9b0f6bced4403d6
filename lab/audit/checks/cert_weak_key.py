"""The server certificate's key is too small (RSA < 2048, EC < 256 bits) or signed with SHA-1/MD5."""

from __future__ import annotations

from lab.audit.checks.base import AuditContext, cert_fix, server_certs
from lab.audit.model import AuditFinding

ID = "cert-weak-key"
WEAK_SIGNATURES = ("md5", "sha1")


def check(ctx: AuditContext) -> list[AuditFinding]:
    out = []
    for source, cert, where in server_certs(ctx):
        small = (cert.key_type == "RSA" and cert.key_bits < 2048) or (
            cert.key_type.startswith("EC") and cert.key_bits < 256
        )
        if small:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"the server key is {cert.key_type} {cert.key_bits} bits",
                    f"{where}: {cert.subject}",
                    "below 112-bit security: factorable or refused by OpenSSL 3's default security level",
                    cert_fix(ctx),
                    source,
                )
            )
        if cert.signature in WEAK_SIGNATURES:
            out.append(
                AuditFinding(
                    ID,
                    "high",
                    f"the server certificate is signed with {cert.signature}",
                    f"{where}: {cert.subject}",
                    "collisions let an attacker forge a certificate",
                    cert_fix(ctx),
                    source,
                )
            )
    return out
