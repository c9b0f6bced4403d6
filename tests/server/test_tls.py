"""server.tls (+ tls_native): contexts from config, Redis's refusals, real handshakes, reload."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from lab.pki import LabPKI
from server import tls_native
from server.config import Config, ConfigSetError
from server.tls import ServerTls, TlsConfigError, build_server_context
from tests.conftest import require_tool


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPKI:
    return LabPKI.create(tmp_path_factory.mktemp("pki"))


def _cfg(pki: LabPKI, *argv: str) -> Config:
    base = ["--port", "0", "--tls-port", "1", "--tls-cert-file", str(pki.server.cert)]
    base += ["--tls-key-file", str(pki.server.key), "--tls-ca-cert-file", str(pki.ca_cert)]
    return Config.load(None, [*base, *argv])


@contextmanager
def tls_server(tls: ServerTls) -> Iterator[int]:
    """A loopback TLS echo server that, like net, reads `tls.context` at accept time."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=echo, args=(raw, tls.context), daemon=True).start()

    def echo(raw: socket.socket, ctx: ssl.SSLContext | None) -> None:
        assert ctx is not None
        raw.settimeout(10)
        try:
            with ctx.wrap_socket(raw, server_side=True) as conn:
                while data := conn.recv(1024):
                    conn.sendall(data)
        except OSError:
            pass  # failed handshakes are what some tests expect

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        listener.close()
        thread.join(timeout=10)


def _client(pki: LabPKI, cert: bool = True, **kw: object) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    ctx.check_hostname = False  # the lab's server cert names localhost; we test server-side policy here
    if cert:
        ctx.load_cert_chain(pki.client.cert, pki.client.key)
    for name, value in kw.items():
        setattr(ctx, name, value)
    return ctx


def _talk(port: int, ctx: ssl.SSLContext, tls12_session: ssl.SSLSession | None = None) -> ssl.SSLSocket:
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), session=tls12_session)
    sock.sendall(b"PING")
    assert sock.recv(16) == b"PING"
    return sock


def test_refusals_with_redis_messages(pki: LabPKI, tmp_path: Path) -> None:
    assert build_server_context(Config.load()) is None  # tls-port 0: no TLS at all
    cases = {
        ("--tls-port", "1"): "No tls-cert-file configured!",
        ("--tls-port", "1", "--tls-cert-file", "x"): "No tls-key-file configured!",
        ("--tls-port", "1", "--tls-cert-file", "x", "--tls-key-file", "y"): (
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!"
        ),
    }
    for argv, message in cases.items():
        with pytest.raises(TlsConfigError) as err:
            build_server_context(Config.load(None, list(argv)))
        assert str(err.value) == message
    with pytest.raises(TlsConfigError, match="Failed to load certificate: /nonexistent: No such file"):
        build_server_context(_cfg(pki, "--tls-cert-file", "/nonexistent"))
    with pytest.raises(TlsConfigError, match="Failed to load private key"):
        build_server_context(_cfg(pki, "--tls-key-file", str(pki.client.key)))  # key of another cert
    with pytest.raises(TlsConfigError, match="Invalid tls-protocols specified"):
        build_server_context(_cfg(pki, "--tls-protocols", "SSLv3"))
    with pytest.raises(TlsConfigError, match="Failed to configure ciphersuites"):
        build_server_context(_cfg(pki, "--tls-ciphersuites", "NOPE"))
    with pytest.raises(TlsConfigError, match="Failed to configure ciphers"):
        build_server_context(_cfg(pki, "--tls-ciphers", "NOPE"))
    # no CA needed when nothing verifies peers
    assert build_server_context(_cfg(pki, "--tls-ca-cert-file", "", "--tls-auth-clients", "no")) is not None


def test_client_auth_modes(pki: LabPKI) -> None:
    with tls_server(ServerTls(_cfg(pki))) as port:  # tls-auth-clients yes (default)
        _talk(port, _client(pki)).close()
        with pytest.raises((ssl.SSLError, ConnectionError)):
            _talk(port, _client(pki, cert=False))
    with tls_server(ServerTls(_cfg(pki, "--tls-auth-clients", "optional"))) as port:
        _talk(port, _client(pki, cert=False)).close()
        _talk(port, _client(pki)).close()
    with tls_server(ServerTls(_cfg(pki, "--tls-auth-clients", "no"))) as port:
        _talk(port, _client(pki, cert=False)).close()


def test_protocols_and_ciphersuites(pki: LabPKI) -> None:
    with tls_server(ServerTls(_cfg(pki, "--tls-protocols", "TLSv1.2"))) as port:
        with _talk(port, _client(pki)) as sock:
            assert sock.version() == "TLSv1.2"
        with pytest.raises(ssl.SSLError):
            _talk(port, _client(pki, minimum_version=ssl.TLSVersion.TLSv1_3))
    cfg = _cfg(pki, "--tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
    with tls_server(ServerTls(cfg)) as port, _talk(port, _client(pki)) as sock:
        assert sock.version() == "TLSv1.3"
        assert (sock.cipher() or ("",))[0] == "TLS_CHACHA20_POLY1305_SHA256"
    cfg = _cfg(pki, "--tls-protocols", "tlsv1.2", "--tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384")
    with tls_server(ServerTls(cfg)) as port, _talk(port, _client(pki)) as sock:
        assert (sock.cipher() or ("",))[0] == "ECDHE-ECDSA-AES256-GCM-SHA384"


def test_session_cache_settings_reach_openssl(pki: LabPKI) -> None:
    ctx = build_server_context(
        _cfg(pki, "--tls-session-cache-size", "100", "--tls-session-cache-timeout", "60")
    )
    assert ctx is not None
    assert tls_native.session_cache(ctx) == (tls_native.SESS_CACHE_SERVER, 100, 60)
    ctx = build_server_context(_cfg(pki, "--tls-session-caching", "no"))
    assert ctx is not None
    assert tls_native.session_cache(ctx)[0] == tls_native.SESS_CACHE_OFF


def test_record_buffers_are_kept_as_in_redis(pki: LabPKI) -> None:
    """CPython releases idle record buffers; Redis (and so the bundled server) keeps them. Partial
    writes stay off: the server hands whole replies to one SSL_write."""
    assert tls_native.modes(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)) & tls_native.MODE_RELEASE_BUFFERS
    ctx = build_server_context(_cfg(pki))
    assert ctx is not None
    unwanted = tls_native.MODE_RELEASE_BUFFERS | tls_native.MODE_ENABLE_PARTIAL_WRITE
    assert not tls_native.modes(ctx) & unwanted


@pytest.mark.parametrize("caching", ["yes", "no"])
def test_session_id_resumption_follows_caching(pki: LabPKI, caching: str) -> None:
    """TLS 1.2 session-id resumption (tickets off on the client) works only with the server cache on."""
    tls = ServerTls(_cfg(pki, "--tls-protocols", "TLSv1.2", "--tls-session-caching", caching))
    client = _client(pki)
    client.options |= ssl.OP_NO_TICKET
    # `first` stays open: OpenSSL evicts the session of a connection freed without a TLS shutdown
    with tls_server(tls) as port, _talk(port, client) as first, _talk(port, client, first.session) as second:
        assert second.session_reused is (caching == "yes")


def test_reload_on_config_set_keeps_old_connections(pki: LabPKI) -> None:
    cfg = _cfg(pki)
    tls = ServerTls(cfg)
    other = pki.issue("server-rotated", ["localhost", "127.0.0.1"])
    with tls_server(tls) as port:
        old = _talk(port, _client(pki))
        old_cert = old.getpeercert(binary_form=True)
        cfg.set_many([("tls-cert-file", str(other.cert)), ("tls-key-file", str(other.key))])
        with _talk(port, _client(pki)) as new:
            assert new.getpeercert(binary_form=True) != old_cert
        old.sendall(b"STILL")  # the connection made before the reload is untouched
        assert old.recv(16) == b"STILL"
        old.close()
        before = tls.reloads
        cfg.set("tls-cert-file", str(other.cert))  # the same path again still reloads, as in Redis
        assert tls.reloads == before + 1
        with pytest.raises(ConfigSetError) as err:
            cfg.set("tls-cert-file", "/nonexistent")
        assert str(err.value) == (
            "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
            "Unable to update TLS configuration. Check server logs."
        )
        assert cfg["tls-cert-file"] == str(other.cert)
        _talk(port, _client(pki)).close()  # still serving with the last good context


def test_encrypted_key_needs_passphrase(pki: LabPKI, tmp_path: Path) -> None:
    key = serialization.load_pem_private_key(pki.server.key.read_bytes(), None)
    locked = tmp_path / "locked.key"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    with pytest.raises(TlsConfigError, match="Failed to load private key"):
        build_server_context(_cfg(pki, "--tls-key-file", str(locked)))  # fails, never prompts
    assert build_server_context(_cfg(pki, "--tls-key-file", str(locked), "--tls-key-file-pass", "s3cret"))


def test_openssl_s_client_handshake(pki: LabPKI) -> None:
    openssl = require_tool("openssl")
    with tls_server(ServerTls(_cfg(pki))) as port:
        out = subprocess.run(
            [openssl, "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(pki.ca_cert),
             "-cert", str(pki.client.cert), "-key", str(pki.client.key), "-brief"],
            input=b"", capture_output=True, timeout=20, check=False,
        )  # fmt: skip
    text = out.stderr.decode() + out.stdout.decode()
    assert "Protocol version: TLSv1.3" in text, text
    assert "Verification: OK" in text, text


def _sent_chain(port: int, pki: LabPKI, openssl: str) -> list[str]:
    """The subjects of the certificates the server sends, in order (openssl s_client -showcerts)."""
    out = subprocess.run(
        [openssl, "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(pki.ca_cert),
         "-cert", str(pki.client.cert), "-key", str(pki.client.key), "-showcerts"],
        input=b"", capture_output=True, timeout=20, check=False,
    )  # fmt: skip
    return [line.split("s:", 1)[1].strip() for line in out.stdout.decode().splitlines() if " s:" in line]


def test_certificate_chain_is_built_once_and_sent_as_openssl_builds_it(pki: LabPKI) -> None:
    """A leaf-only tls-cert-file: OpenSSL would build leaf + CA from the CA store at every handshake
    (redis-server does); the context holds that chain ready-made, and the wire carries the same two."""
    openssl = require_tool("openssl")
    plain = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    plain.load_cert_chain(pki.server.cert, pki.server.key)
    plain.load_verify_locations(pki.ca_cert)
    assert not tls_native.has_chain(plain)  # what each handshake would build from the store
    tls = ServerTls(_cfg(pki))
    assert tls.context is not None and tls_native.has_chain(tls.context)
    with tls_server(tls) as port:
        assert _sent_chain(port, pki, openssl) == ["O = Redis TLS Lab, CN = localhost",
                                                   "O = Redis TLS Lab, CN = Redis TLS Lab CA"]  # fmt: skip


def test_a_chain_given_in_the_cert_file_is_sent_as_given(pki: LabPKI, tmp_path: Path) -> None:
    """tls-cert-file with the leaf and the CA: OpenSSL sends the file's chain and never builds one; so
    does the bundled server (nothing is rebuilt from the store)."""
    openssl = require_tool("openssl")
    bundle = tmp_path / "chain.pem"
    bundle.write_bytes(pki.server.cert.read_bytes() + pki.ca_cert.read_bytes())
    cfg = _cfg(pki, "--tls-cert-file", str(bundle))
    ctx = build_server_context(cfg)
    assert ctx is not None and tls_native.has_chain(ctx)
    assert not tls_native.build_cert_chain(ctx)
    with tls_server(ServerTls(cfg)) as port:
        assert len(_sent_chain(port, pki, openssl)) == 2
