"""The few OpenSSL SSL_CTX settings Redis uses that Python's ssl module does not expose.

Python 3.11's ssl has no setter for TLS 1.3 ciphersuites (SSL_CTX_set_ciphersuites), for the
server session cache (mode, size, timeout), nor for the SSL modes (CPython turns SSL_MODE_RELEASE_BUFFERS
on; Redis does not). Redis sets all of them, so we call libssl directly through
ctypes on the SSL_CTX that CPython's SSLContext wraps. The pointer is found by layout (the first field
after PyObject_HEAD) and proved right before any write: SSL_CTX_get_options and
SSL_CTX_get_verify_mode must return what the Python object reports. If that check fails (another
Python implementation or layout), NativeUnavailable says so and nothing is written.
"""

from __future__ import annotations

import ctypes
import ssl
from functools import cache

_SSL_CTRL_SET_SESS_CACHE_SIZE = 42
_SSL_CTRL_GET_SESS_CACHE_SIZE = 43
_SSL_CTRL_SET_SESS_CACHE_MODE = 44
_SSL_CTRL_GET_SESS_CACHE_MODE = 45
_SSL_CTRL_MODE = 33  # SSL_CTX_set_mode / SSL_CTX_get_mode (with 0)
_SSL_CTRL_CLEAR_MODE = 78
_SSL_CTRL_GET_EXTRA_CHAIN_CERTS = 82
_SSL_CTRL_BUILD_CERT_CHAIN = 105
_SSL_CTRL_GET_CHAIN_CERTS = 115
BUILD_CHAIN_FLAG_IGNORE_ERROR = 0x8  # keep the chain as far as it was built, as the per-handshake path
BUILD_CHAIN_FLAG_CLEAR_ERROR = 0x10
MODE_ENABLE_PARTIAL_WRITE = 0x01
MODE_RELEASE_BUFFERS = 0x10
SESS_CACHE_OFF = 0x0000
SESS_CACHE_SERVER = 0x0002


class NativeUnavailable(RuntimeError):
    """libssl cannot be reached safely from this Python build."""


@cache
def _libssl() -> ctypes.CDLL:
    # The _ssl extension module is linked against the very libssl Python uses; dlsym on its handle
    # searches its dependencies, so we never pick up a second, different libssl.
    lib = ctypes.CDLL(ssl._ssl.__file__)  # type: ignore[attr-defined]
    lib.SSL_CTX_get_options.restype = ctypes.c_uint64
    lib.SSL_CTX_get_options.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_get_verify_mode.restype = ctypes.c_int
    lib.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_set_ciphersuites.restype = ctypes.c_int
    lib.SSL_CTX_set_ciphersuites.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.SSL_CTX_ctrl.restype = ctypes.c_long
    lib.SSL_CTX_ctrl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    lib.SSL_CTX_set_timeout.restype = ctypes.c_long
    lib.SSL_CTX_set_timeout.argtypes = [ctypes.c_void_p, ctypes.c_long]
    lib.SSL_CTX_get_timeout.restype = ctypes.c_long
    lib.SSL_CTX_get_timeout.argtypes = [ctypes.c_void_p]
    return lib


def _ssl_ctx(ctx: ssl.SSLContext) -> int:
    if type(ctx).__basicsize__ < object.__basicsize__ + ctypes.sizeof(ctypes.c_void_p):
        raise NativeUnavailable("unexpected SSLContext layout")
    try:
        lib = _libssl()
    except (OSError, AttributeError) as e:
        raise NativeUnavailable(f"libssl not reachable through ctypes: {e}") from None
    ptr = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
    if not ptr:
        raise NativeUnavailable("SSLContext holds no SSL_CTX")
    if lib.SSL_CTX_get_options(ptr) != int(ctx.options) or lib.SSL_CTX_get_verify_mode(ptr) != int(
        _verify_bits(ctx)
    ):
        raise NativeUnavailable("the SSL_CTX found by layout does not match the SSLContext")
    return ptr


def _verify_bits(ctx: ssl.SSLContext) -> int:
    # CPython maps CERT_REQUIRED to VERIFY_PEER|VERIFY_FAIL_IF_NO_PEER_CERT (1|2), CERT_OPTIONAL to 1.
    return {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 3}[ctx.verify_mode]


def set_ciphersuites(ctx: ssl.SSLContext, suites: str) -> bool:
    """SSL_CTX_set_ciphersuites (TLS 1.3 suites, colon-separated). False if OpenSSL refused the list."""
    return bool(_libssl().SSL_CTX_set_ciphersuites(_ssl_ctx(ctx), suites.encode()))


def set_session_cache(ctx: ssl.SSLContext, enabled: bool, size: int, timeout: int) -> None:
    """What Redis does: server-side cache of `size` sessions living `timeout` s, or the cache off."""
    ptr, lib = _ssl_ctx(ctx), _libssl()
    if enabled:
        lib.SSL_CTX_ctrl(ptr, _SSL_CTRL_SET_SESS_CACHE_MODE, SESS_CACHE_SERVER, None)
        lib.SSL_CTX_ctrl(ptr, _SSL_CTRL_SET_SESS_CACHE_SIZE, size, None)
        lib.SSL_CTX_set_timeout(ptr, timeout)
    else:
        lib.SSL_CTX_ctrl(ptr, _SSL_CTRL_SET_SESS_CACHE_MODE, SESS_CACHE_OFF, None)


def session_cache(ctx: ssl.SSLContext) -> tuple[int, int, int]:
    """(mode, size, timeout) as OpenSSL holds them: for tests and INFO."""
    ptr, lib = _ssl_ctx(ctx), _libssl()
    return (
        lib.SSL_CTX_ctrl(ptr, _SSL_CTRL_GET_SESS_CACHE_MODE, 0, None),
        lib.SSL_CTX_ctrl(ptr, _SSL_CTRL_GET_SESS_CACHE_SIZE, 0, None),
        lib.SSL_CTX_get_timeout(ptr),
    )


def keep_record_buffers(ctx: ssl.SSLContext) -> None:
    """Keep each connection's record buffers for its whole life, as Redis does (its tlsConfigure never
    sets SSL_MODE_RELEASE_BUFFERS). CPython sets it, which frees both 16 KB+ buffers whenever a
    connection goes idle and allocates them again for the next record: at one request per record, two
    malloc/free pairs per request in the hot path.

    Redis's other mode, SSL_MODE_ENABLE_PARTIAL_WRITE, is left off on purpose: with it SSL_write returns
    after the first 16 KB record even into a memory BIO, and our writers hand over whole replies."""
    _libssl().SSL_CTX_ctrl(_ssl_ctx(ctx), _SSL_CTRL_CLEAR_MODE, MODE_RELEASE_BUFFERS, None)


def build_cert_chain(ctx: ssl.SSLContext) -> bool:
    """Build the certificate chain the server sends once, now, instead of at every handshake.

    With no chain certificates after the leaf in tls-cert-file, OpenSSL builds the chain from the CA
    store for each handshake it serves (ssl_add_cert_chain: X509_verify_cert on our own certificate,
    signature checks included, ~15% of a P-256 handshake's CPU here). SSL_CTX_build_cert_chain runs
    the same chain building against the same store and keeps the result as the certificate's chain, so
    the handshake sends the very same certificates (root included, as the per-handshake path sends it)
    without redoing the work. Redis 7.0 does it per handshake; the Certificate message is identical.
    A file that lists its own chain is left alone (OpenSSL never auto-chains it). False when nothing was
    built (chain given, or OpenSSL refused: the per-handshake path then stays as it was)."""
    if has_chain(ctx):  # chain certificates given: OpenSSL sends them as they are, no auto-chain
        return False
    flags = BUILD_CHAIN_FLAG_IGNORE_ERROR | BUILD_CHAIN_FLAG_CLEAR_ERROR
    return _libssl().SSL_CTX_ctrl(_ssl_ctx(ctx), _SSL_CTRL_BUILD_CERT_CHAIN, flags, None) > 0


def has_chain(ctx: ssl.SSLContext) -> bool:
    """True when the certificate has a chain of its own (from its file or built), so no handshake
    builds one from the CA store."""
    ptr, lib = _ssl_ctx(ctx), _libssl()
    for ctrl, only in ((_SSL_CTRL_GET_CHAIN_CERTS, 0), (_SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 1)):
        chain = ctypes.c_void_p()
        lib.SSL_CTX_ctrl(ptr, ctrl, only, ctypes.byref(chain))
        if chain.value:
            return True
    return False


def modes(ctx: ssl.SSLContext) -> int:
    """SSL_CTX_get_mode: for tests."""
    return int(_libssl().SSL_CTX_ctrl(_ssl_ctx(ctx), _SSL_CTRL_MODE, 0, None))
