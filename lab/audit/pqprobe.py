"""Does the server offer a post-quantum hybrid key exchange (X25519MLKEM768 and kin) in TLS 1.3?

sslyze's group scan knows only classical groups, so this asks directly: a TLS 1.3 ClientHello whose
supported_groups lists only hybrid groups, with no key share. A server that has one answers with a
HelloRetryRequest (or ServerHello) naming it; one that has none sends a handshake_failure alert.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
from dataclasses import dataclass

from lab.audit.endpoint import Endpoint

HYBRID_GROUPS = {0x11EC: "X25519MLKEM768", 0x11EB: "SecP256r1MLKEM768", 0x11ED: "SecP384r1MLKEM1024",
                 0x6399: "X25519Kyber768Draft00"}  # fmt: skip
_HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()
_SIGALGS = (0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0807)


@dataclass(frozen=True)
class PqFacts:
    offered: tuple[str, ...]  # hybrid groups the server picked (one probe names the one it prefers)
    answer: str  # what the server sent back, in words
    error: str  # why the probe could not run


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def client_hello(server_name: str) -> bytes:
    groups = b"".join(struct.pack("!H", g) for g in HYBRID_GROUPS)
    name = server_name.encode()
    exts = b"".join(
        (
            _ext(0x0000, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name),  # server_name
            _ext(0x000A, struct.pack("!H", len(groups)) + groups),  # supported_groups: hybrids only
            _ext(
                0x000D,
                struct.pack("!H", 2 * len(_SIGALGS)) + b"".join(struct.pack("!H", s) for s in _SIGALGS),
            ),
            _ext(0x002B, b"\x02\x03\x04"),  # supported_versions: TLS 1.3
            _ext(
                0x0033, b"\x00\x00"
            ),  # key_share: empty, so a supporting server must ask (HelloRetryRequest)
            _ext(0x002D, b"\x01\x01"),  # psk_key_exchange_modes
        )
    )
    suites = struct.pack("!HHHH", 6, 0x1301, 0x1302, 0x1303)
    body = b"\x03\x03" + os.urandom(32) + b"\x20" + os.urandom(32) + suites + b"\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def _server_group(record: bytes) -> int | None:
    """The group a ServerHello / HelloRetryRequest's key_share names (None when it has none)."""
    hs = record[5:]
    pos = 4 + 2 + 32
    pos += 1 + hs[pos]  # session id
    pos += 2 + 1  # cipher suite, compression
    end = pos + 2 + struct.unpack("!H", hs[pos : pos + 2])[0]
    pos += 2
    while pos + 4 <= end:
        kind, length = struct.unpack("!HH", hs[pos : pos + 4])
        if kind == 0x0033 and length >= 2:
            return int(struct.unpack("!H", hs[pos + 4 : pos + 6])[0])
        pos += 4 + length
    return None


def probe(endpoint: Endpoint, server_name: str | None, timeout: float = 3.0) -> PqFacts:
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout) as sock:
            sock.sendall(client_hello(server_name or endpoint.host))
            data = b""
            while len(data) < 5 or len(data) < 5 + struct.unpack("!H", data[3:5])[0]:
                chunk = sock.recv(16384)
                if not chunk:
                    break
                data += chunk
    except OSError as exc:
        return PqFacts((), "", f"{type(exc).__name__}: {exc}")
    if len(data) >= 7 and data[0] == 0x15:
        return PqFacts((), f"TLS alert {data[6]} (no hybrid group in common)", "")
    if len(data) >= 9 and data[0] == 0x16 and data[5] == 0x02:
        group = _server_group(data)
        kind = "HelloRetryRequest" if data[11:43] == _HRR_RANDOM else "ServerHello"
        if group in HYBRID_GROUPS:
            return PqFacts((HYBRID_GROUPS[group],), f"{kind} selecting {HYBRID_GROUPS[group]}", "")
        return PqFacts((), f"{kind} with group {group}", "")
    return PqFacts((), "", f"unexpected answer ({len(data)} bytes, first {data[:1].hex() or 'none'})")
