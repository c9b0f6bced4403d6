"""The lab's one incremental RESP2/RESP3 reader: bytes in as they arrived, whole frames out. Pure, no I/O.

A TCP segment, a recv() or a proxy message is not a RESP frame (a big value spans many, a pipeline packs many
frames into one), so everything that reads Redis traffic feeds its chunks to a `RespReader` and gets back the
frames they complete: each with its value, the exact bytes it was made of (a rewriter splices one frame and
passes the rest through untouched) and its offset in the stream (an analyser maps it to packets). A frame cut
short waits in the reader. What becomes of bytes that are not RESP is the reader's `Mode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple, Union

Mode = Literal["strict", "commands", "lenient"]
# strict:   RESP only (a server's replies); anything else stops the reader, with `broken` saying why.
# commands: what redis-server reads from a client: an array (`*`) or an inline command line, here one that
#           starts with a letter; anything else stops the reader, with `broken` saying why.
# lenient:  never stops (a proxy must pass everything on): a line that is not RESP is an inline command
#           wherever it stands, a malformed length or number reads as -1 (null), an over-long line or
#           over-deep nesting is taken whole as it is.

MAX_LINE = 64 * 1024  # a header or inline line longer than this is garbage, not a frame still arriving
MAX_ELEMENTS = 1_000_000  # strict modes: a larger aggregate is garbage
MAX_DEPTH = 128  # deeper nesting is garbage (and would exhaust Python's stack)
_LINE_KINDS = frozenset("+-:_,#(")
_BULK_KINDS = frozenset("$!=")
_AGGREGATE_KINDS = frozenset("*%~>|")
_PAIRED_KINDS = frozenset("%|")  # maps and attributes count pairs

Item = Union["Value", bytes]  # an element of an aggregate: a bulk string is bare bytes


# Value and Frame are NamedTuples, as frozen as a frozen dataclass but half as costly to build: the capture
# analysis builds one of each per Redis message, and that was measured to be most of its time.
class Value(NamedTuple):
    """One RESP value as it was on the wire.

    kind: the type byte as a character ("*", "$", "+", ...), or "inline" for an inline command.
    data: the text of simple, bulk, error, double, boolean and big-number types, unconverted (bytes); an int
    for ":"; None for null (`$-1`, `*-1`, `_`); for aggregates a tuple of items, where a bulk string is bare
    bytes (most items are, and a Value each would cost a command as much again) and maps are flat (key,
    value, key, value); for an inline command its words (bytes).
    """

    kind: str
    data: bytes | int | tuple[Item, ...] | None


class Frame(NamedTuple):
    wire: Value  # the value with its RESP types
    raw: bytes  # the exact bytes on the wire (an attribute that preceded the value included)
    start: int  # stream offset of raw[0]: how many bytes the reader was fed before it

    @property
    def value(self) -> RespValue:
        """The value as Python data (see decode)."""
        return decode(self.wire)


@dataclass(frozen=True)
class NotResp:
    """Why a strict reader stopped: the bytes at `offset` are not RESP (another protocol, or mid-frame)."""

    reason: str
    offset: int


class _Incomplete(Exception):
    def __init__(self, need: int) -> None:
        self.need = need  # buffer length to wait for before parsing again


class _Garbage(Exception):
    """Not RESP, in a strict mode."""


class _TooDeep(Exception):
    """Over-deep nesting, in lenient mode."""


def _line(buf: bytearray, pos: int, lenient: bool) -> tuple[bytes, int]:
    end = buf.find(b"\r\n", pos)
    if end < 0:
        if len(buf) - pos > MAX_LINE:
            if lenient:
                return bytes(buf[pos:]), len(buf)
            raise _Garbage("RESP line longer than 64 KiB")
        raise _Incomplete(len(buf) + 1)
    return bytes(buf[pos:end]), end + 2


def _int(raw: bytes, lenient: bool) -> int:
    try:
        return int(raw)
    except ValueError:
        if lenient:
            return -1  # reads as null: the frame is kept, its content is not trusted
        raise _Garbage(f"bad RESP length {raw[:20]!r}") from None


def _inline(buf: bytearray, pos: int, lenient: bool) -> tuple[Value, int]:
    """An inline command, as redis-server reads one: a line up to LF, words split on whitespace."""
    end = buf.find(b"\n", pos)
    if end < 0:
        if len(buf) - pos <= MAX_LINE:
            raise _Incomplete(len(buf) + 1)
        if not lenient:
            raise _Garbage("inline command longer than 64 KiB")
        end = len(buf) - 1
    return Value("inline", tuple(bytes(buf[pos : end + 1]).split())), end + 1


def _parse(buf: bytearray, pos: int, lenient: bool, depth: int = 0) -> tuple[Item, int]:
    """One value at `pos`: (item, end). Raises _Incomplete, _Garbage (strict) or _TooDeep (lenient)."""
    if pos >= len(buf):
        raise _Incomplete(pos + 1)
    kind = chr(buf[pos])
    if kind in _LINE_KINDS:
        raw, end = _line(buf, pos + 1, lenient)
        if kind == "_":
            return Value(kind, None), end
        return Value(kind, _int(raw, lenient) if kind == ":" else raw), end
    if kind in _BULK_KINDS:
        raw, start = _line(buf, pos + 1, lenient)
        size = _int(raw, lenient)
        if size < 0:
            return Value(kind, None), start
        end = start + size + 2
        if end > len(buf):
            raise _Incomplete(end)
        if not lenient and buf[end - 2 : end] != b"\r\n":
            raise _Garbage("bulk string not followed by CRLF")
        data = bytes(buf[start : end - 2])
        return (data if kind == "$" else Value(kind, data)), end
    if kind in _AGGREGATE_KINDS:
        raw, at = _line(buf, pos + 1, lenient)
        count = _int(raw, lenient)
        if count < 0:
            return Value(kind, None), at
        if count > MAX_ELEMENTS and not lenient:
            raise _Garbage(f"RESP aggregate of {count} elements")
        if depth >= MAX_DEPTH:
            if lenient:
                raise _TooDeep
            raise _Garbage(f"RESP nested deeper than {MAX_DEPTH} levels")
        items = []
        for _ in range(count * 2 if kind in _PAIRED_KINDS else count):
            item, at = _parse(buf, at, lenient, depth + 1)
            items.append(item)
        if kind == "|":  # an attribute annotates the reply that follows it: that reply is the value
            return _parse(buf, at, lenient, depth)
        return Value(kind, tuple(items)), at
    if lenient:  # what redis-server does with a line that is not RESP: an inline command
        return _inline(buf, pos, lenient)
    raise _Garbage(f"not RESP: starts with {bytes(buf[pos : pos + 16])!r}")


def _command(buf: bytearray, pos: int) -> tuple[Value, int] | None:
    """Fast path for the usual client frame, a non-empty array of bulk strings: (value, end).

    None for anything else, so that the general parser decides (and says why it is not RESP). Like
    redis-server, it skips the two bytes after each bulk string without checking that they are CRLF.
    """
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return None
    try:
        count = int(buf[pos + 1 : eol])
    except ValueError:
        return None
    if not 0 < count <= MAX_ELEMENTS:
        return None
    args: list[Item] = []
    at, size, find = eol + 2, len(buf), buf.find
    for _ in range(count):
        if at >= size:
            raise _Incomplete(at + 1)
        if buf[at] != 36:  # "$"
            return None
        eol = find(b"\r\n", at)
        if eol < 0:
            return None
        try:
            length = int(buf[at + 1 : eol])
        except ValueError:
            return None
        if length < 0:
            return None
        start, at = eol + 2, eol + 4 + length
        if at > size:
            raise _Incomplete(at)
        args.append(bytes(buf[start : at - 2]))
    return Value("*", tuple(args)), at


_EOF_MARK = 40  # `$EOF:<40 random bytes>`: a diskless full sync ends its snapshot with the same 40 bytes


def _rdb(buf: bytearray, pos: int) -> tuple[Value, int]:
    """The snapshot a primary sends after +FULLRESYNC: `$<size>` then size bytes with no CRLF, or (diskless)
    `$EOF:<mark>` then the bytes up to the mark. Value("rdb", snapshot bytes)."""
    raw, start = _line(buf, pos + 1, lenient=False)
    if raw.startswith(b"EOF:") and len(raw) == 4 + _EOF_MARK:
        end = buf.find(raw[4:], start)
        if end < 0:
            raise _Incomplete(len(buf) + 1)
        return Value("rdb", bytes(buf[start:end])), end + _EOF_MARK
    size = _int(raw, lenient=False)
    if start + size > len(buf):
        raise _Incomplete(start + size)
    return Value("rdb", bytes(buf[start : start + size])), start + size


class RespReader:
    """One direction of one connection: feed() the bytes in order, get the frames they complete, in order.

    A strict reader also follows a replication link: after `+FULLRESYNC` the snapshot comes as one frame of
    kind "rdb" (it is not RESP: no CRLF ends it), then the primary's command stream as ordinary arrays.
    """

    def __init__(self, mode: Mode = "strict") -> None:
        self.mode: Mode = mode
        self.broken: NotResp | None = None  # set when a strict reader meets bytes that are not RESP
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._need = 0  # a frame cut short: parse again only once the buffer is this long
        self._snapshot_next = False  # the last frame was +FULLRESYNC: an RDB snapshot follows

    @property
    def pending(self) -> bytes:
        """Bytes of a frame that has not fully arrived yet."""
        return bytes(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        """The frames `data` completes; none once `broken` (a strict reader cannot find frames again)."""
        frames: list[Frame] = []
        if self.broken is not None or not data:
            return frames
        buf = self._buf
        buf += data
        if len(buf) < self._need:
            return frames
        pos = 0
        mode = self.mode
        lenient = mode == "lenient"
        view = memoryview(buf)  # raw bytes in one copy (a bytearray slice copies twice); released below
        try:
            while pos < len(buf):
                first = buf[pos]
                parsed = _command(buf, pos) if first == 42 and mode != "strict" else None
                if parsed is not None:
                    value, end = parsed
                elif self._snapshot_next and first == 36:
                    value, end = _rdb(buf, pos)
                    self._snapshot_next = False
                elif mode == "commands" and first in (10, 13):
                    eol = buf.find(
                        b"\n", pos
                    )  # an empty line: redis-server skips it (redis-cli --pipe sends one)
                    if eol < 0:
                        raise _Incomplete(len(buf) + 1)
                    pos = eol + 1
                    continue
                elif mode == "commands" and first != 42:
                    if not buf[pos : pos + 1].isalpha():
                        raise _Garbage(f"not RESP: starts with {bytes(buf[pos : pos + 16])!r}")
                    value, end = _inline(buf, pos, lenient)
                else:
                    try:
                        item, end = _parse(buf, pos, lenient)
                    except _TooDeep:
                        item, end = Value("_", None), len(buf)  # unreadable: passed on whole, as a null
                    value = Value("$", item) if isinstance(item, bytes) else item
                frames.append(Frame(value, view[pos:end].tobytes(), self._base + pos))
                if mode == "strict" and value.kind == "+" and isinstance(value.data, bytes):
                    self._snapshot_next = value.data.startswith(b"FULLRESYNC ")
                pos = end
            self._need = 0
        except _Incomplete as more:
            self._need = more.need - pos
        except _Garbage as exc:
            self.broken = NotResp(str(exc), self._base + pos)
        finally:
            view.release()
        if self.broken is not None:
            buf.clear()
            return frames
        del buf[:pos]
        self._base += pos
        return frames


def command(value: Value) -> tuple[bytes, ...] | None:
    """The argv redis-server runs for a client frame (an inline command, or a non-empty array of bulk
    strings); None when the frame is not a command."""
    args = value.data
    if value.kind not in ("*", "inline") or not isinstance(args, tuple) or not args:
        return None
    for arg in args:
        if not isinstance(arg, bytes):
            return None
    return args  # type: ignore[return-value]  # every item was just checked to be bytes


def show(raw: bytes) -> str:
    """Bytes as readable, JSON-safe text: UTF-8 where it is, escapes elsewhere (nothing lost)."""
    return raw.decode("utf-8", "backslashreplace")


# Values as Python data, for code that acts on replies (a client, a proxy): strings are bytes, errors
# RespError, maps RespMap; arrays, sets, pushes and inline commands lists.
RespValue = Union[bytes, int, float, bool, None, "RespError", "RespMap", list["RespValue"]]


@dataclass(frozen=True)
class RespError:
    message: bytes


@dataclass(frozen=True)
class RespMap:
    pairs: tuple[tuple[RespValue, RespValue], ...]


def decode(item: Item) -> RespValue:
    """A value as Python data (a big number that does not parse is -1, such a double stays its text)."""
    if isinstance(item, bytes):
        return item
    kind, data = item
    if isinstance(data, tuple):
        items = [decode(i) for i in data]
        if kind == "%":
            return RespMap(tuple(zip(items[0::2], items[1::2], strict=True)))
        return items
    if not isinstance(data, bytes):
        return data
    if kind in ("-", "!"):
        return RespError(data)
    if kind == "(":
        return _int(data, lenient=True)
    if kind == "#":
        return data == b"t"
    if kind == ",":
        try:
            return float(data)
        except ValueError:
            return data
    return data


def leading_attribute(raw: bytes) -> Value | None:
    """The RESP3 attribute (`|`) that preceded a frame's value, as a map; None when there was none.

    The parser folds an attribute into the reply it annotates (clients act on the reply); a transcript
    shows both, so this re-reads the attribute from the frame's raw bytes (rare: only `|` frames pay).
    """
    if not raw.startswith(b"|"):
        return None
    buf = bytearray(raw)
    eol = buf.find(b"\r\n")
    try:
        count = int(buf[1:eol])
        at, items = eol + 2, []
        for _ in range(count * 2):
            item, at = _parse(buf, at, True, 1)
            items.append(item)
    except (ValueError, _Incomplete, _Garbage, _TooDeep):
        return None
    return Value("%", tuple(items))


def text(value: RespValue) -> str:
    """Decoded data as readable, JSON-safe text (binary bytes escaped, not lost)."""
    if isinstance(value, bytes):
        return show(value)
    if isinstance(value, RespError):
        return "(error) " + show(value.message)
    if isinstance(value, RespMap):
        return "{" + ", ".join(f"{text(k)}: {text(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(text(v) for v in value) + "]"
    return "(nil)" if value is None else str(value)
