"""Captures made by the tests: crafted TCP conversations (scapy) and live TLS sessions (dumpcap + key log).

Nothing here is committed as a file: every pcap and key log is written into the test's tmp_path.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.capture import Capture
from lab.pki import CA

CLIENT, SERVER = True, False
Turn = tuple[bool, bytes]  # (sent by the client, payload)


def conversation(
    turns: Sequence[Turn], sport: int = 50123, dport: int = 6379, handshake: bool = True
) -> list[object]:
    """scapy packets of one TCP connection on loopback: optional handshake, one segment per turn, no FIN."""
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether

    seq = {CLIENT: 1000, SERVER: 900_000}
    packets: list[object] = []

    def pkt(from_client: bool, flags: str, payload: bytes = b"") -> object:
        src, dst = (sport, dport) if from_client else (dport, sport)
        return (
            Ether()
            / IP(src="127.0.0.1", dst="127.0.0.1")
            / TCP(sport=src, dport=dst, flags=flags, seq=seq[from_client], ack=seq[not from_client])
            / payload
        )

    if handshake:
        packets += [pkt(CLIENT, "S")]
        seq[CLIENT] += 1
        packets += [pkt(SERVER, "SA")]
        seq[SERVER] += 1
        packets += [pkt(CLIENT, "A")]
    for from_client, payload in turns:
        packets.append(pkt(from_client, "PA", payload))
        seq[from_client] += len(payload)
    return packets


def write(path: Path, packets: Sequence[object]) -> Path:
    from scapy.utils import wrpcap

    wrpcap(str(path), list(packets))
    return path


def rewrite_ports(src: Path, dst: Path, ports: dict[int, int]) -> Path:
    """The same capture with TCP ports renamed (a session captured on a free port, shown as if on 443)."""
    from scapy.layers.inet import TCP
    from scapy.utils import rdpcap, wrpcap

    packets = rdpcap(str(src))
    for p in packets:
        if TCP in p:
            p[TCP].sport = ports.get(p[TCP].sport, p[TCP].sport)
            p[TCP].dport = ports.get(p[TCP].dport, p[TCP].dport)
            del p[TCP].chksum
    wrpcap(str(dst), packets)
    return dst


@dataclass(frozen=True)
class TlsCapture:
    pcap: Path
    keylog: Path
    port: int


def tls_session(
    tmp: Path,
    exchange: Sequence[tuple[bytes, bytes]],
    version: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
    alpn: str | None = None,
) -> TlsCapture:
    """A real TLS session on loopback, captured by dumpcap, with its key log: each (request, reply)."""
    ca = CA()
    leaf = ca.issue("localhost")
    files = leaf.write(tmp, "server")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(files.cert, files.key)
    if alpn:
        server_ctx.set_alpn_protocols([alpn])
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            for request, reply in exchange:
                got = b""
                while len(got) < len(request):
                    chunk = tls.recv(65536)
                    if not chunk:
                        return
                    got += chunk
                tls.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    out = tmp / "tls.pcapng"
    with Capture(ports=[port], out=out, method="dumpcap") as cap:
        thread.start()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ctx.maximum_version = version
        ctx.load_verify_locations(cadata=ca.cert_pem.decode())
        ctx.keylog_filename = str(cap.keylog)
        if alpn:
            ctx.set_alpn_protocols([alpn])
        with ctx.wrap_socket(
            socket.create_connection(("127.0.0.1", port), 5), server_hostname="localhost"
        ) as c:
            for request, reply in exchange:
                c.sendall(request)
                got = b""
                while len(got) < len(reply):
                    got += c.recv(65536)
        thread.join(5)
    listener.close()
    return TlsCapture(out, cap.keylog, port)


Check = Callable[[Path], None]


# Hand-built TLS handshakes, for what no modern library will speak (SSLv2 hellos, SSLv3, RC4, DSA certs).
def tls_record(ctype: int, version: int, body: bytes) -> bytes:
    return bytes([ctype]) + version.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body


def handshake(hs_type: int, body: bytes) -> bytes:
    return bytes([hs_type]) + len(body).to_bytes(3, "big") + body


def client_hello(version: int = 0x0303, ciphers: Sequence[int] = (0x002F,)) -> bytes:
    suites = b"".join(c.to_bytes(2, "big") for c in ciphers)
    body = (
        version.to_bytes(2, "big")
        + b"\x11" * 32
        + b"\x00"
        + len(suites).to_bytes(2, "big")
        + suites
        + b"\x01\x00"
    )
    return tls_record(22, 0x0301, handshake(1, body))


def sslv2_client_hello(specs: Sequence[int] = (0x010080, 0x030080, 0x000004, 0x000003)) -> bytes:
    """The SSLv2-format CLIENT-HELLO old clients sent, offering SSLv3 (version 0x0300) inside it."""
    cipher_specs = b"".join(s.to_bytes(3, "big") for s in specs)
    challenge = b"\x22" * 16
    msg = (
        b"\x01\x03\x00"
        + len(cipher_specs).to_bytes(2, "big")
        + b"\x00\x00"
        + len(challenge).to_bytes(2, "big")
        + cipher_specs
        + challenge
    )
    return (0x8000 | len(msg)).to_bytes(2, "big") + msg


def server_flight(version: int, cipher: int, certs: Sequence[bytes]) -> bytes:
    """ServerHello + Certificate + ServerHelloDone, as one record (TLS <= 1.2: all in clear)."""
    hello = version.to_bytes(2, "big") + b"\x33" * 32 + b"\x00" + cipher.to_bytes(2, "big") + b"\x00"
    chain = b"".join(len(c).to_bytes(3, "big") + c for c in certs)
    cert_msg = len(chain).to_bytes(3, "big") + chain
    body = handshake(2, hello) + handshake(11, cert_msg) + handshake(14, b"")
    return tls_record(22, version, body)


def self_signed_der(key_kind: str = "dsa") -> bytes:
    """A self-signed certificate with a DSA, RSA or EC key (DER)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key: dsa.DSAPrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if key_kind == "dsa":
        key = dsa.generate_private_key(2048)
    elif key_kind == "rsa":
        key = rsa.generate_private_key(65537, 2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"self-{key_kind}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


RSA_ENCRYPTION_OID = bytes.fromhex("06092a864886f70d010101")
UNKNOWN_KEY_OID = bytes.fromhex("06092b0601040182379901")  # same length: the DER stays well-formed


def unknown_key_der() -> bytes:
    """A certificate whose key algorithm `cryptography` does not know (as an ML-DSA test cert is to it)."""
    der = self_signed_der("rsa")
    assert der.count(RSA_ENCRYPTION_OID) == 1
    return der.replace(RSA_ENCRYPTION_OID, UNKNOWN_KEY_OID)
