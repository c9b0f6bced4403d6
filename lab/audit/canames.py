"""The CA names a server lists in its CertificateRequest (who it accepts client certificates from).

sslyze does not expose them; `openssl s_client` prints them. Errors are data: an empty tuple and a reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lab import procs
from lab.audit.endpoint import Endpoint

_HEADER = "Acceptable client certificate CA names"


def ca_names(
    endpoint: Endpoint,
    server_name: str | None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
    timeout: float = 5.0,
) -> tuple[tuple[str, ...], str]:
    """(names, error). A server that asks for no certificate, or names no CA, gives ((), "")."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return (), "openssl not found: apt-get install openssl"
    argv = [
        openssl,
        "s_client",
        "-connect",
        str(endpoint),
        "-servername",
        server_name or endpoint.host,
        "-tls1_2",
    ]  # TLS 1.2: the CertificateRequest comes before any client certificate is needed
    if client_cert is not None:
        argv += ["-cert", str(client_cert), "-key", str(client_key or client_cert)]
    try:
        out = procs.run(argv, input=b"", capture_output=True, timeout=timeout).stdout.decode(
            "utf-8", "replace"
        )
    except subprocess.TimeoutExpired:
        return (), f"openssl s_client got no answer within {timeout:.0f} s"
    lines = out.splitlines()
    if _HEADER not in lines:
        return (), ""
    names = []
    for line in lines[lines.index(_HEADER) + 1 :]:
        if not line.strip() or line.startswith(
            ("Requested Signature", "Client Certificate Types", "Shared ", "---")
        ):
            break
        names.append(line.strip())
    return tuple(names), ""
