"""MIGRATE's link to the target server: one TCP connection, written and read with a timeout per step, as
Redis's syncWrite / syncReadLine do. MIGRATE is synchronous in Redis too (its event loop waits for the
target's replies), so the bundled server waits the same way, at most the timeout per step.

Replies are read a line at a time: what MIGRATE sends (AUTH, SELECT, RESTORE) is answered by one
status or error line each.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field


@dataclass
class LinkError(Exception):
    stage: str  # "connecting" (the address does not resolve), "writing" or "reading"
    timed_out: bool
    lines: list[bytes] = field(default_factory=list)  # replies read before the failure


def exchange(host: str, port: int, timeout_ms: int, request: bytes, replies: int) -> list[bytes]:
    """Send `request`, read `replies` reply lines (without CRLF)."""
    timeout = timeout_ms / 1000
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror:
        raise LinkError("connecting", False) from None
    except OSError as e:
        # Redis connects without blocking and learns of a refused or timed-out connection only when it
        # writes the request: it reports "writing" then.
        raise LinkError("writing", isinstance(e, TimeoutError)) from None
    with sock:
        try:
            sock.sendall(request)
        except OSError as e:
            raise LinkError("writing", isinstance(e, TimeoutError)) from None
        lines: list[bytes] = []
        buf = b""
        try:
            while len(lines) < replies:
                end = buf.find(b"\r\n")
                if end >= 0:
                    lines.append(buf[:end])
                    buf = buf[end + 2 :]
                    continue
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed by the target")
                buf += chunk
        except OSError as e:
            raise LinkError("reading", isinstance(e, TimeoutError), lines) from None
        return lines
