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


def command_args(value: Value) -> tuple[str, ...] | None:
    """A client command is an array of bulk strings; anything else is not a command."""
    if value.kind != "*" or not isinstance(value.data, tuple) or not value.data:
        return None
    if not all(v.kind == "$" and isinstance(v.data, bytes) for v in value.data):
        return None
    return tuple(show(v.data) for v in value.data if isinstance(v.data, bytes))


class RespStream:
    """One direction of one TCP stream: feed in-order bytes with their frame, collect RespLines.

    After the first byte that is not RESP the stream is marked broken and ignores the rest (it is not Redis,
    or the capture started mid-message).
    """

    def __init__(self, direction: Direction) -> None:
        self.direction: Direction = direction
        self.lines: list[RespLine] = []
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
        pos = 0
        try:
            while pos < len(self._buf):
                if self.direction == "c2s" and self._buf[pos] not in b"*":
                    line, end = self._inline(pos)
                else:
                    value, end = parse_value(self._buf, pos)
                    line = self._to_line(value)
                first, last = self._frames(self._base + pos, self._base + end)
                self.lines.append(RespLine(self.direction, first, last, *line))
                pos = end
            self._need = 0
        except _Incomplete as more:
            self._need = more.need - pos
        except RespError as exc:
            self.broken = str(exc)
            self._buf.clear()
            return
        del self._buf[:pos]
        self._base += pos

    def _inline(self, pos: int) -> tuple[tuple[str, str, tuple[str, ...]], int]:
        end = self._buf.find(b"\n", pos)
        if end < 0:
            if len(self._buf) - pos > 64 * 1024:
                raise RespError("inline command longer than 64 KiB")
            raise _Incomplete(len(self._buf) + 1)
        raw = bytes(self._buf[pos:end]).rstrip(b"\r")
        if raw and not raw[:1].isalpha():
            raise RespError(f"not RESP: starts with {raw[:16]!r}")
        args = tuple(show(a) for a in raw.split())
        return ("inline", " ".join(args)[:MAX_TEXT], args), end + 1

    @staticmethod
    def _to_line(value: Value) -> tuple[str, str, tuple[str, ...]]:
        args = command_args(value)
        if args is not None:
            return value.kind, " ".join(args)[:MAX_TEXT], args
        return value.kind, render(value)[:MAX_TEXT], ()

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
