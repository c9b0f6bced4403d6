"""A raw RESP2/RESP3 test client that keeps every reply's wire type, so two servers can be compared
exactly (a status "+OK" is not a bulk "OK", an empty array is not a null array)."""

from __future__ import annotations

import select
import socket
from typing import Any

Reply = tuple[str, Any]  # (type byte as text, value); aggregates hold tuples of Reply

_TIMEOUT_S = 10.0


def encode_command(args: list[bytes]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts.append(b"$%d\r\n%b\r\n" % (len(arg), arg))
    return b"".join(parts)


class RawClient:
    def __init__(self, host: str, port: int, timeout: float = _TIMEOUT_S) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buf = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, *args: bytes | str | int) -> None:
        """Send one command without reading its reply (a blocking command; read_reply() gets it later)."""
        self.sock.sendall(encode_command([_arg(a) for a in args]))

    def has_reply(self) -> bool:
        """Some reply bytes have arrived (without waiting)."""
        if self._buf:
            return True
        ready, _, _ = select.select([self.sock], [], [], 0)
        return bool(ready)

    def call(self, *args: bytes | str | int) -> Reply:
        return self.pipeline([list(args)])[0]

    def pipeline(self, commands: list[list[bytes | str | int]]) -> list[Reply]:
        """Send all commands in one write, read one reply each."""
        self.sock.sendall(b"".join(encode_command([_arg(a) for a in cmd]) for cmd in commands))
        return [self.read_reply() for _ in commands]

    def _line(self) -> bytes:
        while True:
            end = self._buf.find(b"\r\n")
            if end >= 0:
                line, self._buf = self._buf[:end], self._buf[end + 2 :]
                return line
            self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self._buf) < n + 2:
            self._fill()
        data, self._buf = self._buf[:n], self._buf[n + 2 :]
        return data

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self._buf += chunk

    def read_reply(self) -> Reply:
        line = self._line()
        kind, rest = chr(line[0]), line[1:]
        if kind in "+-":
            return (kind, rest)
        if kind in ":(":
            return (kind, int(rest))
        if kind in "$=":
            n = int(rest)
            return (kind, None if n < 0 else self._exact(n))
        if kind in "*~>":
            n = int(rest)
            return (kind, None if n < 0 else tuple(self.read_reply() for _ in range(n)))
        if kind == "%":
            n = int(rest)
            return (kind, tuple((self.read_reply(), self.read_reply()) for _ in range(n)))
        if kind == "_":
            return (kind, None)
        if kind == ",":
            return (kind, rest)
        if kind == "#":
            return (kind, rest == b"t")
        raise ValueError(f"unknown RESP type in {line!r}")


def _arg(a: bytes | str | int) -> bytes:
    if isinstance(a, bytes):
        return a
    return str(a).encode()
