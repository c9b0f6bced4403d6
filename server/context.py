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
    """Execution context of a client's commands: one per client, reused for every command (slots only).

    `db` is a plain attribute, not a lookup through server → keyspace → client.db_index: handlers read it
    on every command. ClientState keeps it in step whenever db_index changes (SELECT, RESET).
    """

    __slots__ = ("client", "db", "log", "server")

    def __init__(self, server: ServerState, client: ClientState) -> None:
        self.server = server
        self.client = client
        self.db: Database = server.keyspace.db(client.db_index)
        # None: the AOF receives the command as sent. A list: the AOF receives these commands instead
        # (relative expiries become PEXPIREAT so that a replay is exact); [] logs nothing.
        self.log: list[list[bytes]] | None = None

    @property
    def keyspace(self) -> Keyspace:
        return self.server.keyspace

    def log_as(self, *argvs: list[bytes]) -> None:
        self.log = list(argvs)

    @staticmethod
    def now_ms() -> int:
        return time.time_ns() // 1_000_000
