"""What TLS costs against plaintext on the same server, in one run: a new connection per request, and
round trips on one open connection. Ratios from one run on one machine (loopback, noisy): the figure the
course quotes, not a benchmark (`tlslab bench` is that)."""

from __future__ import annotations

import socket
import ssl
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from lab.scenario.evidence import Json
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.result import WorkloadResult


@dataclass(frozen=True)
class TlsCost:
    connections: int = 30  # connect, PING, close: per transport
    round_trips: int = 300  # PINGs on one open connection: per transport


def _read_until(sock: socket.socket, end: bytes) -> None:
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk


def _median_us(values: list[float]) -> float:
    return round(statistics.median(values) * 1e6, 1)


def tls_cost(session: Session, p: TlsCost) -> WorkloadResult:
    pki = session.prepared.pki
    if pki is None:
        raise RuntimeError("the tls-cost workload needs the lab PKI (a TLS listener)")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca_cert)  # built once: the per-connection cost is the handshake itself
    password = session.case.target.requirepass
    hello = (f"AUTH {password}\r\n" if password else "").encode()

    def opener(dial: str) -> Callable[[], socket.socket]:
        host, port = session.endpoint(dial)  # type: ignore[arg-type]

        def open_one() -> socket.socket:
            raw = socket.create_connection((host, port), timeout=5)
            sock: socket.socket = ctx.wrap_socket(raw, server_hostname="localhost") if dial == "tls" else raw
            if hello:
                sock.sendall(hello)
                _read_until(sock, b"\r\n")
            return sock
        return open_one

    obs: dict[str, Json] = {}
    medians: dict[str, float] = {}
    for dial in ("plaintext", "tls"):
        open_one = opener(dial)
        connects = []
        for _ in range(p.connections):
            t0 = time.perf_counter()
            with open_one() as sock:
                sock.sendall(b"PING\r\n")
                _read_until(sock, b"+PONG\r\n")
                connects.append(time.perf_counter() - t0)
        trips = []
        with open_one() as sock:
            for _ in range(p.round_trips):
                t0 = time.perf_counter()
                sock.sendall(b"PING\r\n")
                _read_until(sock, b"+PONG\r\n")
                trips.append(time.perf_counter() - t0)
        medians[f"{dial}_connect_us_median"] = _median_us(connects)
        medians[f"{dial}_round_trip_us_median"] = _median_us(trips)
    obs.update(medians)
    obs["connect_ratio"] = round(medians["tls_connect_us_median"] / medians["plaintext_connect_us_median"], 2)
    obs["round_trip_ratio"] = round(
        medians["tls_round_trip_us_median"] / medians["plaintext_round_trip_us_median"], 2)
    obs["connections"], obs["round_trips"] = p.connections, p.round_trips
    return WorkloadResult((), obs)
