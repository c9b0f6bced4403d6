"""The lab attacks only its own targets: every attack entry point asks here first.

Allowed: loopback (127.0.0.0/8, ::1) and the addresses of the lab's own live namespace hosts (lab.netlab
registers them while its network is up, with `lab_hosts`). Anything else is refused with a clear message,
unless the caller passes `allow_non_loopback=True` (CLI: `--i-own-this-network`), a name that says what
it does.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections import Counter
from collections.abc import Iterable, Iterator

from lab.errors import UserError

OVERRIDE_FLAG = "--i-own-this-network"

_lock = threading.Lock()
_lab_hosts: Counter[str] = Counter()  # address -> live networks that have a host there (runs may overlap)


class NotLoopbackError(UserError):
    """An attack was pointed at an address that is neither loopback nor a live lab host."""


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


@contextlib.contextmanager
def lab_hosts(addresses: Iterable[str]) -> Iterator[None]:
    """While the block runs, these addresses (hosts of a lab network being up) are allowed targets."""
    normal = [str(ipaddress.ip_address(a)) for a in addresses]
    with _lock:
        _lab_hosts.update(normal)
    try:
        yield
    finally:
        with _lock:
            _lab_hosts.subtract(normal)
            for a in [a for a, n in _lab_hosts.items() if n <= 0]:
                del _lab_hosts[a]


def is_allowed(host: str) -> bool:
    """Loopback, or an address of a live lab host (a name is judged by every address it resolves to)."""
    with _lock:
        live = set(_lab_hosts)
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback or a in live for a in _addresses(host))


def require_loopback(*hosts: str, allow_non_loopback: bool = False) -> None:
    """Raise NotLoopbackError unless every host is loopback or a live lab host, or other networks were
    explicitly allowed."""
    if allow_non_loopback:
        return
    for host in hosts:
        if not is_allowed(host):
            raise NotLoopbackError(
                f"refusing to attack {host!r}: it is neither a loopback address (127.0.0.0/8, ::1) nor a "
                f"host of a lab network that is up. The lab attacks only its own targets; if you own that "
                f"network and mean it, pass allow_non_loopback=True (CLI: {OVERRIDE_FLAG})"
            )
