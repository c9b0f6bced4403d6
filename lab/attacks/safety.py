"""The lab attacks loopback only: every attack entry point asks here first.

Anything outside 127.0.0.0/8 or ::1 is refused with a clear message, unless the caller passes
`allow_non_loopback=True` (CLI: `--i-own-this-network`), a name that says what it does.
"""

from __future__ import annotations

import ipaddress
import socket

from lab.errors import UserError

OVERRIDE_FLAG = "--i-own-this-network"


class NotLoopbackError(UserError):
    """An attack was pointed at an address that is not loopback."""


def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise NotLoopbackError(f"cannot resolve attack target {host!r} ({exc}); use 127.0.0.1") from exc
    return sorted({str(info[4][0]) for info in infos})


def is_loopback(host: str) -> bool:
    """True only if every address the name resolves to is loopback (a name may resolve to several)."""
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in _addresses(host))


def require_loopback(*hosts: str, allow_non_loopback: bool = False) -> None:
    """Raise NotLoopbackError unless every host is loopback or other networks were explicitly allowed."""
    if allow_non_loopback:
        return
    for host in hosts:
        if not is_loopback(host):
            raise NotLoopbackError(
                f"refusing to attack {host!r}: it is not a loopback address (127.0.0.0/8, ::1). The lab "
                f"attacks only its own loopback targets; if you own that network and mean it, pass "
                f"allow_non_loopback=True (CLI: {OVERRIDE_FLAG})"
            )
