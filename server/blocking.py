"""Blocking commands (BLPOP, BLMOVE, BZPOPMIN, WAIT ...): who waits on which keys, woken in FIFO order.

As in Redis 7.0's blocked.c: a handler that finds nothing to pop returns a `Block`; the dispatcher parks
the client here and holds the rest of its pipeline. A write that sets or changes a key somebody waits on
marks it ready (Database.set / touch); after that command (or the whole EXEC) the dispatcher calls
`serve_ready`, which offers the key to its waiters, first blocked first, until it is empty. A timer answers
a waiter whose timeout ran out. Nothing here runs while nobody is blocked, and nothing polls.

No I/O: a woken client's reply goes out through `client.send`, and `client.resume` (set by the network
layer) runs the commands it had pipelined after the blocking one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any

from server import resp
from server.commands.registry import CommandError
from server.commands.waits import Attempt, Block
from server.texts import UNBLOCKED

if TYPE_CHECKING:
    from server.keyspace import Database, Keyspace
    from server.state import ClientState, ServerState

class Waiter:
    __slots__ = ("attempt", "client", "db", "keys", "kind", "timeout_reply", "timer")

    attempt: Attempt | None

    def __init__(self, client: ClientState, db: Database, request: Block) -> None:
        self.client = client
        self.db = db
        self.keys = list(dict.fromkeys(request.keys))  # BLPOP k k waits once on k
        self.kind = request.kind
        self.attempt = request.attempt
        self.timeout_reply = request.timeout_reply
        self.timer: asyncio.TimerHandle | None = None


class Blocking:
    """The server's blocked clients."""

    __slots__ = ("_keyspace", "_server", "waiters")

    def __init__(self, server: ServerState, keyspace: Keyspace) -> None:
        self._server = server
        self._keyspace = keyspace
        self.waiters: dict[ClientState, Waiter] = {}

    @property
    def with_timeout(self) -> int:
        """INFO clients_in_timeout_table: blocked clients whose timeout is not 0."""
        return sum(1 for w in self.waiters.values() if w.timer is not None)

    def park(self, client: ClientState, request: Block) -> None:
        waiter = Waiter(client, client.ctx.db, request)
        client.blocked = waiter
        self.waiters[client] = waiter
        queues = waiter.db.blocked
        for key in waiter.keys:
            queue = queues.get(key)
            if queue is None:
                queues[key] = queue = deque()
            queue.append(waiter)
        if request.timeout_ms:
            loop = asyncio.get_running_loop()
            waiter.timer = loop.call_later(request.timeout_ms / 1000, self._timed_out, waiter)

    def _unpark(self, waiter: Waiter) -> None:
        client = waiter.client
        client.blocked = None
        self.waiters.pop(client, None)
        queues = waiter.db.blocked
        for key in waiter.keys:
            queue = queues.get(key)
            if queue is not None:
                queue.remove(waiter)
                if not queue:
                    del queues[key]
        if waiter.timer is not None:
            waiter.timer.cancel()
            waiter.timer = None

    def forget(self, client: ClientState) -> None:
        """The client disconnected or was killed: it leaves every queue without a reply."""
        waiter = self.waiters.get(client)
        if waiter is not None:
            self._unpark(waiter)
            client.held = []

    def unblock(self, client: ClientState, error: bool) -> bool:
        """CLIENT UNBLOCK: answer as on timeout, or with -UNBLOCKED; False when the client is not blocked."""
        waiter = self.waiters.get(client)
        if waiter is None:
            return False
        self._unpark(waiter)
        if error:
            self._server.stats.total_error_replies += 1
            self._deliver(client, resp.ErrorReply(UNBLOCKED))
        else:
            self._deliver(client, waiter.timeout_reply)
        return True

    def _timed_out(self, waiter: Waiter) -> None:
        waiter.timer = None
        if self.waiters.get(waiter.client) is waiter:
            self._unpark(waiter)
            self._deliver(waiter.client, waiter.timeout_reply)

    def serve_ready(self) -> None:
        """Offer every ready key to its waiters in the order they blocked, while the key has something
        for them; a serve that pushes (BLMOVE) readies its destination, which is served in turn."""
        ready = self._keyspace.ready
        while ready:
            db, key = next(iter(ready))
            del ready[(db, key)]
            queue = db.blocked.get(key)
            if not queue:
                continue
            for waiter in list(queue):
                value = db.lookup(key)
                if value is None:
                    break
                if type(value) is not waiter.kind or waiter.client.blocked is not waiter:
                    continue  # waits for another type (BLPOP and BZPOPMIN on one key): stays blocked
                reply = self._attempt(waiter, key)
                if reply is not None:
                    self._deliver(waiter.client, reply)

    def _attempt(self, waiter: Waiter, key: bytes) -> Any:
        client = waiter.client
        ctx = client.ctx
        server = self._server
        assert waiter.attempt is not None  # only key waiters are offered keys
        ctx.log = None
        try:
            reply = waiter.attempt(ctx, key)
        except CommandError as e:  # BLMOVE to a destination of another type: the waiter gets WRONGTYPE
            server.stats.total_error_replies += 1
            reply = resp.ErrorReply(e.message)
        if reply is None:
            return None
        self._unpark(waiter)
        if server.aof is not None and ctx.log:
            server.aof.feed(client.db_index, ctx.log)
        return reply

    def _deliver(self, client: ClientState, reply: Any) -> None:
        out: list[bytes] = []
        resp.write(out, reply, client.proto)
        aof = self._server.aof
        if aof is not None:
            aof.before_reply()  # appendfsync always: the pop is on disk before its reply leaves
        client.send(b"".join(out))
        client.resume()

