"""Run code inside a network namespace: a child process (setns before exec) or a function (in a thread).

A network namespace belongs to a task (a thread), not to the whole process, and a child inherits the namespace
of the thread that forks it; a socket stays in the namespace where it was created. So:
- `popen(ns, argv)`: the child joins the namespace between fork and exec (long-running servers, tools);
- `call(ns, fn)`: fn runs in a fresh thread that joined the namespace: the sockets it opens (redis-py clients)
  and the processes it starts (lab.targets, lab.capture, lab.mitm) live there, and the caller's thread never
  leaves the root namespace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from lab import procs

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/run/netns")  # where `ip netns` keeps its bind mounts: `ip netns list` sees ours
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_setns = _libc.setns
_setns.argtypes = (ctypes.c_int, ctypes.c_int)
_setns.restype = ctypes.c_int


class NamespaceError(OSError):
    """A namespace could not be joined (it is gone, or we lack CAP_SYS_ADMIN)."""


def ns_path(name: str) -> Path:
    return NETNS_DIR / name


def join(name: str) -> None:
    """Move the calling thread into the namespace `name`."""
    fd = os.open(ns_path(name), os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise NamespaceError(err, f"setns into {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def popen(name: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """subprocess.Popen with the child inside namespace `name` before it execs `argv`.

    The namespace is opened in the parent (an error is raised here, not lost in the child), and the child only
    calls setns(2) on the open descriptor. Own session by default: a terminal's Ctrl-C reaches the lab, which
    stops the child itself.
    """
    fd = os.open(ns_path(name), os.O_RDONLY)

    def enter() -> None:
        if _setns(fd, CLONE_NEWNET) != 0:
            os._exit(126)

    kwargs.setdefault("start_new_session", True)
    try:
        # preexec_fn runs before close_fds closes the descriptor in the child
        return procs.spawn(argv, preexec_fn=enter, **kwargs)
    finally:
        os.close(fd)


def call(name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) in a thread that joined namespace `name`; its result returned, its error raised."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            join(name)
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"netns-{name}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)  # short joins keep the caller interruptible by Ctrl-C
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value
