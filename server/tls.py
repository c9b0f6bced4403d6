"""The server's SSLContext, built from the tls-* directives the way Redis 7.0's tlsConfigure does.

What maps how (Python 3.11 ssl + OpenSSL 3.0):
- tls-protocols "TLSv1.2 TLSv1.3" → minimum/maximum_version; a set with a gap (e.g. "TLSv1 TLSv1.3")
  also sets OP_NO_* for the versions left out, as Redis does. "" means Redis's default TLSv1.2+TLSv1.3.
  TLSv1/TLSv1.1 also need "@SECLEVEL=0" in tls-ciphers under OpenSSL 3 (same as real Redis).
- tls-ciphers → set_ciphers (TLS ≤ 1.2); tls-ciphersuites (TLS 1.3) and the session cache have no
  Python API: server.tls_native calls SSL_CTX_set_ciphersuites / the session-cache controls directly.
- tls-auth-clients yes/optional/no → CERT_REQUIRED / CERT_OPTIONAL / CERT_NONE; CA from
  tls-ca-cert-file / tls-ca-cert-dir only (never the system store, like Redis).
- tls-session-caching yes → server cache with tls-session-cache-size and -timeout; no → cache off.
  As in Redis, this is the stateful cache only: TLS 1.3 stateless tickets (and so resumption) stay on.
- Record buffers are kept for a connection's life, as in Redis (CPython releases them when idle).
- tls-prefer-server-ciphers → OP_CIPHER_SERVER_PREFERENCE; tls-dh-params-file → load_dh_params.
- Renegotiation is refused altogether (OP_NO_RENEGOTIATION), a superset of Redis's client-renegotiation ban.

Reload: CONFIG SET of any tls-* directive (even the same cert path) builds a new context; connections
accepted afterwards use it, existing ones keep theirs (ServerTls.context is read at accept time).
"""

from __future__ import annotations

import logging
import ssl
import warnings
from collections.abc import Callable

from server import tls_native
from server.config import Config, ConfigApplyError

log = logging.getLogger("server.tls")

FAILED_TO_CONFIGURE = "Failed to configure TLS. Check logs for more info."
UNABLE_TO_UPDATE = "Unable to update TLS configuration. Check server logs."
TLS_DIRECTIVES = (
    "tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
    "tls-client-key-file", "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file",
    "tls-ca-cert-dir", "tls-auth-clients", "tls-replication", "tls-cluster", "tls-protocols", "tls-ciphers",
    "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
    "tls-session-cache-timeout",
)  # fmt: skip

_VERSIONS = {
    "tlsv1": ssl.TLSVersion.TLSv1,
    "tlsv1.1": ssl.TLSVersion.TLSv1_1,
    "tlsv1.2": ssl.TLSVersion.TLSv1_2,
    "tlsv1.3": ssl.TLSVersion.TLSv1_3,
}
_ORDER = list(_VERSIONS.values())
_OP_NO = {
    ssl.TLSVersion.TLSv1: ssl.OP_NO_TLSv1,
    ssl.TLSVersion.TLSv1_1: ssl.OP_NO_TLSv1_1,
    ssl.TLSVersion.TLSv1_2: ssl.OP_NO_TLSv1_2,
    ssl.TLSVersion.TLSv1_3: ssl.OP_NO_TLSv1_3,
}
_AUTH = {"yes": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "no": ssl.CERT_NONE}


class TlsConfigError(Exception):
    """TLS cannot be configured; str(err) is the line Redis logs (e.g. 'No tls-cert-file configured!')."""


def parse_protocols(text: str) -> list[ssl.TLSVersion]:
    """tls-protocols as Redis's parseProtocolsConfig (space-separated, case-insensitive)."""
    if not text:
        return [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]
    versions: set[ssl.TLSVersion] = set()
    for token in text.split(" "):
        version = _VERSIONS.get(token.lower())
        if version is None:
            raise TlsConfigError(
                "Invalid tls-protocols specified. "
                "Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."
            )
        versions.add(version)
    return sorted(versions, key=_ORDER.index)


def _openssl_reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror and not isinstance(err, ssl.SSLError):
        return err.strerror
    return str(getattr(err, "reason", None) or err)


def _load_chain(ctx: ssl.SSLContext, cert: str, key: str, password: str) -> None:
    if (problem := _unreadable(cert)) is not None:
        raise TlsConfigError(f"Failed to load certificate: {cert}: {problem}")
    if (problem := _unreadable(key)) is not None:
        raise TlsConfigError(f"Failed to load private key: {key}: {problem}")
    # A callable password: an encrypted key without tls-key-file-pass fails instead of prompting on a tty.
    secret = password.encode("utf-8", "surrogateescape")
    try:
        ctx.load_cert_chain(cert, key, password=lambda: secret)
    except (ssl.SSLError, OSError) as e:
        if _cert_is_readable(cert):
            raise TlsConfigError(f"Failed to load private key: {key}: {_openssl_reason(e)}") from None
        raise TlsConfigError(f"Failed to load certificate: {cert}: {_openssl_reason(e)}") from None


def _unreadable(path: str) -> str | None:
    try:
        with open(path, "rb"):
            return None
    except OSError as e:
        return e.strerror or str(e)


def _cert_is_readable(path: str) -> bool:
    from cryptography import x509  # only on the error path: tells a bad cert from a bad key

    try:
        with open(path, "rb") as f:
            x509.load_pem_x509_certificate(f.read())
    except (OSError, ValueError):
        return False
    return True


def build_server_context(cfg: Config) -> ssl.SSLContext | None:
    """The SSLContext for the TLS listener, or None when tls-port is 0. Raises TlsConfigError."""
    if not cfg["tls-port"]:
        return None
    cert, key = cfg["tls-cert-file"], cfg["tls-key-file"]
    ca_file, ca_dir = cfg["tls-ca-cert-file"], cfg["tls-ca-cert-dir"]
    if not cert:
        raise TlsConfigError("No tls-cert-file configured!")
    if not key:
        raise TlsConfigError("No tls-key-file configured!")
    auth = cfg["tls-auth-clients"]
    if (auth != "no" or cfg["tls-cluster"] or cfg["tls-replication"]) and not ca_file and not ca_dir:
        raise TlsConfigError(
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
            "tls-replication or tls-auth-clients are enabled!"
        )
    versions = parse_protocols(cfg["tls-protocols"])

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version, ctx.maximum_version = versions[0], versions[-1]
    gaps = [v for v in _ORDER[_ORDER.index(versions[0]) : _ORDER.index(versions[-1])] if v not in versions]
    if gaps:
        with warnings.catch_warnings():  # OP_NO_TLS* is deprecated in Python, yet the only way to leave a gap
            warnings.simplefilter("ignore", DeprecationWarning)
            for v in gaps:
                ctx.options |= _OP_NO[v]
    ctx.options |= ssl.OP_NO_RENEGOTIATION
    if cfg["tls-prefer-server-ciphers"]:
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE

    _load_chain(ctx, cert, key, cfg["tls-key-file-pass"])
    if ca_file or ca_dir:
        try:
            ctx.load_verify_locations(cafile=ca_file or None, capath=ca_dir or None)
        except (ssl.SSLError, OSError) as e:
            raise TlsConfigError(
                f"Failed to configure CA certificate(s) file/directory: {_openssl_reason(e)}"
            ) from None
    ctx.verify_mode = _AUTH[auth]
    tls_native.build_cert_chain(ctx)  # after the CA store is loaded: the chain comes from it

    if cfg["tls-ciphers"]:
        try:
            ctx.set_ciphers(cfg["tls-ciphers"])
        except ssl.SSLError as e:
            raise TlsConfigError(f"Failed to configure ciphers: {_openssl_reason(e)}") from None
    if cfg["tls-ciphersuites"] and not tls_native.set_ciphersuites(ctx, cfg["tls-ciphersuites"]):
        raise TlsConfigError(f"Failed to configure ciphersuites: {cfg['tls-ciphersuites']}")
    if cfg["tls-dh-params-file"]:
        try:
            ctx.load_dh_params(cfg["tls-dh-params-file"])
        except (ssl.SSLError, OSError) as e:
            raise TlsConfigError(
                f"Failed to load DH params file: {cfg['tls-dh-params-file']}: {_openssl_reason(e)}"
            ) from None
    tls_native.set_session_cache(
        ctx, cfg["tls-session-caching"], cfg["tls-session-cache-size"], cfg["tls-session-cache-timeout"]
    )
    tls_native.keep_record_buffers(ctx)
    return ctx


Listener = Callable[[ssl.SSLContext | None], None]


class ServerTls:
    """The current server context. Build once at start-up (TlsConfigError → log it, then
    FAILED_TO_CONFIGURE, exit 1); afterwards CONFIG SET tls-* swaps it for new connections."""

    def __init__(self, cfg: Config, warn: Callable[[str], None] | None = None) -> None:
        self.cfg = cfg
        self._warn = warn or log.warning  # pass RedisLog.warning so reload failures look like Redis's log
        self.context = build_server_context(cfg)
        self.reloads = 0
        self._listeners: list[Listener] = []
        for name in TLS_DIRECTIVES:
            cfg.on_change(name, self.reload)

    def subscribe(self, listener: Listener) -> None:
        """Called with the new context after each successful reload (e.g. net re-creates the TLS listener)."""
        self._listeners.append(listener)

    def reload(self) -> None:
        try:
            context = build_server_context(self.cfg)
        except TlsConfigError as e:
            self._warn(str(e))
            raise ConfigApplyError(UNABLE_TO_UPDATE) from None
        self.context = context
        self.reloads += 1
        for listener in self._listeners:
            listener(context)
