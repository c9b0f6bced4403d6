from __future__ import annotations

from pathlib import Path

from cryptography import x509
from mitmproxy.certs import CertStore

from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.pki import OTHER_HOST_NAME, LabPKI


def _served(options: tuple[tuple[str, str], ...]) -> x509.Certificate:
    spec = dict(options)["certs"]
    assert spec.startswith("*=")
    return x509.load_pem_x509_certificate(Path(spec[2:]).read_bytes())


def test_every_source_prepares_what_mitmproxy_needs(pki: LabPKI, workdir: Path) -> None:
    for source in AttackerCert:
        attacker = prepare_attacker(source, pki, workdir)
        assert attacker.confdir.is_dir() and attacker.description
        assert attacker.presents_client_cert == (
            source in (AttackerCert.STOLEN_CLIENT_CERT, AttackerCert.SAME_CA_ANY_PURPOSE))


def test_rogue_ca_is_loaded_by_mitmproxy_as_its_signing_ca(pki: LabPKI, workdir: Path) -> None:
    attacker = prepare_attacker(AttackerCert.ROGUE_CA, pki, workdir)
    store = CertStore.from_store(attacker.confdir, "mitmproxy", 2048)
    assert store.default_ca.cn == pki.ca.rogue.name
    assert (attacker.confdir / "mitmproxy-ca.pem").stat().st_mode & 0o077 == 0


def test_same_ca_cert_is_genuine_but_for_another_host(pki: LabPKI, workdir: Path) -> None:
    cert = _served(prepare_attacker(AttackerCert.SAME_CA_OTHER_HOST, pki, workdir).options)
    assert cert.issuer == pki.ca.cert.subject
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    assert names == [OTHER_HOST_NAME]


def test_the_any_purpose_same_ca_cert_serves_both_ends(pki: LabPKI, workdir: Path) -> None:
    attacker = prepare_attacker(AttackerCert.SAME_CA_ANY_PURPOSE, pki, workdir)
    cert = _served(attacker.options)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH}
    assert cert.issuer == pki.ca.cert.subject
    served = dict(attacker.options)["certs"].split("=", 1)[1]
    assert dict(attacker.options)["client_certs"] == served  # the same cert goes upstream


def test_stolen_client_cert_is_the_victims(pki: LabPKI, workdir: Path) -> None:
    attacker = prepare_attacker(AttackerCert.STOLEN_CLIENT_CERT, pki, workdir)
    stolen = Path(dict(attacker.options)["client_certs"]).read_bytes()
    assert pki.client.cert.read_bytes() in stolen and pki.client.key.read_bytes() in stolen
