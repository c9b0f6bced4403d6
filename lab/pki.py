"""Certificates for the lab: a small CA on `cryptography` that issues good and deliberately broken certs.

trustme-sized on purpose: one CA, leaf certs for servers (serverAuth) and clients (clientAuth), and the
named defects the scenarios need (each is a realistic way TLS goes wrong, see `Defect`).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# ec: ECDSA P-256; rsa: RSA-2048; rsa4096: RSA-4096 (the certificate-key axis of the handshake bench)
KeyType = Literal["ec", "rsa", "rsa4096"]
Purpose = Literal["server", "client"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

# Names used by the host defects; `.invalid` (RFC 2606) can never resolve to a real machine.
WRONG_HOST_NAME = "wrong-host.invalid"
OTHER_HOST_NAME = "other-service.lab.invalid"


class Defect(enum.Enum):
    """A named way a certificate is wrong. The value is a stable id for files, reports and JSON."""

    EXPIRED = "expired"  # not_after in the past
    NOT_YET_VALID = "not-yet-valid"  # not_before in the future
    WRONG_HOST = "wrong-host"  # the server's cert names another host (misissued / misconfigured)
    SELF_SIGNED = "self-signed"  # right names, but signed by its own key
    ROGUE_CA = "rogue-ca"  # right names, signed by a second CA the client does not trust
    # a genuine cert of the trusted CA, but for another service (what an attacker inside the PKI holds)
    SAME_CA_OTHER_HOST = "same-ca-other-host"
    WEAK_KEY = "weak-key"  # RSA-1024 leaf: below OpenSSL 3's security level 2
    NO_SERVER_AUTH_EKU = "no-server-auth-eku"  # extendedKeyUsage has clientAuth only
    # serverAuth and clientAuth, as many internal CAs issue every leaf: good for either end of a connection
    ANY_PURPOSE_EKU = "any-purpose-eku"


@dataclass(frozen=True)
class CertFiles:
    """Where a cert and its key were written (PEM)."""

    cert: Path
    key: Path


RSA_BITS: dict[str, int] = {"rsa": 2048, "rsa4096": 4096}


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type in RSA_BITS:
        return _rsa_key(RSA_BITS[key_type])
    raise ValueError(f"unknown key type {key_type!r}: use 'ec' (P-256), 'rsa' (2048) or 'rsa4096'")


def _rsa_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    """Create the file 0600 from the start (no window where the key is world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)  # the file may have existed with wider permissions


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def spki_pin(cert: bytes) -> str:
    """The SPKI pin of a certificate (PEM or DER): "sha256/<base64 of SHA-256 over SubjectPublicKeyInfo>".

    Same format as HPKP / curl's --pinnedpubkey, so pins can be compared with other tools.
    """
    parsed = x509.load_pem_x509_certificate(cert) if cert.lstrip().startswith(b"-----") else (
        x509.load_der_x509_certificate(cert)
    )
    spki = parsed.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256/" + base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


@dataclass(frozen=True)
class IssuedCert:
    """A leaf certificate with its private key and the PEM of whoever signed it."""

    cert: x509.Certificate
    private_key: PrivateKey
    issuer_pem: bytes  # the signing CA's cert (the leaf itself when self-signed)
    defect: Defect | None

    @cached_property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @cached_property
    def key_pem(self) -> bytes:
        return _key_pem(self.private_key)

    @property
    def pin(self) -> str:
        return spki_pin(self.cert_pem)

    def write(self, directory: Path, stem: str) -> CertFiles:
        """Write <stem>.crt and <stem>.key (0600) into directory (created if needed)."""
        directory.mkdir(parents=True, exist_ok=True)
        files = CertFiles(cert=directory / f"{stem}.crt", key=directory / f"{stem}.key")
        files.cert.write_bytes(self.cert_pem)
        _write_private(files.key, self.key_pem)
        return files

    def write_combined(self, path: Path) -> Path:
        """Cert and key in one PEM file (0600): the form mitmproxy's client_certs and some tools want."""
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, self.cert_pem + self.key_pem)
        return path


class CA:
    """A self-signed certificate authority that issues leaf certs (good or with a named defect)."""

    def __init__(self, name: str = "Redis TLS Lab CA", key_type: KeyType = "ec") -> None:
        self.name = name
        self.key_type: KeyType = key_type
        self.private_key = _new_key(key_type)
        subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Redis TLS Lab"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        public = self.private_key.public_key()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                              encipher_only=False, decipher_only=False),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.private_key, hashes.SHA256())
        )
        self._rogue: CA | None = None

    @cached_property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @cached_property
    def key_pem(self) -> bytes:
        return _key_pem(self.private_key)

    @property
    def rogue(self) -> CA:
        """The second CA that signs ROGUE_CA certs: same key type, a name of its own, trusted by nobody."""
        if self._rogue is None:
            self._rogue = CA(f"{self.name} (rogue)", self.key_type)
        return self._rogue

    def write(self, directory: Path, stem: str = "ca") -> Path:
        """Write <stem>.crt (and <stem>.key, 0600, so attacks can sign with it) and return the cert path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{stem}.crt"
        path.write_bytes(self.cert_pem)
        _write_private(directory / f"{stem}.key", self.key_pem)
        return path

    def issue(
        self,
        *names: str,
        purpose: Purpose = "server",
        defect: Defect | None = None,
        key_type: KeyType = "ec",
        valid_days: int = 365,
    ) -> IssuedCert:
        """Issue a leaf for DNS names and IP addresses (e.g. "localhost", "127.0.0.1"), optionally broken.

        The first name is also the subject CN. A client cert's names become its identity (CN = user name).
        """
        if not names:
            raise ValueError("issue() needs at least one DNS name or IP address")
        if purpose not in ("server", "client"):
            raise ValueError(f"unknown purpose {purpose!r}: use 'server' or 'client'")
        if valid_days < 1:
            raise ValueError(f"valid_days must be >= 1, got {valid_days}")
        if defect is Defect.ROGUE_CA:
            by_rogue = self.rogue.issue(*names, purpose=purpose, key_type=key_type, valid_days=valid_days)
            return IssuedCert(by_rogue.cert, by_rogue.private_key, by_rogue.issuer_pem, Defect.ROGUE_CA)
        if defect is Defect.WRONG_HOST:
            names = (WRONG_HOST_NAME,)
        elif defect is Defect.SAME_CA_OTHER_HOST:
            names = (OTHER_HOST_NAME,)

        key = _rsa_key(1024) if defect is Defect.WEAK_KEY else _new_key(key_type)
        now = _now()
        not_before, not_after = now - dt.timedelta(hours=1), now + dt.timedelta(days=valid_days)
        if defect is Defect.EXPIRED:
            not_before, not_after = now - dt.timedelta(days=30), now - dt.timedelta(days=1)
        elif defect is Defect.NOT_YET_VALID:
            not_before, not_after = now + dt.timedelta(days=1), now + dt.timedelta(days=1 + valid_days)

        if defect is Defect.ANY_PURPOSE_EKU:
            eku = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        elif purpose == "client" or defect is Defect.NO_SERVER_AUTH_EKU:
            eku = [ExtendedKeyUsageOID.CLIENT_AUTH]
        else:
            eku = [ExtendedKeyUsageOID.SERVER_AUTH]
        subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Redis TLS Lab"),
                             x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        self_signed = defect is Defect.SELF_SIGNED
        signer_key = key if self_signed else self.private_key
        public = key.public_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self.cert.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(digital_signature=True, content_commitment=False,
                              key_encipherment=isinstance(key, rsa.RSAPrivateKey), data_encipherment=False,
                              key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
            .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        if not self_signed:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.private_key.public_key())
            builder = builder.add_extension(aki, critical=False)
        cert = builder.sign(signer_key, hashes.SHA256())
        issuer_pem = cert.public_bytes(serialization.Encoding.PEM) if self_signed else self.cert_pem
        return IssuedCert(cert, key, issuer_pem, defect)


SERVER_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1")
CLIENT_NAME = "lab-client"


@dataclass(frozen=True)
class LabPKI:
    """The usual set under one directory: CA, a server cert for localhost/127.0.0.1, and a client cert."""

    dir: Path
    ca: CA
    ca_cert: Path
    server: CertFiles
    client: CertFiles
    server_pin: str

    @classmethod
    def create(cls, directory: Path, key_type: KeyType = "ec") -> LabPKI:
        ca = CA(key_type=key_type)
        server = ca.issue(*SERVER_NAMES, purpose="server", key_type=key_type)
        client = ca.issue(CLIENT_NAME, purpose="client", key_type=key_type)
        return cls(
            dir=directory,
            ca=ca,
            ca_cert=ca.write(directory),
            server=server.write(directory, "server"),
            client=client.write(directory, "client"),
            server_pin=server.pin,
        )

    def server_with(self, defect: Defect, key_type: KeyType = "ec") -> CertFiles:
        """Issue a server cert for the usual names with the defect; write it as server-<defect>.{crt,key}."""
        cert = self.ca.issue(*SERVER_NAMES, purpose="server", defect=defect, key_type=key_type)
        return cert.write(self.dir, f"server-{defect.value}")

    def issue(self, stem: str, names: Sequence[str], purpose: Purpose = "server",
              defect: Defect | None = None, key_type: KeyType = "ec") -> CertFiles:
        """Issue any extra leaf from this PKI's CA and write it as <stem>.{crt,key}."""
        return self.ca.issue(*names, purpose=purpose, defect=defect, key_type=key_type).write(self.dir, stem)
