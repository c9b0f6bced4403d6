"""lab.resp_reader: whole, exact frames under any chunking; what each mode does with what is not RESP."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from lab.resp_reader import (
    MAX_DEPTH,
    MAX_LINE,
    NotResp,
    RespError,
    RespMap,
    RespReader,
    Value,
    command,
    text,
)

PIPELINE = (
    b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$12\r\nhello\r\nworld\r\n"  # a value holding CRLF
    b"+OK\r\n-ERR wrong\r\n:42\r\n$-1\r\n_\r\n#t\r\n,1.5\r\n"
    b"%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n"
    b"*2\r\n*1\r\n:1\r\n$0\r\n\r\n"
    b"PING\r\n"
)
EXPECTED = [
    [b"SET", b"key", b"hello\r\nworld"], b"OK", RespError(b"ERR wrong"), 42, None, None, True, 1.5,
    RespMap(((b"server", b"redis"),)), [[1], b""], [b"PING"],
]
REPLIES = (
    b"+OK\r\n*2\r\n$1\r\na\r\n:1\r\n|1\r\n+ttl\r\n:3\r\n$3\r\nabc\r\n"
    b"%1\r\n+k\r\n(12345678901234567890\r\n"
)


def test_whole_pipeline_decodes_frame_by_frame() -> None:
    frames = RespReader("lenient").feed(PIPELINE)
    assert [f.value for f in frames] == EXPECTED
    assert b"".join(f.raw for f in frames) == PIPELINE
    assert [f.start for f in frames] == [sum(len(g.raw) for g in frames[:i]) for i in range(len(frames))]


def test_every_split_point_gives_the_same_frames() -> None:
    for cut in range(1, len(PIPELINE)):
        stream = RespReader("lenient")
        frames = stream.feed(PIPELINE[:cut]) + stream.feed(PIPELINE[cut:])
        assert [f.value for f in frames] == EXPECTED, cut
        assert stream.pending == b""


def test_byte_by_byte_feeding_holds_partial_frames_back() -> None:
    stream = RespReader("lenient")
    frames = []
    for i in range(len(PIPELINE)):
        frames += stream.feed(PIPELINE[i : i + 1])
    assert [f.value for f in frames] == EXPECTED


def test_incomplete_bulk_waits_for_its_bytes() -> None:
    stream = RespReader("lenient")
    assert stream.feed(b"$10\r\nabc") == []
    assert stream.pending == b"$10\r\nabc"
    assert [f.value for f in stream.feed(b"defghij\r\n")] == [b"abcdefghij"]


def test_garbage_never_raises() -> None:
    frames = RespReader("lenient").feed(b"\x16\x03\x01\x00\x05hello\r\n*x\r\n")
    assert len(frames) == 2


def test_command_argv_and_text() -> None:
    assert command(Value("*", (b"GET", b"k"))) == (b"GET", b"k")
    assert command(Value("inline", (b"PING",))) == (b"PING",)
    assert command(Value("+", b"OK")) is None
    assert command(Value("*", (b"GET", Value(":", 1)))) is None and command(Value("*", ())) is None
    assert text(RespError(b"ERR x")) == "(error) ERR x"
    assert text(b"\xff") == "\\xff"


def test_values_keep_their_wire_type_and_attributes_annotate_the_next_reply() -> None:
    frames = RespReader("strict").feed(REPLIES)
    assert [f.wire for f in frames] == [
        Value("+", b"OK"),
        Value("*", (b"a", Value(":", 1))),  # not all bulk strings: read by the general parser
        Value("$", b"abc"),  # the attribute (ttl: 3) is part of this frame's bytes, not its value
        Value("%", (Value("+", b"k"), Value("(", b"12345678901234567890"))),
    ]
    assert frames[2].raw == b"|1\r\n+ttl\r\n:3\r\n$3\r\nabc\r\n"
    assert frames[3].value == RespMap(((b"k", 12345678901234567890),))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(REPLIES)), max_size=12))
def test_any_split_of_replies_gives_the_same_frames(cuts: list[int]) -> None:
    reader = RespReader("strict")
    points = sorted({0, len(REPLIES), *cuts})
    frames = [f for a, b in pairwise(points) for f in reader.feed(REPLIES[a:b])]
    assert frames == RespReader("strict").feed(REPLIES)


def test_strict_stops_at_the_first_byte_that_is_not_resp() -> None:
    reader = RespReader("strict")
    frames = reader.feed(b"+OK\r\nHTTP/1.1 200 OK\r\n")
    assert [f.wire for f in frames] == [Value("+", b"OK")]
    assert reader.broken == NotResp("not RESP: starts with b'HTTP/1.1 200 OK\\r'", 5)
    assert reader.feed(b"+OK\r\n") == [] and reader.pending == b""


def test_commands_mode_reads_inline_commands_as_redis_does_but_not_binary() -> None:
    reader = RespReader("commands")
    frames = reader.feed(b"PING\nset k  v\r\n*1\r\n$4\r\nPING\r\n")
    assert [command(f.wire) for f in frames] == [(b"PING",), (b"set", b"k", b"v"), (b"PING",)]
    assert [f.wire.kind for f in frames] == ["inline", "inline", "*"]
    binary = RespReader("commands")
    assert binary.feed(b"\x16\x03\x01\x02\x00") == [] and binary.broken is not None
    assert RespReader("commands").feed(b"+OK\r\n") == []  # a client never sends a bare simple string


def test_malformed_lengths_are_errors_when_strict_and_nulls_when_lenient() -> None:
    strict = RespReader("strict")
    assert strict.feed(b"$abc\r\n") == [] and strict.broken is not None
    assert "bad RESP length" in strict.broken.reason
    assert [f.wire for f in RespReader("lenient").feed(b"$abc\r\n:x\r\n")] == [
        Value("$", None),
        Value(":", -1),
    ]


def test_over_long_lines_and_over_deep_nesting() -> None:
    line = b"+" + b"x" * (MAX_LINE + 1)
    strict = RespReader("strict")
    assert strict.feed(line) == [] and strict.broken is not None
    (whole,) = RespReader("lenient").feed(line)
    assert whole.raw == line
    deep = b"*1\r\n" * (MAX_DEPTH + 1) + b":1\r\n"
    strict = RespReader("strict")
    assert strict.feed(deep) == [] and strict.broken is not None and "nested" in strict.broken.reason
    (nested,) = RespReader("lenient").feed(deep)
    assert nested.raw == deep and nested.wire == Value("_", None)
    assert len(RespReader("strict").feed(b"*1\r\n" * (MAX_DEPTH - 1) + b":1\r\n")) == 1
