"""The victim of the packet attacks: one long-lived Redis connection (plaintext or TLS) that an application
keeps open and uses now and then, which is exactly what an on-path attacker waits for."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from lab.mitm.tamper import command
from lab.resp_reader import RespReader, RespValue


class Victim:
    def __init__(self, host: str, port: int, ca: Path | None = None, password: str | None = None,
                 timeout: float = 2.0) -> None:
        raw = socket.create_connection((host, port), timeout=timeout)
        if ca is not None:
            context = ssl.create_default_context(cafile=str(ca))
            self.sock: socket.socket = context.wrap_socket(raw, server_hostname="localhost")
        else:
            self.sock = raw
        self._reader = RespReader("lenient")  # a desynchronised connection must not stop the reading
        self._ready: list[RespValue] = []
        if password is not None:
            self.call("AUTH", password)

    @property
    def local_port(self) -> int:
        return int(self.sock.getsockname()[1])

    def call(self, *argv: str) -> RespValue:
        """Send one command and read one reply. Raises OSError (reset, closed, timeout) like any client."""
        self.sock.sendall(command([a.encode() for a in argv]))
        return self.read_reply()

    def read_reply(self) -> RespValue:
        while not self._ready:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionAbortedError("the server closed the connection")
            self._ready += [frame.value for frame in self._reader.feed(chunk)]
        return self._ready.pop(0)

    def close(self) -> None:
        self.sock.close()
