"""Fit maxclients to the open-files limit at start, as Redis's adjustOpenFilesLimit does.

Every client (and every TLS connection still in its handshake) holds a file descriptor. When the limit
is lower than maxclients + 32, accept() fails with EMFILE and every new client, legitimate or not, is
locked out; Redis instead raises the limit if it may, else lowers maxclients and says so.
"""

from __future__ import annotations

import errno
import os
import resource
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.config import Config
    from server.log import RedisLog

MIN_RESERVED_FDS = 32  # Redis's CONFIG_MIN_RESERVED_FDS: listeners, log, AOF, and some slack


class FdLimitError(Exception):
    """The limit is too low to serve anyone; str(err) is Redis's line."""


def adjust_open_files_limit(cfg: Config, log: RedisLog) -> None:
    maxclients = cfg["maxclients"]
    maxfiles = maxclients + MIN_RESERVED_FDS
    oldlimit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if oldlimit == resource.RLIM_INFINITY or oldlimit >= maxfiles:
        return
    best = maxfiles
    error = 0
    while best > oldlimit:  # the wanted limit, else the highest one allowed above the current
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (best, best))  # both, as Redis does
            break
        except (ValueError, OSError) as e:
            error = getattr(e, "errno", None) or errno.EPERM
        if best < 16:
            best = oldlimit
            break
        best -= 16
    best = max(best, oldlimit)
    if best >= maxfiles:
        log.notice(
            f"Increased maximum number of open files to {maxfiles} (it was originally set to {oldlimit})."
        )
        return
    if best <= MIN_RESERVED_FDS:
        raise FdLimitError(
            f"Your current 'ulimit -n' of {oldlimit} is not enough for the server to start. "
            f"Please increase your open file limit to at least {maxfiles}. Exiting."
        )
    reduced = best - MIN_RESERVED_FDS
    cfg.set("maxclients", str(reduced))
    log.warning(
        f"You requested maxclients of {maxclients} requiring at least {maxfiles} max file descriptors."
    )
    log.warning(
        f"Server can't set maximum open files to {maxfiles} because of OS error: {os.strerror(error)}."
    )
    log.warning(
        f"Current maximum open files is {best}. maxclients has been reduced to {reduced} to compensate for "
        "low ulimit. If you need higher maxclients increase 'ulimit -n'."
    )
