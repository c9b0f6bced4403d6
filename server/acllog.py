"""ACL LOG: denied commands, keys and channels, and failed authentications, newest first.

As in Redis 7.0, an event equal to a recent entry (same reason, context, object and user, within 60 s)
bumps that entry's count (and makes it the newest) instead of adding one; the list keeps acllog-max-len
entries.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

GROUPING_MS = 60_000  # ACL_LOG_GROUPING_MAX_TIME_DELTA


@dataclass
class Entry:
    count: int
    reason: str  # command | key | channel | auth
    context: str  # toplevel | multi | lua
    object: str
    username: str
    created_ms: int
    client_info: str

    def reply(self, now_ms: int) -> dict[bytes, Any]:
        return {
            b"count": self.count,
            b"reason": self.reason.encode(),
            b"context": self.context.encode(),
            b"object": self.object.encode("utf-8", "surrogateescape"),
            b"username": self.username.encode("utf-8", "surrogateescape"),
            b"age-seconds": (now_ms - self.created_ms) / 1000,
            b"client-info": self.client_info.encode("utf-8", "surrogateescape"),
        }


class AclLog:
    def __init__(self) -> None:
        self.entries: list[Entry] = []  # newest first

    def add(self, reason: str, context: str, obj: str, username: str, client_info: str, max_len: int) -> None:
        now = time.time_ns() // 1_000_000
        key = (reason, context, obj, username)
        for i, entry in enumerate(self.entries[:10]):  # Redis looks at the most recent entries only
            if (entry.reason, entry.context, entry.object, entry.username) == key and (
                now - entry.created_ms < GROUPING_MS
            ):
                entry.count += 1
                entry.client_info = client_info
                entry.created_ms = now
                self.entries.insert(0, self.entries.pop(i))  # the updated entry becomes the newest
                return
        self.entries.insert(0, Entry(1, reason, context, obj, username, now, client_info))
        del self.entries[max_len:]

    def reset(self) -> None:
        self.entries.clear()
