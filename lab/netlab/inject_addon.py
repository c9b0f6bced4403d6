"""mitmproxy addon (loaded with -s by lab.netlab.samecas): a fake primary's lie, told from the middle.

On a replication link it relays, it puts one forged command in front of the primary's first message after the
full sync's snapshot: the replica applies it as if the primary had sent it. Not in the snapshot's own message:
a diskless sync ends with a 40-byte mark that the replica looks for at the end of a read, so bytes glued after
it would be taken for more snapshot. Option `tlslab_inject`: the command
as a JSON list of strings ("" = inject nothing).
"""

from __future__ import annotations

import json
from typing import Any

from lab.mitm.tamper import command
from lab.resp_reader import RespReader

INJECT_OPTION = "tlslab_inject"


class InjectAfterSnapshot:
    def __init__(self) -> None:
        self.forged: bytes = b""
        self._readers: dict[str, RespReader] = {}
        self._armed: set[str] = set()  # the snapshot has passed: the next primary message carries the lie
        self._done: set[str] = set()

    def load(self, loader: Any) -> None:
        loader.add_option(INJECT_OPTION, str, "", "JSON list: the command to inject after a full sync.")

    def configure(self, updated: set[str]) -> None:
        from mitmproxy import ctx

        if INJECT_OPTION in updated:
            raw = getattr(ctx.options, INJECT_OPTION)
            self.forged = command([a.encode() for a in json.loads(raw)]) if raw else b""

    def tcp_message(self, flow: Any) -> None:
        message = flow.messages[-1]
        conn = flow.client_conn.id
        if message.from_client or not self.forged or conn in self._done:
            return
        if conn in self._armed:
            message.content = self.forged + message.content
            self._done.add(conn)
            return
        reader = self._readers.setdefault(conn, RespReader("strict"))
        if any(frame.wire.kind == "rdb" for frame in reader.feed(message.content)):
            self._armed.add(conn)


addons = [InjectAfterSnapshot()]
