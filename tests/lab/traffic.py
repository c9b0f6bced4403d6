"""Test plumbing for capture and analysis: a tiny RESP client with exact control of the bytes and of TLS.

lab.clients drives real client libraries (redis-py opens with HELLO, CLIENT SETINFO...); these tests need to
know every byte sent, so that the analysis can be compared with the exact truth.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


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
