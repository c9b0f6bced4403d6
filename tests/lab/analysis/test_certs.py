"""lab.analysis.certs: subject, issuer, validity and self-signature from DER, with lab.pki certs."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from lab.analysis.certs import cert_info
from lab.pki import CA, Defect


def der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def test_ca_issued_and_self_signed_leaves() -> None:
    ca = CA(key_type="rsa")
    good = cert_info(der(ca.issue("localhost").cert_pem), frame=5, visible_without_keys=True)
    assert good is not None and "CN=localhost" in good.subject and "Redis TLS Lab CA" in good.issuer
    assert not good.self_signed and good.frame == 5 and good.not_before < good.not_after
    selfie = cert_info(der(ca.issue("localhost", defect=Defect.SELF_SIGNED).cert_pem), 1, False)
    assert selfie is not None and selfie.self_signed and not selfie.visible_without_keys
    rsa_selfie = cert_info(der(CA(key_type="rsa").issue("h", defect=Defect.SELF_SIGNED).cert_pem), 1, True)
    assert rsa_selfie is not None and rsa_selfie.self_signed


def test_garbage_is_not_a_certificate() -> None:
    assert cert_info(b"\x30\x03\x02\x01\x00", 1, True) is None
