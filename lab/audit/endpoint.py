"""HOST:PORT of the server to audit, and the rule that an audit scans only what the user owns."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from lab.attacks.safety import OVERRIDE_FLAG, require_loopback
from lab.errors import UserError


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_endpoint(text: str, default_port: int | None = None) -> Endpoint:
    """`127.0.0.1:6380`, `localhost:6380`, `[::1]:6380` (or a bare host when default_port is given)."""
    host, sep, port_text = text.rpartition(":")
    if text.startswith("[") and "]" in text:
        inside, _, rest = text[1:].partition("]")
        host, sep, port_text = inside, ":" if rest.startswith(":") else "", rest[1:]
    elif not sep or ":" in host:  # no port, or a bare IPv6 address
        host, port_text = text, ""
    if not port_text:
        if default_port is None:
            raise UserError(f"endpoint {text!r} has no port: write HOST:PORT, e.g. 127.0.0.1:6380")
        return Endpoint(host, default_port)
    try:
        port = int(port_text)
    except ValueError:
        raise UserError(f"port {port_text!r} in {text!r} is not a number: write HOST:PORT") from None
    if not host or not 0 < port < 65536:
        raise UserError(f"endpoint {text!r} is not HOST:PORT with a port in 1-65535")
    return Endpoint(host, port)


def require_owned(endpoint: Endpoint, i_own_this_network: bool) -> None:
    """An audit is a scan of someone's server: loopback and live lab hosts only, unless the user says so."""
    try:
        require_loopback(endpoint.host, allow_non_loopback=i_own_this_network)
    except UserError as exc:
        raise UserError(
            f"refusing to probe {endpoint}: it is neither loopback nor a host of a running lab network. "
            f"Probe only servers you own; if you own it, pass {OVERRIDE_FLAG}"
        ) from exc


def require_listening(endpoint: Endpoint, timeout: float = 3.0) -> None:
    """Nothing accepting connections at HOST:PORT is bad input (a typo, a stopped server), not a finding:
    an audit or bench of nothing must not pass a CI gate, nor wait on a client that retries forever."""
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
            return
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise UserError(f"nothing accepts connections at {endpoint} ({why}): start the server, or fix "
                        "HOST:PORT") from None


def require_client_files(ca: Path | None, cert: Path | None, key: Path | None) -> None:
    """--ca, --cert, --key load as a TLS client would load them, or one line names the file and the fault
    (not PEM, a key that does not match): found before any probe, not as a traceback or a skipped check."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca is not None:
        try:
            ctx.load_verify_locations(cafile=ca)
        except (ssl.SSLError, ValueError) as exc:
            raise UserError(f"--ca {ca} holds no usable PEM certificate ({exc}): pass the CA that signed the "
                            "server's certificate") from None
    if cert is not None:
        try:
            ctx.load_cert_chain(cert, key)
        except ssl.SSLError as exc:
            raise UserError(f"--cert {cert} / --key {key or cert} cannot be used ({exc}): pass a PEM "
                            "certificate and its own private key") from None
