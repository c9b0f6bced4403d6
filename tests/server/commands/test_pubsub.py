"""server.pubsub in process: delivery per subscriber protocol, the publisher's own copy in its reply, and
cleanup on disconnect; CLIENT LIST and INFO count subscriptions."""

from __future__ import annotations

from server import resp
from server.commands.connection import client_line
from server.commands.server import info_text
from server.context import Ctx
from tests.server.commands.conftest import make_ctx


def _listener(ctx: Ctx, proto: int) -> tuple[Ctx, list[bytes]]:
    other = ctx.server.new_client("127.0.0.1:50001", "127.0.0.1:6379", 0, False)
    other.proto = proto
    got: list[bytes] = []
    other.send = got.append
    return other.ctx, got


def test_delivery_is_encoded_for_each_subscriber_and_stops_on_disconnect() -> None:
    ctx = make_ctx()
    pubsub = ctx.server.pubsub
    resp2, got2 = _listener(ctx, 2)
    resp3, got3 = _listener(ctx, 3)
    pubsub.subscribe(resp2.client, b"news", pattern=False)
    pubsub.subscribe(resp3.client, b"n*", pattern=True)
    receivers, own = pubsub.publish(b"news", b"hi", ctx.client)
    assert (receivers, own) == (2, [])
    assert got2 == [b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"]
    assert got3 == [b">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n"]
    line = client_line(ctx.server, resp3.client)
    assert "flags=P" in line and "sub=0 psub=1" in line
    assert "pubsub_channels:1" in info_text(ctx.server, ["stats"])
    ctx.server.forget_client(resp2.client)
    ctx.server.forget_client(resp3.client)
    assert pubsub.publish(b"news", b"again", ctx.client) == (0, [])
    assert not pubsub.channels and not pubsub.patterns and not pubsub.clients


def test_the_publisher_gets_its_own_message_in_its_reply() -> None:
    ctx = make_ctx()
    ctx.client.proto = 3
    ctx.server.pubsub.subscribe(ctx.client, b"c", pattern=False)
    receivers, own = ctx.server.pubsub.publish(b"c", b"m", ctx.client)
    assert receivers == 1 and own == [resp.Push([b"message", b"c", b"m"])]
