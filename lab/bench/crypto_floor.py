"""The crypto floor, measured on this host at run time with `openssl speed`: what the cipher and the
handshake primitives cost, so that a TLS-vs-plaintext delta can be split into "the crypto" and "the rest".

The AEAD is the one the server negotiated (read from a real handshake, not assumed); its cost per record
of any size is interpolated between the sizes `openssl speed` measures (16 B ... 16 KiB). A handshake's
floor is the server's asymmetric work: one signature with the certificate's key and two X25519 scalar
multiplications (its key share and the shared secret); a resumed TLS 1.3 handshake keeps the key exchange
(psk_dhe_ke) and drops the signature; a resumed TLS 1.2 handshake has no asymmetric work at all.
"""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.bench.results import Transport

MAX_RECORD = 16384  # TLS plaintext record limit: larger writes are split
SPEED_SECONDS = 1
# --quick: the AEAD at two block sizes (2 s instead of 6) spanning its cells' records (~40 B to ~600 B)
QUICK_SIZES = (16, 1024)
# OpenSSL cipher names as the ssl module reports them, to `openssl speed -evp` names.
_EVP = {
    "TLS_AES_256_GCM_SHA384": "aes-256-gcm",
    "TLS_AES_128_GCM_SHA256": "aes-128-gcm",
    "TLS_CHACHA20_POLY1305_SHA256": "chacha20-poly1305",
}
# `openssl speed` algorithm names for the certificate's key.
SIGN_ALGORITHMS = {"ecdsa-p256": "ecdsap256", "rsa-2048": "rsa2048", "rsa-4096": "rsa4096"}


class SpeedError(RuntimeError):
    """`openssl speed` is missing or printed nothing we can read."""


@dataclass(frozen=True)
class AeadSpeed:
    """Bytes per second of one AEAD at each block size (`openssl speed -evp <cipher> -mr`)."""

    cipher: str  # as negotiated, e.g. TLS_AES_256_GCM_SHA384
    evp: str  # as measured, e.g. aes-256-gcm
    sizes: tuple[int, ...]
    bytes_per_s: tuple[float, ...]

    def record_us(self, size: int) -> float:
        """Microseconds to seal one record of `size` bytes (split at 16 KiB), interpolated linearly in the
        time per block between the measured sizes; below the smallest size the smallest block's time."""
        if size <= 0:
            return 0.0
        full, rest = divmod(size, MAX_RECORD)
        return full * self._block_us(MAX_RECORD) + (self._block_us(rest) if rest else 0.0)

    def _block_us(self, size: int) -> float:
        times = [s / r * 1e6 for s, r in zip(self.sizes, self.bytes_per_s, strict=True)]
        if size <= self.sizes[0]:
            return times[0]
        for i in range(1, len(self.sizes)):
            s0, s1, t0, t1 = self.sizes[i - 1], self.sizes[i], times[i - 1], times[i]
            if size <= s1:
                return t0 + (t1 - t0) * (size - s0) / (s1 - s0)
        return times[-1] * size / self.sizes[-1]


@dataclass(frozen=True)
class SignSpeed:
    key_type: str  # ecdsa-p256 | rsa-2048 | rsa-4096
    signs_per_s: float
    verifies_per_s: float


@dataclass(frozen=True)
class CryptoFloor:
    """Everything `openssl speed` measured in this run, and how (the commands, for the reader to repeat)."""

    openssl: str
    aead: tuple[AeadSpeed, ...]
    sign: tuple[SignSpeed, ...]
    x25519_per_s: float | None
    commands: tuple[str, ...]
    error: str | None = None

    def aead_for(self, cipher: str | None) -> AeadSpeed | None:
        return next((a for a in self.aead if a.cipher == cipher), None)

    def sign_for(self, key_type: str) -> SignSpeed | None:
        return next((s for s in self.sign if s.key_type == key_type), None)

    def handshake_us(self, key_type: str, transport: Transport, resumed: bool) -> float | None:
        """The server's asymmetric crypto per handshake, in µs (None when a primitive was not measured)."""
        if resumed and transport == "tls1.2":
            return 0.0
        if self.x25519_per_s is None:
            return None
        kex = 2 / self.x25519_per_s * 1e6
        if resumed:
            return kex
        sign = self.sign_for(key_type)
        return None if sign is None else kex + 1e6 / sign.signs_per_s

    def per_request_us(
        self, cipher: str | None, c2s_bytes: float, s2c_bytes: float, pipeline: int
    ) -> float | None:
        """The server's AEAD work per request: open the batch's record(s), seal the reply's, over `pipeline`
        requests (sealing and opening cost the same; `openssl speed` times sealing)."""
        aead = self.aead_for(cipher)
        if aead is None:
            return None
        batch_in, batch_out = round(c2s_bytes * pipeline), round(s2c_bytes * pipeline)
        return (aead.record_us(batch_in) + aead.record_us(batch_out)) / pipeline


def evp_name(cipher: str) -> str | None:
    """`openssl speed -evp` name for a negotiated cipher (TLS 1.3 suite or TLS 1.2 OpenSSL name)."""
    if cipher in _EVP:
        return _EVP[cipher]
    if "CHACHA20" in cipher:
        return "chacha20-poly1305"
    m = re.search(r"AES(128|256)-GCM", cipher)
    return f"aes-{m.group(1)}-gcm" if m else None


def negotiated_cipher(
    host: str, port: int, transport: Transport, ca: Path, timeout: float = 5.0
) -> str | None:
    """One real handshake with the bench's own client settings: the cipher the server picks."""
    from lab.bench.loadgen import client_context

    ctx = client_context(transport, ca)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            got = tls.cipher()
    except (OSError, ssl.SSLError):
        return None
    return got[0] if got else None


def _speed(args: list[str], timeout: float) -> str:
    binary = shutil.which("openssl")
    if binary is None:
        raise SpeedError("openssl is not installed (apt-get install openssl): no crypto floor")
    try:
        out = procs.run(
            [binary, "speed", "-mr", "-seconds", str(SPEED_SECONDS), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SpeedError(f"openssl speed {' '.join(args)} did not finish in {timeout:.0f} s") from exc
    return out.stdout


def parse_aead(text: str, cipher: str, evp: str) -> AeadSpeed:
    """`+H:16:64:...` then `+F:<n>:<NAME>:<bytes/s>...` (machine-readable `openssl speed -mr -evp`)."""
    head = next((line for line in text.splitlines() if line.startswith("+H:")), None)
    row = next((line for line in text.splitlines() if line.startswith("+F:")), None)
    if head is None or row is None:
        raise SpeedError(f"openssl speed -evp {evp} printed no +H/+F lines")
    sizes = tuple(int(x) for x in head.split(":")[1:])
    rates = tuple(float(x) for x in row.split(":")[3:])
    if len(sizes) != len(rates) or not sizes or min(rates) <= 0:
        raise SpeedError(f"openssl speed -evp {evp}: unreadable result {row!r}")
    return AeadSpeed(cipher, evp, sizes, rates)


def parse_asymmetric(text: str) -> tuple[dict[str, SignSpeed], float | None]:
    """`+F2:<n>:<bits>:<sign/s>:<verify/s>` (RSA), `+F4:...` (ECDSA), `+F5:<n>:<bits>:<op/s>:...` (ECDH)."""
    signs: dict[str, SignSpeed] = {}
    x25519 = None
    for line in text.splitlines():
        parts = line.split(":")
        if parts[0] == "+F2" and len(parts) >= 5:
            key = f"rsa-{parts[2]}"
            signs[key] = SignSpeed(key, float(parts[3]), float(parts[4]))
        elif parts[0] == "+F4" and len(parts) >= 5 and parts[2] == "256":
            signs["ecdsa-p256"] = SignSpeed("ecdsa-p256", float(parts[3]), float(parts[4]))
        elif parts[0] == "+F5" and len(parts) >= 4 and parts[2] == "253":
            x25519 = float(parts[3])
    return signs, x25519


def _aead_speed(evp: str, names: list[str], sizes: tuple[int, ...] | None, timeout: float) -> list[AeadSpeed]:
    """Every block size openssl measures (one second each), or only `sizes` (one run per size)."""
    if sizes is None:
        text = _speed(["-evp", evp], timeout)
        return [parse_aead(text, name, evp) for name in names]
    parts = [parse_aead(_speed(["-evp", evp, "-bytes", str(n)], timeout), evp, evp) for n in sizes]
    merged = tuple(x for p in parts for x in zip(p.sizes, p.bytes_per_s, strict=True))
    return [
        AeadSpeed(name, evp, tuple(n for n, _ in merged), tuple(r for _, r in merged)) for name in names
    ]


def measure(
    ciphers: set[str], key_types: set[str], timeout: float = 60.0, sizes: tuple[int, ...] | None = None
) -> CryptoFloor:
    """Run `openssl speed` for each negotiated cipher and certificate key; failures are data (error).
    `sizes`: the AEAD block sizes to measure, ascending (default: all of openssl's, 16 B ... 16 KiB)."""
    commands: list[str] = []
    aead: list[AeadSpeed] = []
    errors: list[str] = []
    version = "openssl not installed"
    if shutil.which("openssl"):
        version = procs.run(
            ["openssl", "version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    by_evp: dict[str, list[str]] = {}
    for cipher in sorted(ciphers):
        evp = evp_name(cipher)
        if evp is None:
            errors.append(f"no openssl speed name for cipher {cipher}")
        else:
            by_evp.setdefault(evp, []).append(cipher)
    for evp, names in sorted(by_evp.items()):  # TLS 1.2 and 1.3 suites often share one AEAD: measure it once
        each = [""] if sizes is None else [f" -bytes {n}" for n in sizes]
        commands += [f"openssl speed -mr -seconds {SPEED_SECONDS} -evp {evp}{b}" for b in each]
        try:
            aead += _aead_speed(evp, names, sizes, timeout)
        except SpeedError as exc:
            errors.append(str(exc))
    algs = [SIGN_ALGORITHMS[k] for k in sorted(key_types) if k in SIGN_ALGORITHMS] + ["ecdhx25519"]
    commands.append(f"openssl speed -mr -seconds {SPEED_SECONDS} {' '.join(algs)}")
    signs: dict[str, SignSpeed] = {}
    x25519 = None
    try:
        signs, x25519 = parse_asymmetric(_speed(algs, timeout))
    except SpeedError as exc:
        errors.append(str(exc))
    return CryptoFloor(
        openssl=version,
        aead=tuple(aead),
        sign=tuple(signs[k] for k in sorted(signs)),
        x25519_per_s=x25519,
        commands=tuple(commands),
        error="; ".join(errors) or None,
    )
