"""RESP2/RESP3 parsing of reassembled bytes, incremental, with the frames each message came from.

Wireshark's RESP dissector cannot sit on decrypted TLS and only knows port 6379: the lab parses RESP itself.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lab.analysis.model import Direction, RespLine

MAX_TEXT = 200  # rendered lines are cut here; the args keep the full values
_AGGREGATES = {b"*": "array", b"%": "map", b"~": "set", b">": "push", b"|": "attribute"}
_LINE_TYPES = frozenset(b"+-:_,#(")


class RespError(ValueError):
    """The bytes are not RESP (another protocol, or a stream joined mid-message)."""


class _Incomplete(Exception):
    def __init__(self, need: int) -> None:
        self.need = need  # total buffer length needed before trying again


@dataclass(frozen=True)
class Value:
    kind: str  # the RESP type byte as a character
    data: bytes | int | tuple[Value, ...] | None


def _line(buf: bytearray, pos: int) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        if len(buf) - pos > 64 * 1024:
            raise RespError("RESP line longer than 64 KiB")
        raise _Incomplete(len(buf) + 1)
    return bytes(buf[pos:end]), end + 2


def _int(raw: bytes) -> int:
    try:
        return int(raw)
    except ValueError:
        raise RespError(f"bad RESP length {raw[:20]!r}") from None


def parse_value(buf: bytearray, pos: int) -> tuple[Value, int]:
    """Parse one value at `pos`; raise _Incomplete if more bytes are needed, RespError if it is not RESP."""
    if pos >= len(buf):
        raise _Incomplete(pos + 1)
    kind = bytes(buf[pos : pos + 1])
    if kind[0] in _LINE_TYPES:
        raw, end = _line(buf, pos + 1)
        return Value(kind.decode(), _int(raw) if kind == b":" else raw), end
    if kind in (b"$", b"!", b"="):
        raw, start = _line(buf, pos + 1)
        size = _int(raw)
        if size < 0:
            return Value(kind.decode(), None), start
        end = start + size + 2
        if end > len(buf):
            raise _Incomplete(end)
        if buf[end - 2 : end] != b"\r\n":
            raise RespError("bulk string not followed by CRLF")
        return Value(kind.decode(), bytes(buf[start : end - 2])), end
    if kind in _AGGREGATES:
        raw, at = _line(buf, pos + 1)
        count = _int(raw)
        if count < 0:
            return Value(kind.decode(), None), at
        if count > 1_000_000:
            raise RespError(f"RESP aggregate of {count} elements")
        count *= 2 if kind in (b"%", b"|") else 1
        items = []
        for _ in range(count):
            item, at = parse_value(buf, at)
            items.append(item)
        if kind == b"|":  # an attribute precedes the real reply: report the reply
            return parse_value(buf, at)
        return Value(kind.decode(), tuple(items)), at
    raise RespError(f"not RESP: starts with {bytes(buf[pos : pos + 16])!r}")


def show(raw: bytes) -> str:
    """Bytes as readable text: UTF-8 where it is, escapes elsewhere."""
    return raw.decode("utf-8", "backslashreplace")


def render(value: Value) -> str:
    data = value.data
    if value.kind in "+":
        return show(data) if isinstance(data, bytes) else ""
    if value.kind in "-!":
        return f"(error) {show(data)}" if isinstance(data, bytes) else "(error)"
    if value.kind == ":":
        return f"(integer) {data!s}"
    if data is None or value.kind == "_":
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


def _command(buf: bytearray, pos: int) -> tuple[tuple[bytes, ...] | None, int]:
    """Fast path for the common client message, an array of bulk strings: (args, end).

    (None, pos) when the array holds anything else: the caller falls back to the general parser.
    """
    raw, at = _line(buf, pos + 1)
    count = _int(raw)
    if not 0 < count <= 1_000_000:
        return None, pos
    args = []
    find, size = buf.find, len(buf)
    for _ in range(count):
        if at >= size:
            raise _Incomplete(at + 1)
        if buf[at] != 36:  # "$"
            return None, pos
        eol = find(b"\r\n", at)
        if eol < 0:
            raise _Incomplete(size + 1)
        length = _int(bytes(buf[at + 1 : eol]))
        start, at = eol + 2, eol + 4 + length
        if length < 0:
            return None, pos
        if at > size:
            raise _Incomplete(at)
        args.append(bytes(buf[start : at - 2]))
    return tuple(args), at


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
        self.broken = ""
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._chunks: deque[tuple[int, int]] = deque()  # (end offset, frame) of bytes still in _buf
        self._need = 0

    def feed(self, data: bytes, frame: int) -> None:
        if self.broken or not data:
            return
        self._buf += data
        self._chunks.append((self._base + len(self._buf), frame))
        if len(self._buf) < self._need:
            return
        buf, pos, client = self._buf, 0, self.direction == "c2s"
        try:
            while pos < len(buf):
                args: tuple[bytes, ...] | None = None
                value: Value | None = None
                if client and buf[pos] == 42:  # "*"
                    args, end = _command(buf, pos)
                    if args is None:
                        value, end = parse_value(buf, pos)
                elif client:
                    args, end = self._inline(pos)
                else:
                    value, end = parse_value(buf, pos)
                first, last = self._frames(self._base + pos, self._base + end)
                if client and self.first_is_command is None:
                    self.first_is_command = args is not None
                if args is not None and is_auth(args):
                    self.auth_frames.append(first)
                if self.count < self.limit:
                    self.lines.append(self._line(first, last, args, value, buf[pos]))
                self.count += 1
                pos = end
            self._need = 0
        except _Incomplete as more:
            self._need = more.need - pos
        except RespError as exc:
            self.broken = str(exc)
            self._buf.clear()
            return
        del buf[:pos]
        self._base += pos

    def _line(
        self, first: int, last: int, args: tuple[bytes, ...] | None, value: Value | None, kind: int
    ) -> RespLine:
        if args is not None:
            shown = tuple(show(a) for a in args)
            return RespLine(
                self.direction,
                first,
                last,
                chr(kind) if kind == 42 else "inline",
                " ".join(shown)[:MAX_TEXT],
                shown,
            )
        assert value is not None
        return RespLine(self.direction, first, last, value.kind, render(value)[:MAX_TEXT])

    def _inline(self, pos: int) -> tuple[tuple[bytes, ...], int]:
        if not self._buf[pos : pos + 1].isalpha():
            raise RespError(f"not RESP: starts with {bytes(self._buf[pos : pos + 16])!r}")
        end = self._buf.find(b"\n", pos)
        if end < 0:
            if len(self._buf) - pos > 64 * 1024:
                raise RespError("inline command longer than 64 KiB")
            raise _Incomplete(len(self._buf) + 1)
        raw = bytes(self._buf[pos:end]).rstrip(b"\r")
        return tuple(raw.split()), end + 1

    def _frames(self, start: int, end: int) -> tuple[int, int]:
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
