"""An X.509 certificate reduced to the facts an audit judges: names, validity, key, signature, issuer."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from lab.analysis.certs import _signed_by_own_key


@dataclass(frozen=True)
class CertFacts:
    subject: str
    issuer: str
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses (the CN when there is no SAN)
    not_before: str  # ISO 8601, UTC
    not_after: str
    days_left: int  # at the time of the audit; negative once expired
    key_type: str  # "RSA", "EC", "Ed25519", ...
    key_bits: int
    signature: str  # hash of the signature ("sha256"), or the scheme for EdDSA
    self_signed: bool
    is_ca: bool


def _key(cert: x509.Certificate) -> tuple[str, int]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, 0


def _names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME))
    return tuple(san.get_values_for_type(x509.DNSName)) + tuple(
        str(ip) for ip in san.get_values_for_type(x509.IPAddress)
    )


def cert_facts(cert: x509.Certificate, now: dt.datetime) -> CertFacts:
    key_type, bits = _key(cert)
    hash_alg = cert.signature_hash_algorithm
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertFacts(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        names=_names(cert),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
        days_left=(cert.not_valid_after_utc - now).days,
        key_type=key_type,
        key_bits=bits,
        signature=hash_alg.name if hash_alg is not None else cert.signature_algorithm_oid._name,
        self_signed=cert.subject == cert.issuer and _signed_by_own_key(cert),
        is_ca=is_ca,
    )


def matches_name(facts: CertFacts, name: str) -> bool:
    """RFC 6125 matching as TLS clients do it: exact, or a wildcard for one leftmost label; IPs exactly."""
    try:
        wanted_ip = ipaddress.ip_address(name)
    except ValueError:
        wanted_ip = None
    for have in facts.names:
        if wanted_ip is not None:
            try:
                if ipaddress.ip_address(have) == wanted_ip:
                    return True
            except ValueError:
                continue
            continue
        have_l, name_l = have.lower().rstrip("."), name.lower().rstrip(".")
        if have_l == name_l:
            return True
        if have_l.startswith("*.") and "." in name_l and name_l.split(".", 1)[1] == have_l[2:]:
            return True
    return False


def load_pem_chain(data: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(data)
