from __future__ import annotations

from lab.mitm.resp_stream import RespError, RespMap, RespStream, command_argv, text

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


def test_whole_pipeline_decodes_frame_by_frame() -> None:
    frames = RespStream().feed(PIPELINE)
    assert [f.value for f in frames] == EXPECTED
    assert b"".join(f.raw for f in frames) == PIPELINE


def test_every_split_point_gives_the_same_frames() -> None:
    for cut in range(1, len(PIPELINE)):
        stream = RespStream()
        frames = stream.feed(PIPELINE[:cut]) + stream.feed(PIPELINE[cut:])
        assert [f.value for f in frames] == EXPECTED, cut
        assert stream.pending == b""


def test_byte_by_byte_feeding_holds_partial_frames_back() -> None:
    stream = RespStream()
    frames = []
    for i in range(len(PIPELINE)):
        frames += stream.feed(PIPELINE[i : i + 1])
    assert [f.value for f in frames] == EXPECTED


def test_incomplete_bulk_waits_for_its_bytes() -> None:
    stream = RespStream()
    assert stream.feed(b"$10\r\nabc") == []
    assert stream.pending == b"$10\r\nabc"
    assert [f.value for f in stream.feed(b"defghij\r\n")] == [b"abcdefghij"]


def test_garbage_never_raises() -> None:
    frames = RespStream().feed(b"\x16\x03\x01\x00\x05hello\r\n*x\r\n")
    assert len(frames) == 2


def test_command_argv_and_text() -> None:
    assert command_argv([b"GET", b"k"]) == ("GET", "k")
    assert command_argv(b"OK") is None
    assert text(RespError(b"ERR x")) == "(error) ERR x"
    assert text(b"\xff") == "\\xff"
