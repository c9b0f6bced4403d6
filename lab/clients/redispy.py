"""The redis-py driver: one connection, no retries, short timeouts, replies as the server sent them."""

from __future__ import annotations

import socket
import ssl
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.connection import SSLConnection
from redis.retry import Retry

from lab.clients.model import ClientOutcome, ClientSpec, ErrorKind, ErrorReply, Posture, Reply
from lab.pki import spki_pin

_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
             "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


class PinMismatchError(redis.ConnectionError):
    """The server's key is not the pinned one. Raised after the handshake, before any Redis byte is sent."""


class LabSSLConnection(SSLConnection):
    """redis-py's SSLConnection with the context built as redis-py 8.1 builds it (create_default_context,
    then verify mode, hostname check, client cert, CA, minimum version), plus what the lab needs and redis-py
    lacks: an SNI / checked name apart from the address, a maximum version, an NSS key log, an SPKI pin."""

    def __init__(self, *, lab_server_hostname: str, lab_tls_max: str | None, lab_keylog: Path | None,
                 lab_pin: str | None, **kwargs: Any) -> None:
        self.lab_server_hostname = lab_server_hostname
        self.lab_tls_max = lab_tls_max
        self.lab_keylog = lab_keylog
        self.lab_pin = lab_pin
        super().__init__(**kwargs)

    def _wrap_socket_with_ssl(self, sock: socket.socket) -> ssl.SSLSocket:
        context = ssl.create_default_context()
        context.check_hostname = self.check_hostname
        context.verify_mode = self.cert_reqs
        if self.certfile or self.keyfile:
            context.load_cert_chain(certfile=self.certfile, keyfile=self.keyfile)
        if self.ca_certs is not None:
            context.load_verify_locations(cafile=self.ca_certs)
        with warnings.catch_warnings():  # old versions are asked for on purpose (old-protocol scenarios)
            warnings.simplefilter("ignore", DeprecationWarning)
            if self.ssl_min_version is not None:
                context.minimum_version = self.ssl_min_version
                if self.ssl_min_version < ssl.TLSVersion.TLSv1_2:
                    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS < 1.2 only at level 0
            if self.lab_tls_max is not None:
                context.maximum_version = _VERSIONS[self.lab_tls_max]
        if self.lab_keylog is not None:
            context.keylog_filename = str(self.lab_keylog)
        sslsock = context.wrap_socket(sock, server_hostname=self.lab_server_hostname)
        if self.lab_pin is not None:
            der = sslsock.getpeercert(binary_form=True)
            seen = spki_pin(der) if der else "no certificate"
            if seen != self.lab_pin:
                sslsock.close()
                raise PinMismatchError(f"server key {seen} is not the pinned {self.lab_pin}")
        return sslsock


def connection_pool(spec: ClientSpec, host: str, port: int, keylog: Path | None) -> redis.ConnectionPool:
    """A redis-py pool whose connections have the spec's posture (for callers that need a live client:
    `redis.Redis(connection_pool=pool, single_connection_client=True)`, then `pool.disconnect()`)."""
    kwargs: dict[str, Any] = {
        "host": host, "port": port, "socket_timeout": spec.timeout, "socket_connect_timeout": spec.timeout,
        "retry": Retry(NoBackoff(), 0),  # the default retries a failed handshake for ~3 s: one try only
        "password": spec.password, "username": spec.username,
    }
    if spec.protocol is not None:
        kwargs["protocol"] = spec.protocol
    if not spec.posture.tls:
        return redis.ConnectionPool(**kwargs)
    verify = spec.posture in (Posture.TLS_CHAIN_ONLY, Posture.TLS_FULL)
    kwargs.update(
        connection_class=LabSSLConnection,
        ssl_cert_reqs="required" if verify else "none",
        ssl_check_hostname=spec.posture is Posture.TLS_FULL,
        ssl_ca_certs=str(spec.ca) if verify and spec.ca else None,
        ssl_certfile=str(spec.cert) if spec.cert else None,
        ssl_keyfile=str(spec.key) if spec.key else None,
        ssl_min_version=_VERSIONS[spec.tls_min] if spec.tls_min else None,
        lab_server_hostname=spec.server_hostname, lab_tls_max=spec.tls_max, lab_keylog=keylog,
        lab_pin=spec.pin if spec.posture is Posture.TLS_PINNED else None,
    )
    return redis.ConnectionPool(**kwargs)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_KINDS: tuple[tuple[tuple[type[BaseException], ...], ErrorKind], ...] = (
    ((PinMismatchError,), ErrorKind.PIN_MISMATCH),
    ((ssl.SSLCertVerificationError,), ErrorKind.CERT_VERIFY_FAILED),
    ((ssl.SSLError,), ErrorKind.TLS_ERROR),
    ((ConnectionRefusedError,), ErrorKind.CONNECTION_REFUSED),
    ((redis.TimeoutError, TimeoutError), ErrorKind.TIMEOUT),
    ((redis.AuthenticationError,), ErrorKind.AUTH_FAILED),
    ((ConnectionResetError, BrokenPipeError, redis.ConnectionError), ErrorKind.CONNECTION_CLOSED),
)


def classify(exc: BaseException) -> ErrorKind:
    """The most specific kind found anywhere in the exception chain (redis-py wraps ssl/socket errors)."""
    chain = list(_chain(exc))
    for types, kind in _KINDS:
        if any(isinstance(e, types) for e in chain):
            return kind
    return ErrorKind.OTHER


def normalize(value: Any) -> Reply:
    """A raw redis-py reply as JSON-able data (bytes → str, sets → sorted lists), like redis-cli --json."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        return [normalize(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((normalize(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(normalize(k)): normalize(v) for k, v in value.items()}
    if isinstance(value, redis.ResponseError):
        return ErrorReply(str(value))
    assert value is None or isinstance(value, str | int | float | bool), f"unexpected reply {value!r}"
    return value


def run(spec: ClientSpec, host: str, port: int, commands: Sequence[Sequence[str]],
        keylog: Path | None) -> ClientOutcome:
    start = time.perf_counter()
    pool = connection_pool(spec, host, port, keylog)
    replies: list[Reply] = []
    error: BaseException | None = None
    tls_version = cipher = None
    answered = session_open = False
    try:
        client = redis.Redis(connection_pool=pool, single_connection_client=True)  # connects now
        session_open = True
        # HELLO (RESP3, redis-py's default) or AUTH during connect got a reply from the server.
        answered = spec.protocol != 2 or spec.password is not None or not commands
        sock = getattr(client.connection, "_sock", None)
        if isinstance(sock, ssl.SSLSocket):
            tls_version = sock.version()
            cipher = (sock.cipher() or (None,))[0]
        client.response_callbacks.clear()  # replies as parsed from the wire, not redis-py's conversions
        for command in commands:
            try:
                replies.append(normalize(client.execute_command(*command)))
            except redis.ResponseError as exc:  # an error reply: the server answered
                replies.append(ErrorReply(str(exc)))
            answered = True
    except (redis.RedisError, OSError) as exc:
        error = exc
        # redis-py raises NOAUTH / WRONGPASS replies as AuthenticationError: still an answer from the server.
        answered = answered or (session_open and isinstance(exc, redis.AuthenticationError))
    finally:
        pool.disconnect()
    return ClientOutcome(
        "redis-py", spec.posture, answered, classify(error) if error else None, str(error) if error else None,
        tuple(replies), tls_version, cipher, time.perf_counter() - start,
    )
