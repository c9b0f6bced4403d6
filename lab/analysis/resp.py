"""The RESP transcript of one direction of a captured TCP stream: lab.resp_reader's frames, with packets.

Wireshark's RESP dissector cannot sit on decrypted TLS and only knows port 6379: the lab reads RESP itself.
"""

from __future__ import annotations

from collections import deque

from lab.analysis.model import Direction, RespLine
from lab.analysis.redis_commands import NAMES
from lab.resp_reader import Frame, Item, RespReader, Value, command, leading_attribute, show

MAX_TEXT = 200  # rendered lines are cut here; the args keep the full values


def render(item: Item) -> str:
    """A reply as redis-cli shows it: `OK`, `"abc"`, `(integer) 42`, `(nil)`, `[...]`, `{k: v}`."""
    if isinstance(item, bytes):
        return f'"{show(item)}"'
    value, data = item, item.data
    if value.kind == "+":
        return show(data) if isinstance(data, bytes) else ""
    if value.kind in "-!":
        return f"(error) {show(data)}" if isinstance(data, bytes) else "(error)"
    if value.kind == ":":
        return f"(integer) {data!s}"
    if data is None:
        return "(nil)"
    if isinstance(data, bytes):
        return f'"{show(data)}"' if value.kind in "$=" else show(data)
    if isinstance(data, tuple) and value.kind == "%":
        return (
            "{"
            + ", ".join(f"{render(k)}: {render(v)}" for k, v in zip(data[::2], data[1::2], strict=True))
            + "}"
        )
    if isinstance(data, tuple):
        return "[" + ", ".join(render(v) for v in data) + "]"
    return str(data)


def is_auth(args: tuple[bytes, ...]) -> bool:
    """AUTH [user] pass, or HELLO ... AUTH user pass (redis-py's RESP3 opening)."""
    name = args[0].upper() if args else b""
    return name == b"AUTH" or (name == b"HELLO" and any(a.upper() == b"AUTH" for a in args[1:]))


class RespStream:
    """One direction of one TCP stream: feed in-order bytes with their frame, collect RespLines.

    Every message is parsed and counted (AUTH frames are always all recorded), but only the first `limit`
    lines are kept, so a capture of any size is analysed in bounded memory. After the first byte that is not
    RESP the stream is marked broken and ignores the rest (not Redis, or the capture started mid-message).
    """

    def __init__(self, direction: Direction, limit: int) -> None:
        self.direction: Direction = direction
        self.limit = limit
        self.lines: list[RespLine] = []
        self.count = 0
        self.auth_frames: list[int] = []
        self.first_is_command: bool | None = None
        # Evidence that this is Redis at all: how many commands came as arrays, how many as text lines, and
        # how many named no Redis command (a text protocol's lines parse as inline commands too).
        self.multibulk = 0
        self.inline = 0
        self.unknown_names = 0
        self.broken = ""
        # A replica's link, seen from the primary's side: after the snapshot (or +CONTINUE) the primary sends
        # commands, which are shown with their arguments like a client's.
        self.replication = False
        self._reader = RespReader("commands" if direction == "c2s" else "strict")
        self._fed = 0  # stream offset after the last byte fed
        self._chunks: deque[tuple[int, int]] = deque()  # (end offset, frame) of bytes not yet in a message

    def feed(self, data: bytes, frame: int) -> None:
        if self.broken or not data:
            return
        self._fed += len(data)
        self._chunks.append((self._fed, frame))
        client = self.direction == "c2s"
        for message in self._reader.feed(data):
            wire = message.wire
            if not client and (
                wire.kind == "rdb"
                or (wire.kind == "+" and isinstance(wire.data, bytes) and wire.data.startswith(b"CONTINUE"))
            ):
                self.replication = True
            args = command(message.wire) if client or self.replication else None
            first, last = self._frames(message)
            if client and self.first_is_command is None:
                self.first_is_command = args is not None
            if client and args is not None:
                if wire.kind == "inline":
                    self.inline += 1
                else:
                    self.multibulk += 1
                if args[0].upper() not in NAMES:
                    self.unknown_names += 1
            if args is not None and is_auth(args):
                self.auth_frames.append(first)
            if self.count < self.limit:
                self.lines.append(self._line(first, last, args, message.wire, message.raw))
            self.count += 1
        if self._reader.broken is not None:
            self.broken = self._reader.broken.reason

    def _line(
        self, first: int, last: int, args: tuple[bytes, ...] | None, value: Value, raw: bytes
    ) -> RespLine:
        if value.kind == "rdb" and isinstance(value.data, bytes):
            return RespLine(self.direction, first, last, "rdb", f"(RDB snapshot, {len(value.data)} bytes)")
        if args is not None:
            shown = tuple(show(a) for a in args)
            return RespLine(self.direction, first, last, value.kind, " ".join(shown)[:MAX_TEXT], shown)
        attribute = leading_attribute(raw)
        rendered = render(value) if attribute is None else f"|{render(attribute)}| {render(value)}"
        return RespLine(self.direction, first, last, value.kind, rendered[:MAX_TEXT])

    def _frames(self, message: Frame) -> tuple[int, int]:
        start, end = message.start, message.start + len(message.raw)
        first = last = 0
        for chunk_end, frame in self._chunks:
            if not first and chunk_end > start:
                first = frame
            if chunk_end >= end:
                last = frame
                break
        while self._chunks and self._chunks[0][0] <= end:
            self._chunks.popleft()
        return first, last or first
