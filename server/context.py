"""What a command handler sees: the server, the calling client, its selected database.

Handlers never touch sockets; they return a reply value (see server.resp) or raise CommandError.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.keyspace import Database, Keyspace
    from server.state import ClientState, ServerState


class Ctx:
    """Execution context of one command. Built by the dispatcher for every call (cheap: slots only)."""

    __slots__ = ("client", "log", "server")

    def __init__(self, server: ServerState, client: ClientState) -> None:
        self.server = server
        self.client = client
        # None: the AOF receives the command as sent. A list: the AOF receives these commands instead
        # (relative expiries become PEXPIREAT so that a replay is exact); [] logs nothing.
        self.log: list[list[bytes]] | None = None

    @property
    def keyspace(self) -> Keyspace:
        return self.server.keyspace

    @property
    def db(self) -> Database:
        return self.server.keyspace.db(self.client.db_index)

    def log_as(self, *argvs: list[bytes]) -> None:
        self.log = list(argvs)

    @staticmethod
    def now_ms() -> int:
        return time.time_ns() // 1_000_000
