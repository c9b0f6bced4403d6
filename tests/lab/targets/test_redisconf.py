"""lab.targets.redisconf: the rendered config says what the spec says, and quoting survives odd values."""

from __future__ import annotations

from pathlib import Path

from lab.pki import CertFiles
from lab.targets import TargetSpec
from lab.targets.redisconf import Listen, quote, render


def _directives(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition(" ")
            out[name] = value
    return out


def test_plaintext_only_has_no_tls_lines(tmp_path: Path) -> None:
    conf = _directives(render(TargetSpec(), Listen("127.0.0.1", 7000, None), tmp_path, None, None))
    assert conf["port"] == "7000" and conf["bind"] == "127.0.0.1"
    assert conf["save"] == '""' and conf["appendonly"] == "no"
    assert not [k for k in conf if k.startswith("tls-")]


def test_tls_only_with_mtls_and_restrictions(tmp_path: Path) -> None:
    spec = TargetSpec(plaintext=False, tls=True, tls_auth_clients="yes", tls_protocols="TLSv1.3",
                      tls_ciphersuites="TLS_AES_128_GCM_SHA256", tls_session_caching=False,
                      requirepass='p"w d', appendonly=True, appendfsync="always",
                      users=("alice on >pw ~* +@all",), extra=(("maxclients", "50"),))
    cert = CertFiles(tmp_path / "s.crt", tmp_path / "s.key")
    text = render(spec, Listen("127.0.0.1", None, 7001), tmp_path, cert, tmp_path / "ca.crt")
    conf = _directives(text)
    assert conf["port"] == "0" and conf["tls-port"] == "7001"
    assert conf["tls-cert-file"] == str(cert.cert) and conf["tls-ca-cert-file"] == str(tmp_path / "ca.crt")
    assert conf["tls-auth-clients"] == "yes" and conf["tls-protocols"] == "TLSv1.3"
    assert conf["tls-session-caching"] == "no" and conf["requirepass"] == '"p\\"w d"'
    assert conf["appendfsync"] == "always" and conf["user"] == "alice on >pw ~* +@all"
    assert text.rstrip().endswith("maxclients 50")  # extra comes last so it overrides


def test_tls_without_files_leaves_them_out(tmp_path: Path) -> None:
    conf = _directives(render(TargetSpec(tls=True), Listen("127.0.0.1", 1, 2), tmp_path, None, None))
    assert "tls-cert-file" not in conf and "tls-ca-cert-file" not in conf and conf["tls-port"] == "2"


def test_quote() -> None:
    assert quote("plain") == "plain"
    assert quote("") == '""'
    assert quote("a b") == '"a b"'
    assert quote('x"\\\n#') == '"x\\"\\\\\\n#"'
    assert quote("a\x00\x7fé\u2028") == '"a\\x00\\x7fé\\xe2\\x80\\xa8"'
