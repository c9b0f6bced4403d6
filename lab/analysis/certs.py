"""Certificates from a handshake (DER, as tshark prints them) to CertInfo."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from lab.analysis.model import CertInfo


def _signed_by_own_key(cert: x509.Certificate) -> bool:
    key = cert.public_key()
    hash_alg = cert.signature_hash_algorithm
    try:
        if isinstance(key, ec.EllipticCurvePublicKey) and hash_alg is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hash_alg))
        elif isinstance(key, rsa.RSAPublicKey) and hash_alg is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hash_alg)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def cert_info(der: bytes, frame: int, visible_without_keys: bool) -> CertInfo | None:
    """None when the bytes are not a certificate (a truncated or mangled handshake)."""
    try:
        cert = x509.load_der_x509_certificate(der)
        subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
        not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    except ValueError:
        return None
    return CertInfo(
        subject=subject,
        issuer=issuer,
        not_before=not_before.isoformat(),
        not_after=not_after.isoformat(),
        self_signed=cert.subject == cert.issuer and _signed_by_own_key(cert),
        frame=frame,
        visible_without_keys=visible_without_keys,
    )
