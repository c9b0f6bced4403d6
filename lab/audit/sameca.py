"""A client certificate for another name, signed by the server's client CA: what any service of the same PKI
holds (no extendedKeyUsage, as many service certs have). Issued only when the user hands the audit that
CA's key (--ca-key), into a temporary directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lab.errors import UserError
from lab.pki import OTHER_HOST_NAME, CertFiles, _write_private


def issue_other_name(ca_cert: Path, ca_key: Path, directory: Path) -> CertFiles:
    try:
        ca = x509.load_pem_x509_certificate(ca_cert.read_bytes())
        signer = serialization.load_pem_private_key(ca_key.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UserError(
            f"cannot use --ca {ca_cert} with --ca-key {ca_key} to issue a test certificate: {exc}; "
            "pass the CA's PEM certificate and its unencrypted PEM key"
        ) from exc
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, OTHER_HOST_NAME)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(OTHER_HOST_NAME)]), critical=False)
        .sign(signer, hashes.SHA256())  # type: ignore[arg-type]
    )
    files = CertFiles(directory / "other-name.crt", directory / "other-name.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(
        files.key,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    return files
