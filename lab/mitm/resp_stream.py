"""Incremental RESP2/RESP3 reader for an attacker: bytes arrive in arbitrary chunks, frames come out whole.

What recv() returns on a proxy is not a RESP frame (a big value spans many messages, a pipeline packs many
frames into one), so everything that reads or rewrites Redis traffic feeds chunks here and gets complete
frames, each with the exact bytes it was made of (so a rewriter can splice one frame and keep the rest).
Never raises on garbage: a line that is not RESP is taken as an inline command, as Redis itself does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

# Decoded RESP: bulk/simple strings are bytes, errors RespError, maps RespMap; arrays, sets and pushes lists.
RespValue = Union[bytes, int, float, bool, None, "RespError", "RespMap", list["RespValue"]]

_MAX_LINE = 64 * 1024  # an inline/header line longer than this is garbage, not a frame still arriving


@dataclass(frozen=True)
class RespError:
    message: bytes


@dataclass(frozen=True)
class RespMap:
    pairs: tuple[tuple[RespValue, RespValue], ...]


@dataclass(frozen=True)
class Frame:
    value: RespValue
    raw: bytes  # the exact bytes on the wire


class _Incomplete(Exception):
    """The buffer ends inside a frame: wait for more bytes."""


def _line(buf: bytes, pos: int) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        if len(buf) - pos > _MAX_LINE:
            return buf[pos:], len(buf)  # give up on finding an end: consume it as one garbage line
        raise _Incomplete
    return buf[pos:end], end + 2


def _int(text: bytes) -> int:
    try:
        return int(text)
    except ValueError:
        return -1  # a malformed length reads as "null": the frame is kept, its content is not trusted


def _parse(buf: bytes, pos: int) -> tuple[RespValue, int]:
    if pos >= len(buf):
        raise _Incomplete
    kind = buf[pos : pos + 1]
    line, after = _line(buf, pos + 1)
    if kind == b"+":
        return line, after
    if kind in (b"-", b"!"):
        if kind == b"!":  # RESP3 blob error: length-prefixed like a bulk string
            length = _int(line)
            if len(buf) < after + length + 2:
                raise _Incomplete
            return RespError(buf[after : after + length]), after + length + 2
        return RespError(line), after
    if kind == b":":
        return _int(line), after
    if kind in (b"$", b"=", b"("):
        if kind == b"(":  # big number: keep as int
            return _int(line), after
        length = _int(line)
        if length < 0:
            return None, after
        if len(buf) < after + length + 2:
            raise _Incomplete
        return buf[after : after + length], after + length + 2
    if kind == b"_":
        return None, after
    if kind == b"#":
        return line == b"t", after
    if kind == b",":
        try:
            return float(line), after
        except ValueError:
            return line, after
    if kind in (b"*", b"~", b">", b"%", b"|"):
        count = _int(line)
        if count < 0:
            return None, after
        items: list[RespValue] = []
        pos = after
        for _ in range(count * 2 if kind in (b"%", b"|") else count):
            item, pos = _parse(buf, pos)
            items.append(item)
        if kind == b"|":  # attributes precede the real reply: return that reply
            return _parse(buf, pos)
        if kind == b"%":
            return RespMap(tuple(zip(items[0::2], items[1::2], strict=True))), pos
        return items, pos
    # Inline command ("PING\r\n", "SET k v\r\n"): what redis-server accepts from telnet.
    whole, after = _line(buf, pos)
    return list(whole.split()), after


class RespStream:
    """One direction of one connection: feed() chunks, get the frames they complete, in order."""

    def __init__(self) -> None:
        self._buf = b""

    @property
    def pending(self) -> bytes:
        """Bytes of a frame that has not fully arrived yet."""
        return self._buf

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buf += chunk
        frames: list[Frame] = []
        pos = 0
        while pos < len(self._buf):
            try:
                value, end = _parse(self._buf, pos)
            except _Incomplete:
                break
            except RecursionError:  # absurdly nested garbage: drop it rather than crash the proxy
                value, end = None, len(self._buf)
            frames.append(Frame(value, self._buf[pos:end]))
            pos = end
        self._buf = self._buf[pos:]
        return frames


def text(value: RespValue) -> str:
    """A readable, JSON-safe form of a value (binary bytes escaped, not lost)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, RespError):
        return "(error) " + value.message.decode("utf-8", "backslashreplace")
    if isinstance(value, RespMap):
        return "{" + ", ".join(f"{text(k)}: {text(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(text(v) for v in value) + "]"
    return "(nil)" if value is None else str(value)


def command_argv(value: RespValue) -> tuple[str, ...] | None:
    """A client frame as a command argv (strings), or None if it is not an array of strings."""
    if not isinstance(value, list) or not value or not all(isinstance(a, bytes) for a in value):
        return None
    return tuple(text(a) for a in value)
