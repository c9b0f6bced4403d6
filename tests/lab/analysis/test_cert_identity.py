"""The capture analysis names each certificate it saw by serial and SHA-256, like openssl does."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from lab.analysis.certs import cert_info
from lab.pki import LabPKI


def test_serial_and_fingerprint_identify_the_certificate(tmp_path: Path) -> None:
    pki = LabPKI.create(tmp_path)
    cert = x509.load_pem_x509_certificate(pki.server.cert.read_bytes())
    der = cert.public_bytes(Encoding.DER)
    info = cert_info(der, frame=7, visible_without_keys=True)
    assert info is not None
    assert info.serial == format(cert.serial_number, "x") and int(info.serial, 16) == cert.serial_number
    assert info.sha256 == hashlib.sha256(der).hexdigest()
    other = x509.load_pem_x509_certificate(pki.client.cert.read_bytes()).public_bytes(Encoding.DER)
    other_info = cert_info(other, frame=9, visible_without_keys=True)
    assert other_info is not None and (other_info.serial, other_info.sha256) != (info.serial, info.sha256)
