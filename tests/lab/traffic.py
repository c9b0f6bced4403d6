"""Test plumbing for capture and analysis: a real redis-server and a tiny RESP client with exact TLS control.

Kept until lab.targets / lab.clients cover what these tests need (pinning TLS 1.2 vs 1.3, a key log per
connection, the exact bytes sent).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lab.pki import LabPKI

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class RedisProc:
    port: int
    tls_port: int | None
    pid: int


@contextmanager
def redis_server(
    binary: str,
    workdir: Path,
    pki: LabPKI | None = None,
    password: str | None = None,
    auth_clients: str = "optional",
) -> Iterator[RedisProc]:
    """redis-server on a free plaintext port (and a TLS port when `pki` is given); always stopped."""
    port = free_port()
    args = [
        binary,
        "--port",
        str(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]
    tls_port = None
    if pki is not None:
        tls_port = free_port()
        args += [
            "--tls-port",
            str(tls_port),
            "--tls-cert-file",
            str(pki.server.cert),
            "--tls-key-file",
            str(pki.server.key),
            "--tls-ca-cert-file",
            str(pki.ca_cert),
            "--tls-auth-clients",
            auth_clients,
        ]
    if password is not None:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield RedisProc(port, tls_port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def encode(command: Sequence[str | bytes]) -> bytes:
    out = [b"*%d\r\n" % len(command)]
    for arg in command:
        raw = arg.encode() if isinstance(arg, str) else arg
        out.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(out)


def _read_reply(f: BinaryIO) -> bytes:
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"$" and int(rest) >= 0:
        return bytes(line + f.read(int(rest) + 2))
    if kind == b"*" and int(rest) >= 0:
        return bytes(line + b"".join(_read_reply(f) for _ in range(int(rest))))
    return bytes(line)


@dataclass(frozen=True)
class TlsOptions:
    ca: Path
    version: ssl.TLSVersion
    cert: Path | None = None
    key: Path | None = None
    sni: str | None = "localhost"
    keylog: Path | None = None


def session(
    port: int, commands: Sequence[Sequence[str | bytes]], tls: TlsOptions | None = None
) -> list[bytes]:
    """One connection: send each command, read its raw reply; returns the raw replies."""
    sock = socket.create_connection((HOST, port), timeout=5)
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ctx.maximum_version = tls.version
        ctx.load_verify_locations(tls.ca)
        ctx.check_hostname = tls.sni is not None
        if tls.cert is not None:
            ctx.load_cert_chain(tls.cert, tls.key)
        if tls.keylog is not None:
            ctx.keylog_filename = str(tls.keylog)
        sock = ctx.wrap_socket(sock, server_hostname=tls.sni)
    replies = []
    with sock, sock.makefile("rb") as f:
        for command in commands:
            sock.sendall(encode(command))
            replies.append(_read_reply(f))
    return replies
