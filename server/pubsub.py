"""Who listens to what: channel, pattern and shard-channel subscriptions, and delivery of PUBLISHed and
SPUBLISHed messages. Shard channels (Redis 7.0's sharded pub/sub) are a namespace of their own: SPUBLISH
reaches SSUBSCRIBErs only (no pattern matching), and SSUBSCRIBE's confirmations count shard channels only.

No I/O: a message goes to a subscriber through its ClientState.send, encoded for its protocol (RESP3: a
push frame; RESP2: a plain array). Subscription order is kept (dicts), as Redis lists them in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server import resp
from server.stringmatch import compile_pattern

if TYPE_CHECKING:
    from server.state import ClientState
    from server.stringmatch import Matcher


class Subscriptions:
    """One client's channels and patterns."""

    __slots__ = ("channels", "patterns", "shard")

    def __init__(self) -> None:
        self.channels: dict[bytes, None] = {}
        self.patterns: dict[bytes, None] = {}
        self.shard: dict[bytes, None] = {}

    def count(self) -> int:
        """What (P)SUBSCRIBE confirmations show: channels and patterns."""
        return len(self.channels) + len(self.patterns)

    def total(self) -> int:
        return len(self.channels) + len(self.patterns) + len(self.shard)


class PubSub:
    def __init__(self) -> None:
        self.channels: dict[bytes, dict[ClientState, None]] = {}
        self.patterns: dict[bytes, dict[ClientState, None]] = {}
        self.shard_channels: dict[bytes, dict[ClientState, None]] = {}
        self._matchers: dict[bytes, Matcher] = {}
        self.clients: dict[ClientState, Subscriptions] = {}

    def of(self, client: ClientState) -> Subscriptions:
        subs = self.clients.get(client)
        if subs is None:
            subs = self.clients[client] = Subscriptions()
        return subs

    def count(self, client: ClientState) -> int:
        subs = self.clients.get(client)
        return 0 if subs is None else subs.count()

    def subscribe(self, client: ClientState, channel: bytes, pattern: bool) -> int:
        subs = self.of(client)
        mine, table = (subs.patterns, self.patterns) if pattern else (subs.channels, self.channels)
        if channel not in mine:
            mine[channel] = None
            table.setdefault(channel, {})[client] = None
            if pattern and channel not in self._matchers:
                self._matchers[channel] = compile_pattern(channel)
        client.subscribed = True
        return subs.count()

    def unsubscribe(self, client: ClientState, channel: bytes, pattern: bool) -> int:
        subs = self.clients.get(client)
        if subs is None:
            return 0
        mine, table = (subs.patterns, self.patterns) if pattern else (subs.channels, self.channels)
        if mine.pop(channel, 0) is None:
            listeners = table[channel]
            del listeners[client]
            if not listeners:
                del table[channel]
                self._matchers.pop(channel, None) if pattern else None
        left = subs.count()
        self._settle(client, subs)
        return left

    def _settle(self, client: ClientState, subs: Subscriptions) -> None:
        if not subs.total():
            del self.clients[client]
            client.subscribed = False

    def subscribe_shard(self, client: ClientState, channel: bytes) -> int:
        subs = self.of(client)
        if channel not in subs.shard:
            subs.shard[channel] = None
            self.shard_channels.setdefault(channel, {})[client] = None
        client.subscribed = True
        return len(subs.shard)

    def unsubscribe_shard(self, client: ClientState, channel: bytes) -> int:
        subs = self.clients.get(client)
        if subs is None:
            return 0
        if subs.shard.pop(channel, 0) is None:
            listeners = self.shard_channels[channel]
            del listeners[client]
            if not listeners:
                del self.shard_channels[channel]
        left = len(subs.shard)
        self._settle(client, subs)
        return left

    def publish_shard(
        self, channel: bytes, message: bytes, sender: ClientState
    ) -> tuple[int, list[resp.Push]]:
        """SPUBLISH: like publish, to shard subscribers only, as 'smessage' frames."""
        own: list[resp.Push] = []
        frame = resp.Push([b"smessage", channel, message])
        listeners = self.shard_channels.get(channel, ())
        for client in listeners:
            _deliver(client, frame, sender, own)
        return len(listeners), own

    def forget(self, client: ClientState) -> None:
        """Drop every subscription of a client (disconnect, RESET)."""
        subs = self.clients.get(client)
        if subs is None:
            return
        for channel in list(subs.channels):
            self.unsubscribe(client, channel, pattern=False)
        for pattern in list(subs.patterns):
            self.unsubscribe(client, pattern, pattern=True)
        for channel in list(subs.shard):
            self.unsubscribe_shard(client, channel)

    def publish(self, channel: bytes, message: bytes, sender: ClientState) -> tuple[int, list[resp.Push]]:
        """Deliver to every subscriber; returns the receiver count and the frames meant for the sender
        itself (they go out in its reply, ahead of PUBLISH's own answer, as Redis orders them)."""
        receivers = 0
        own: list[resp.Push] = []
        frame = resp.Push([b"message", channel, message])
        for client in self.channels.get(channel, ()):
            receivers += 1
            _deliver(client, frame, sender, own)
        for pattern, listeners in self.patterns.items():
            if self._matchers[pattern](channel):
                pframe = resp.Push([b"pmessage", pattern, channel, message])
                for client in listeners:
                    receivers += 1
                    _deliver(client, pframe, sender, own)
        return receivers, own

    def active_channels(self, pattern: bytes | None, shard: bool = False) -> list[bytes]:
        channels = self.shard_channels if shard else self.channels
        if pattern is None:
            return list(channels)
        match = compile_pattern(pattern)
        return [channel for channel in channels if match(channel)]


def _deliver(client: ClientState, frame: resp.Push, sender: ClientState, own: list[resp.Push]) -> None:
    if client is sender:
        own.append(frame)
    else:
        client.send(resp.encode(frame, client.proto))
