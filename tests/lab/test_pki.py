"""lab.pki: certs are what they claim, and each defect fails a real OpenSSL handshake for its own reason."""

from __future__ import annotations

import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from lab.pki import CA, OTHER_HOST_NAME, WRONG_HOST_NAME, CertFiles, Defect, LabPKI, spki_pin


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


def _handshake(
    server: CertFiles, client_ctx: ssl.SSLContext, server_ctx: ssl.SSLContext | None = None
) -> str:
    """One real TLS handshake over loopback; returns "ok" or the client's verification error text."""
    if server_ctx is None:
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(server.cert, server.key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(3)
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
            try:
                with client_ctx.wrap_socket(raw, server_hostname="localhost"):
                    return "ok"
            except ssl.SSLCertVerificationError as exc:
                return str(exc.verify_message)
    finally:
        thread.join(timeout=5)
        listener.close()


def _verifying(ca_cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_cert))


def test_usual_set_files_and_permissions(pki: LabPKI) -> None:
    for key in (pki.server.key, pki.client.key, pki.dir / "ca.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    server = x509.load_pem_x509_certificate(pki.server.cert.read_bytes())
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    server_key = server.public_key()
    assert isinstance(server_key, ec.EllipticCurvePublicKey) and server_key.curve.name == "secp256r1"
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    client = x509.load_pem_x509_certificate(pki.client.cert.read_bytes())
    assert list(client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]


def test_rewriting_a_key_tightens_existing_permissions(tmp_path: Path) -> None:
    leaf = CA().issue("localhost")
    (tmp_path / "s.key").write_bytes(b"old")
    (tmp_path / "s.key").chmod(0o644)
    files = leaf.write(tmp_path, "s")
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert files.key.read_bytes() == leaf.key_pem


def test_good_server_cert_passes_full_verification(pki: LabPKI) -> None:
    assert _handshake(pki.server, _verifying(pki.ca_cert)) == "ok"


@pytest.mark.parametrize(
    ("defect", "verify_message"),
    [
        (Defect.EXPIRED, "certificate has expired"),
        (Defect.NOT_YET_VALID, "certificate is not yet valid"),
        (Defect.WRONG_HOST, "Hostname mismatch, certificate is not valid for 'localhost'."),
        (Defect.SELF_SIGNED, "self-signed certificate"),
        (Defect.ROGUE_CA, "unable to get local issuer certificate"),
        (Defect.SAME_CA_OTHER_HOST, "Hostname mismatch, certificate is not valid for 'localhost'."),
        (Defect.NO_SERVER_AUTH_EKU, "unsuitable certificate purpose"),
    ],
)
def test_each_defect_fails_verification_for_its_own_reason(
    pki: LabPKI, defect: Defect, verify_message: str
) -> None:
    files = pki.server_with(defect)
    assert _handshake(files, _verifying(pki.ca_cert)) == verify_message


def test_host_defects_keep_the_chain_valid(pki: LabPKI) -> None:
    """Both host defects are genuine certs of our CA: a chain-only client accepts them (the MITM risk)."""
    chain_only = _verifying(pki.ca_cert)
    chain_only.check_hostname = False
    for defect, name in ((Defect.WRONG_HOST, WRONG_HOST_NAME), (Defect.SAME_CA_OTHER_HOST, OTHER_HOST_NAME)):
        files = pki.server_with(defect)
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName
        ) == [name]
        assert _handshake(files, chain_only) == "ok"


def test_weak_key_is_refused_by_openssl3_at_security_level_2(pki: LabPKI) -> None:
    files = pki.server_with(Defect.WEAK_KEY)
    key = x509.load_pem_x509_certificate(files.cert.read_bytes()).public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 1024
    # Python's contexts run at OpenSSL security level 2 (112-bit): a server cannot even load the cert...
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    assert server_ctx.security_level == 2
    with pytest.raises(ssl.SSLError, match="EE_KEY_TOO_SMALL"):
        server_ctx.load_cert_chain(files.cert, files.key)
    # ...and a server lowered to level 1 serves it, but a verifying level-2 client refuses the chain.
    server_ctx.set_ciphers("DEFAULT:@SECLEVEL=1")
    server_ctx.load_cert_chain(files.cert, files.key)
    assert _handshake(files, _verifying(pki.ca_cert), server_ctx) == "EE certificate key too weak"


def test_rsa_and_rogue_ca(tmp_path: Path) -> None:
    ca = CA("Test CA", key_type="rsa")
    key = ca.issue("localhost", key_type="rsa").cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    rogue = ca.issue("localhost", defect=Defect.ROGUE_CA)
    assert rogue.cert.issuer != ca.cert.subject
    assert rogue.issuer_pem == ca.rogue.cert_pem != ca.cert_pem
    assert ca.rogue is ca.rogue  # one rogue CA per CA: every rogue cert chains to the same attacker root


def test_rsa_4096_leaf_serves_a_verified_handshake(tmp_path: Path) -> None:
    pki = LabPKI.create(tmp_path, key_type="rsa4096")
    key = x509.load_pem_x509_certificate(pki.server.cert.read_bytes()).public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 4096
    assert isinstance(pki.ca.private_key, rsa.RSAPrivateKey) and pki.ca.private_key.key_size == 4096
    # the default ec CA issues an RSA-4096 leaf too: the key type is per certificate
    leaf = CA().issue("localhost", key_type="rsa4096").cert.public_key()
    assert isinstance(leaf, rsa.RSAPublicKey) and leaf.key_size == 4096
    assert _handshake(pki.server, _verifying(pki.ca_cert)) == "ok"


def test_self_signed_is_its_own_issuer() -> None:
    leaf = CA().issue("localhost", defect=Defect.SELF_SIGNED)
    assert leaf.cert.issuer == leaf.cert.subject
    assert leaf.issuer_pem == leaf.cert_pem


def test_spki_pin_is_stable_across_pem_der_and_reissue() -> None:
    ca = CA()
    leaf = ca.issue("localhost")
    from cryptography.hazmat.primitives.serialization import Encoding

    assert spki_pin(leaf.cert_pem) == spki_pin(leaf.cert.public_bytes(Encoding.DER)) == leaf.pin
    assert leaf.pin.startswith("sha256/") and len(leaf.pin) == len("sha256/") + 44
    assert ca.issue("localhost").pin != leaf.pin  # a new key, a new pin


def test_bad_arguments_are_named() -> None:
    ca = CA()
    with pytest.raises(ValueError, match="at least one"):
        ca.issue()
    with pytest.raises(ValueError, match="purpose"):
        ca.issue("localhost", purpose="peer")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="key type"):
        CA(key_type="dsa")  # type: ignore[arg-type]
