"""NSS key log files (SSLKEYLOGFILE), validated before tshark sees them: garbage fails with a clear line."""

from __future__ import annotations

import re
from pathlib import Path

from lab.errors import UserError, require_input_file

LABELS = frozenset(
    {
        "CLIENT_RANDOM",
        "RSA",
        "CLIENT_EARLY_TRAFFIC_SECRET",
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EARLY_EXPORTER_SECRET",
        "EXPORTER_SECRET",
    }
)
_LINE = re.compile(r"^(?P<label>[A-Z_0-9]+) (?P<random>[0-9a-fA-F]{16,}) (?P<secret>[0-9a-fA-F]{32,})$")


def require_keylog(path: Path, missing: str = "") -> None:
    """A regular, readable file (a FIFO would block the read forever)."""
    require_input_file(path, "key log", "pass the SSLKEYLOGFILE written by the TLS clients",
                       missing or "pass the SSLKEYLOGFILE written during the capture")


def client_randoms(path: Path) -> frozenset[str]:
    """ClientHello randoms (lowercase hex) the key log has secrets for; UserError if it is no key log."""
    require_keylog(path)
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError:
        raise UserError(
            f"key log {path} is not an NSS key log (binary content): pass an SSLKEYLOGFILE"
        ) from None
    except OSError as exc:
        raise UserError(
            f"key log {path} cannot be read ({exc.strerror}): check the path and permissions"
        ) from None
    randoms = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None or match["label"] not in LABELS:
            raise UserError(
                f"key log {path} line {number} is not an NSS key log line "
                "('LABEL <client random> <secret>'): "
                "pass the SSLKEYLOGFILE written by the TLS clients"
            )
        randoms.add(match["random"].lower())
    if not randoms:
        raise UserError(
            f"key log {path} holds no keys: it is empty; was SSLKEYLOGFILE set before the clients ran?"
        )
    return frozenset(randoms)
