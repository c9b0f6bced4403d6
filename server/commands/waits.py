"""What a blocking command's handler returns when it has nothing to serve yet, and its timeout argument.

The waiting itself (queues per key, FIFO wakeups, timers) is server.blocking's; handlers only describe
what they wait for and how to serve it once a key is ready.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from server import resp
from server.commands.redisnum import LLONG_MAX, parse_ld, round_ld
from server.commands.registry import CommandError
from server.texts import TIMEOUT_NEGATIVE, TIMEOUT_NOT_FLOAT

if TYPE_CHECKING:
    from server.context import Ctx

# Serve one waiter from a key that is ready: the reply, or None when there was nothing to take after all.
# It runs with the waiter's context and logs what it did for the AOF (ctx.log_as), as the command would.
Attempt = Callable[["Ctx", bytes], Any]


def parse_timeout(arg: bytes) -> int:
    """getTimeoutFromObjectOrReply(UNIT_SECONDS) in 7.0: seconds as a long double, times 1000, rounded up
    to whole milliseconds (0.0001 is 1 ms, -0.0001 is 0: forever); 0 means no timeout. A value that does
    not fit a long long converts to LLONG_MIN on x86-64, hence "negative" for 1e400 or inf."""
    value = parse_ld(arg)
    if value is None:
        raise CommandError(TIMEOUT_NOT_FLOAT)
    if isinstance(value, float):  # inf / -inf
        raise CommandError(TIMEOUT_NEGATIVE)
    scaled = round_ld(value * 1000)  # ftval *= 1000.0, in long double
    if isinstance(scaled, float):
        raise CommandError(TIMEOUT_NEGATIVE)
    millis = math.ceil(scaled)
    if millis < 0 or millis > LLONG_MAX:
        raise CommandError(TIMEOUT_NEGATIVE)
    return millis


class Block:
    """A handler's answer "nothing to serve yet: park this client". `kind` is the value type it waits
    for (QuickList, ZSet; None for WAIT, which waits on no key); `timeout_reply` answers on timeout."""

    __slots__ = ("attempt", "keys", "kind", "timeout_ms", "timeout_reply")

    def __init__(self, keys: list[bytes], kind: type | None, timeout_ms: int, attempt: Attempt | None,
                 timeout_reply: Any = resp.NULL_ARRAY) -> None:  # fmt: skip
        self.keys = keys
        self.kind = kind
        self.timeout_ms = timeout_ms
        self.attempt = attempt
        self.timeout_reply = timeout_reply


def block(ctx: Ctx, request: Block, refused: Any = resp.NULL_ARRAY) -> Any:
    """The handler's reply when nothing can be served now: the request, or `refused` when the client may
    not block (inside MULTI/EXEC Redis answers at once, as if the timeout had passed)."""
    ctx.log_as()  # nothing changed: the AOF gets the pop when (if) the client is served
    return refused if ctx.client.deny_blocking else request
