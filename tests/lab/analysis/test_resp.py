"""lab.analysis.resp: RESP2/RESP3 parsed from bytes split anywhere, with the right frames."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from lab.analysis.resp import RespStream, is_auth

COMMANDS = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxx\r\n*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\nPING\r\n"
REPLIES = (
    b"+OK\r\n-ERR no\r\n:42\r\n$-1\r\n$3\r\nabc\r\n*2\r\n$1\r\na\r\n:1\r\n"
    b"%1\r\n+k\r\n+v\r\n_\r\n,1.5\r\n#t\r\n|1\r\n+ttl\r\n:3\r\n+after-attr\r\n"
)


def feed_split(direction: str, data: bytes, cuts: list[int]) -> RespStream:
    stream = RespStream(direction, limit=100)  # type: ignore[arg-type]
    points = sorted({0, len(data), *[c % (len(data) + 1) for c in cuts]})
    for frame, (a, b) in enumerate(pairwise(points), start=1):
        stream.feed(data[a:b], frame)
    return stream


def test_commands_including_inline_and_binary_safe_values() -> None:
    s = feed_split("c2s", COMMANDS, [])
    assert [line.args for line in s.lines] == [("SET", "k", "v\r\nxx"), ("AUTH", "pw"), ("PING",)]
    assert s.lines[2].kind == "inline"
    assert s.auth_frames == [1] and s.count == 3 and not s.broken and s.first_is_command


def test_resp3_replies_render_like_redis_cli() -> None:
    s = feed_split("s2c", REPLIES, [])
    assert [line.text for line in s.lines] == [
        "OK",
        "(error) ERR no",
        "(integer) 42",
        "(nil)",
        '"abc"',
        '["a", (integer) 1]',
        "{k: v}",
        "(nil)",
        "1.5",
        "t",
        "|{ttl: (integer) 3}| after-attr",  # the attribute is kept beside the reply it annotates
    ]


def test_a_resp3_attribute_split_anywhere_stays_in_the_transcript() -> None:
    reply = b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:1\r\n:2\r\n+OK\r\n"
    for cut in range(1, len(reply)):
        s = feed_split("s2c", reply, [cut])
        assert [line.text for line in s.lines] == [
            '|{key-popularity: {"a": 0.19}}| [(integer) 1, (integer) 2]',
            "OK",
        ], cut


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(COMMANDS)), max_size=12))
def test_any_split_gives_the_same_messages(cuts: list[int]) -> None:
    whole = feed_split("c2s", COMMANDS, [])
    split = feed_split("c2s", COMMANDS, cuts)
    assert [line.args for line in split.lines] == [line.args for line in whole.lines]
    # Frames: each message starts where its first byte arrived and ends where its last byte did.
    assert all(line.first_frame <= line.last_frame for line in split.lines)


def test_frames_point_at_the_segments_that_carried_each_message() -> None:
    s = RespStream("c2s", limit=10)
    s.feed(b"*2\r\n$4\r\nAUTH\r\n$2\r\n", 7)
    s.feed(b"pw\r\n*1\r\n$4\r\nPING\r\n", 9)
    assert [(line.first_frame, line.last_frame) for line in s.lines] == [(7, 9), (9, 9)]
    assert s.auth_frames == [7]


def test_non_resp_bytes_mark_the_stream_broken() -> None:
    s = RespStream("c2s", limit=10)
    s.feed(b"\x16\x03\x01\x02\x00 binary", 1)
    assert s.broken and s.lines == []
    r = RespStream("s2c", limit=10)
    r.feed(b"HTTP/1.1 200 OK\r\n", 1)
    assert r.broken


def test_limit_keeps_counting_and_auth_frames() -> None:
    s = RespStream("c2s", limit=2)
    for frame in range(1, 6):
        s.feed(b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n", frame)
    assert len(s.lines) == 2 and s.count == 5 and s.auth_frames == [1, 2, 3, 4, 5]


def test_is_auth_covers_hello_auth() -> None:
    assert is_auth((b"auth", b"pw")) and is_auth((b"HELLO", b"3", b"AUTH", b"default", b"pw"))
    assert not is_auth((b"HELLO", b"3")) and not is_auth(())
