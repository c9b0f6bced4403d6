"""Socket-level fallback when packets cannot be captured: a loopback TCP relay that records what passes.

Clients connect to the relay's port instead of the server's; every chunk read in either direction is recorded
with its time, then written as a pcapng by `lab.capture.synth` (as if seen on the server's real port).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

HOST = "127.0.0.1"
CONNECT_TIMEOUT_S = 5.0
_CHUNK = 65536


@dataclass(frozen=True)
class Chunk:
    time: float
    from_client: bool
    data: bytes  # b"" marks a FIN from that side


@dataclass
class RelayedConnection:
    """One client connection through the relay, as the recorded pcapng will show it."""

    client_port: int
    server_port: int
    opened: float
    chunks: list[Chunk] = field(default_factory=list)


class RelaySession:
    """One listener per server port; `stop()` closes everything and returns the recorded connections."""

    def __init__(self, ports: Sequence[int], host: str = HOST) -> None:
        self._host = host
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: list[RelayedConnection] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listen_port: dict[int, int] = {}
        try:
            for port in ports:
                listener = socket.create_server((host, 0))
                listener.settimeout(0.2)
                self._sockets.append(listener)
                self._listen_port[port] = listener.getsockname()[1]
                self._spawn(self._accept_loop, listener, port)
        except BaseException:
            self.stop()
            raise

    def port_for(self, server_port: int) -> int:
        """The port a client must connect to so that its traffic to `server_port` is recorded."""
        return self._listen_port[server_port]

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket, server_port: int) -> None:
        while not self._stopping.is_set():
            try:
                client, (_, client_port) = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed by stop()
            try:
                upstream = socket.create_connection((self._host, server_port), timeout=CONNECT_TIMEOUT_S)
            except OSError:
                client.close()  # server down: the client sees a closed connection, as it would directly
                continue
            upstream.settimeout(None)
            conn = RelayedConnection(client_port=client_port, server_port=server_port, opened=time.time())
            with self._lock:
                self._connections.append(conn)
                self._sockets += [client, upstream]
            self._spawn(self._pump, client, upstream, conn, True)
            self._spawn(self._pump, upstream, client, conn, False)

    def _pump(
        self, src: socket.socket, dst: socket.socket, conn: RelayedConnection, from_client: bool
    ) -> None:
        while True:
            try:
                data = src.recv(_CHUNK)
            except OSError:
                data = b""
            with self._lock:
                conn.chunks.append(Chunk(time.time(), from_client, data))
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            try:
                dst.sendall(data)
            except OSError:
                return

    def stop(self) -> list[RelayedConnection]:
        self._stopping.set()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in threads:
            thread.join(timeout=2)
        with self._lock:
            return list(self._connections)
