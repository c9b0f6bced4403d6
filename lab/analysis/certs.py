"""Certificates from a handshake (DER, as tshark prints them) to CertInfo.

Any certificate a capture can hold must come out as data: a key type `cryptography` does not know (ML-DSA,
a vendor OID) gives a CertInfo with what could be read and a `parse_error`, never an exception.
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from lab.analysis.model import CertInfo


def _signed_by_own_key(cert: x509.Certificate) -> bool:
    try:
        key = cert.public_key()  # raises for key types cryptography does not support
        hash_alg = cert.signature_hash_algorithm
        if isinstance(key, ec.EllipticCurvePublicKey) and hash_alg is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hash_alg))
        elif isinstance(key, rsa.RSAPublicKey) and hash_alg is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hash_alg)
        elif isinstance(key, dsa.DSAPublicKey) and hash_alg is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, hash_alg)
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        else:
            return False
    except Exception:
        return False
    return True


def _key_type(cert: x509.Certificate) -> str:
    try:
        key = cert.public_key()
    except Exception:
        try:
            return f"unknown ({cert.public_key_algorithm_oid.dotted_string})"
        except Exception:
            return "unknown"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC-{key.curve.name}"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA-{key.key_size}"
    return type(key).__name__.removeprefix("_").removesuffix("PublicKey") or "unknown"


def cert_info(der: bytes, frame: int, visible_without_keys: bool) -> CertInfo | None:
    """None when the bytes are not a certificate at all (a truncated or mangled handshake)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except Exception:
        return None
    try:
        subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
        not_before, not_after = cert.not_valid_before_utc.isoformat(), cert.not_valid_after_utc.isoformat()
        same_name = cert.subject == cert.issuer
    except Exception as exc:
        return CertInfo(
            "", "", "", "", False, frame, visible_without_keys, "?", f"{type(exc).__name__}: {exc}"
        )
    return CertInfo(
        subject=subject,
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        self_signed=same_name and _signed_by_own_key(cert),
        frame=frame,
        visible_without_keys=visible_without_keys,
        key_type=_key_type(cert),
        serial=format(cert.serial_number, "x"),
        sha256=hashlib.sha256(der).hexdigest(),
    )
