"""Weak cipher suites accepted (live) or allowed by tls-ciphers (config, as OpenSSL here expands it)."""

from __future__ import annotations

import ssl

from lab.analysis.checks.weak_cipher import weakness
from lab.analysis.model import Severity
from lab.audit.checks.base import AuditContext
from lab.audit.model import SEVERITIES, AuditFinding, Source

ID = "weak-cipher"
FIX = ('tls-ciphers "ECDHE+AESGCM:ECDHE+CHACHA20"',)
_BROKEN_OPENSSL = ("NULL", "RC4", "DES", "EXP", "MD5", "ADH", "AECDH", "aNULL", "eNULL")


def openssl_weakness(cipher: dict[str, object]) -> tuple[Severity, str] | None:
    """Python's `SSLContext.get_ciphers()` entry judged as `weakness` judges IANA names."""
    name = str(cipher.get("name", ""))
    if any(part in name.split("-") for part in _BROKEN_OPENSSL) or cipher.get("symmetric") in (None, "null"):
        return "high", "broken or no encryption/authentication"
    if cipher.get("kea") == "kx-rsa":
        return "low", "RSA key exchange: no forward secrecy (a stolen server key decrypts old captures)"
    return None


def _grouped(
    verdicts: dict[str, tuple[Severity, str]], source: Source, observed: str, what: str
) -> list[AuditFinding]:
    out = []
    for severity in reversed(SEVERITIES):
        names = sorted(n for n, (s, _) in verdicts.items() if s == severity)
        if names:
            reasons = sorted({r for n, (s, r) in verdicts.items() if s == severity})
            out.append(
                AuditFinding(
                    ID,
                    severity,
                    f"{what} {len(names)} weak cipher suite(s): {', '.join(names)}",
                    observed,
                    "; ".join(reasons),
                    FIX,
                    source,
                )
            )
    return out


def expand(cipher_string: str) -> list[dict[str, object]]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers(cipher_string)
    return [c for c in ctx.get_ciphers() if c.get("protocol") != "TLSv1.3"]  # type: ignore[misc]


def check(ctx: AuditContext) -> list[AuditFinding]:
    out: list[AuditFinding] = []
    tls = ctx.live_tls
    if tls is not None:
        verdicts = {c: v for p in tls.protocols for c in p.ciphers if (v := weakness(c)) is not None}
        accepted = ", ".join(f"{p.version}: {len(p.ciphers)}" for p in tls.protocols if p.ciphers)
        out += _grouped(
            verdicts,
            Source.LIVE,
            f"sslyze handshakes accepted per version ({accepted})",
            "the server accepts",
        )
    if ctx.conf is not None and ctx.tls_on_in_conf and ctx.conf.values["tls-ciphers"]:
        try:
            expanded = expand(ctx.conf.values["tls-ciphers"])
        except ssl.SSLError:
            return out  # OpenSSL matches no cipher: redis-server refuses to start, tls-file-problem says it
        verdicts = {str(c["name"]): v for c in expanded if (v := openssl_weakness(c)) is not None}
        out += _grouped(verdicts, Source.CONFIG, ctx.conf.at("tls-ciphers"), "tls-ciphers allows")
    return out
