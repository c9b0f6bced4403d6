"""server.resp: the pure parser and encoder (wire behaviour against real clients lives in test_net.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import resp


def parse_all(*chunks: bytes, unauthenticated: bool = False) -> tuple[list[list[bytes]], resp.Parser]:
    parser = resp.Parser()
    out: list[list[bytes]] = []
    for chunk in chunks:
        parser.feed(chunk)
        while True:
            got = parser.parse(unauthenticated)
            out.extend(got)
            if not got or not unauthenticated:
                break
    return out, parser


def multibulk(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in args)


def test_pipeline_in_one_read() -> None:
    data = multibulk(b"SET", b"k", b"v") * 3 + multibulk(b"GET", b"k")
    cmds, parser = parse_all(data)
    assert cmds == [[b"SET", b"k", b"v"]] * 3 + [[b"GET", b"k"]]
    assert parser.buffered == 0 and parser.error is None


def test_every_split_point_gives_the_same_commands() -> None:
    data = multibulk(b"SET", b"key", b"a\r\nb") + b"PING\r\n" + multibulk(b"ECHO", b"") + b'ECHO "x y"\n'
    expected = [[b"SET", b"key", b"a\r\nb"], [b"PING"], [b"ECHO", b""], [b"ECHO", b"x y"]]
    for cut in range(len(data) + 1):
        cmds, parser = parse_all(data[:cut], data[cut:])
        assert cmds == expected, cut
        assert parser.buffered == 0


def test_byte_by_byte() -> None:
    data = multibulk(b"HSET", b"h", b"f", b"v" * 100)
    cmds, _ = parse_all(*[data[i : i + 1] for i in range(len(data))])
    assert cmds == [[b"HSET", b"h", b"f", b"v" * 100]]


def test_large_bulk_in_many_chunks_is_joined_once() -> None:
    value = b"x" * 300_000
    data = multibulk(b"SET", b"k", value)
    chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]
    cmds, _ = parse_all(*chunks)
    assert cmds == [[b"SET", b"k", value]]


def test_huge_command_parse_is_linear_in_bytes_received() -> None:
    """DEL with 200,000 one-byte arguments, read by read: each read parses only what it brought (plus
    the one argument it interrupted), so the buffer never holds more than that."""
    n = 200_000
    data = b"*%d\r\n$3\r\nDEL\r\n" % (n + 1) + b"$1\r\nx\r\n" * n
    parser = resp.Parser()
    chunk = 65536
    most = 0
    out: list[list[bytes]] = []
    for i in range(0, len(data), chunk):
        parser.feed(data[i : i + chunk])
        out += parser.parse()
        most = max(most, parser.buffered)
    assert out == [[b"DEL"] + [b"x"] * n]
    assert most < chunk + 16  # re-parsing from the command's start kept ~the whole 1.4 MB here
    assert parser.buffered == 0


def test_big_bulk_collects_in_one_buffer_and_reset_frees_it() -> None:
    value = bytes(range(256)) * 4096  # 1 MiB
    data = multibulk(b"SET", b"k", value) + multibulk(b"PING")
    parser = resp.Parser()
    out: list[list[bytes]] = []
    for i in range(0, len(data), 1000):
        parser.feed(data[i : i + 1000])
        out += parser.parse()
        assert len(parser._buf) <= 1000 and not parser._parts  # the value is not re-joined per read
    assert out == [[b"SET", b"k", value], [b"PING"]]
    parser.feed(multibulk(b"SET", b"k", value)[: len(value) // 2])
    assert parser.parse() == [] and parser.buffered > len(value) // 3
    parser.reset()
    assert parser.buffered == 0 and parser._big is None and parser._argv == []
    parser.feed(multibulk(b"PING"))
    assert parser.parse() == [[b"PING"]]


def test_empty_multibulk_and_empty_inline_lines_are_skipped() -> None:
    cmds, parser = parse_all(b"*0\r\n*-1\r\n\r\n  \r\nPING\r\n")
    assert cmds == [[b"PING"]]
    assert parser.error is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"*3000000000\r\n", "invalid multibulk length"),
        (b"*abc\r\n", "invalid multibulk length"),
        (b"*+1\r\n", "invalid multibulk length"),
        (b"*1\r\nfoo\r\n", "expected '$', got 'f'"),
        (b"*1\r\n$-10\r\n", "invalid bulk length"),
        (b"*1\r\n$blabla\r\n", "invalid bulk length"),
        (b"*1\r\n$03\r\nabc\r\n", "invalid bulk length"),
        (b"*1\r\n$600000000\r\n", "invalid bulk length"),
        (b'SET k "abc\r\n', "unbalanced quotes in request"),
        (b"SET k 'a'b\r\n", "unbalanced quotes in request"),
        (b"x" * (64 * 1024 + 1), "too big inline request"),
        (b"*" + b"1" * (64 * 1024 + 1), "too big mbulk count string"),
        (b"*1\r\n$" + b"1" * (64 * 1024 + 1), "too big bulk count string"),
    ],
)
def test_protocol_errors(data: bytes, error: str) -> None:
    cmds, parser = parse_all(multibulk(b"PING") + data)
    assert cmds == [[b"PING"]]  # what came before the error still runs
    assert parser.error == error


NUL_LINES = [b"ECHO a\x00b\r\n", b"*1\x00\r\n", b"*1\r\n$\x004\r\n", b"*1\r\n\x00$4\r\n"]


@pytest.mark.parametrize("data", NUL_LINES)
def test_nul_before_a_line_end_waits_like_strchr(data: bytes) -> None:
    assert parse_all(data + b"PING\r\n")[0] == []
    _, parser = parse_all(data + b"x" * (64 * 1024 + 1))
    assert parser.error is not None and parser.error.startswith("too big")


def test_cr_lf_from_input_never_goes_out_raw() -> None:
    _, parser = parse_all(b"*1\r\n\r\n")
    assert parser.error == "expected '$', got '\r'"
    wire = resp.error_bytes("ERR Protocol error: " + parser.error)
    assert wire == b"-ERR Protocol error: expected '$', got ' '\r\n"


def test_unauthenticated_limits() -> None:
    eleven = multibulk(*[b"a"] * 11)
    assert parse_all(eleven)[1].error is None
    assert parse_all(eleven, unauthenticated=True)[1].error == "unauthenticated multibulk length"
    big = multibulk(b"AUTH", b"p" * 16385)
    assert parse_all(big, unauthenticated=True)[1].error == "unauthenticated bulk length"
    ok = multibulk(b"AUTH", b"p" * 16384)
    assert parse_all(ok, unauthenticated=True)[0] == [[b"AUTH", b"p" * 16384]]


def test_unauthenticated_parses_one_command_at_a_time() -> None:
    parser = resp.Parser()
    parser.feed(b"PING\r\nPING\r\n")
    assert parser.parse(unauthenticated=True) == [[b"PING"]]
    assert parser.parse(unauthenticated=True) == [[b"PING"]]
    assert parser.parse(unauthenticated=True) == []


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"set a b", [b"set", b"a", b"b"]),
        (b"  set\ta  b ", [b"set", b"a", b"b"]),
        (b'set "a b" c', [b"set", b"a b", b"c"]),
        (b'set "\\x41\\n\\"" x', [b"set", b'A\n"', b"x"]),
        (b"set 'it\\'s' x", [b"set", b"it's", b"x"]),
        (b'ab"cd"', [b"abcd"]),
        (b"a\x0bb", [b"a\x0bb"]),
        (b"a\x00b c", [b"a"]),
        (b"", []),
    ],
)
def test_split_args(line: bytes, words: list[bytes]) -> None:
    assert resp.split_args(line) == words


@pytest.mark.parametrize("line", [b'"abc', b"'abc", b'"a"b', b"'a'b"])
def test_split_args_unbalanced(line: bytes) -> None:
    assert resp.split_args(line) is None


def test_strict_int_is_redis_string2ll() -> None:
    good = (b"0", b"12", b"-7", b"9223372036854775807")
    assert [resp.strict_int(s) for s in good] == [0, 12, -7, 2**63 - 1]
    for bad in (b"", b"-", b"-0", b"01", b"+1", b" 1", b"1_0", b"9223372036854775808", b"1.0"):
        assert resp.strict_int(bad) is None, bad


@pytest.mark.parametrize(
    ("value", "resp2", "resp3"),
    [
        (b"ab", b"$2\r\nab\r\n", b"$2\r\nab\r\n"),
        ("é", b"$2\r\n\xc3\xa9\r\n", b"$2\r\n\xc3\xa9\r\n"),
        (resp.OK, b"+OK\r\n", b"+OK\r\n"),
        (-3, b":-3\r\n", b":-3\r\n"),
        (True, b":1\r\n", b"#t\r\n"),
        (1.5, b"$3\r\n1.5\r\n", b",1.5\r\n"),
        (float("inf"), b"$3\r\ninf\r\n", b",inf\r\n"),
        (None, b"$-1\r\n", b"_\r\n"),
        (resp.NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
        ([b"a", 1, None], b"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", b"*3\r\n$1\r\na\r\n:1\r\n_\r\n"),
        ({b"k": 1}, b"*2\r\n$1\r\nk\r\n:1\r\n", b"%1\r\n$1\r\nk\r\n:1\r\n"),
        ({b"m"}, b"*1\r\n$1\r\nm\r\n", b"~1\r\n$1\r\nm\r\n"),
        (resp.ErrorReply("ERR x\r\ny"), b"-ERR x  y\r\n", b"-ERR x  y\r\n"),
        (resp.Verbatim("txt", "hi"), b"$2\r\nhi\r\n", b"=6\r\ntxt:hi\r\n"),
    ],
)
def test_encode(value: object, resp2: bytes, resp3: bytes) -> None:
    assert resp.encode(value, 2) == resp2
    assert resp.encode(value, 3) == resp3


def test_encode_rejects_unknown_types() -> None:
    with pytest.raises(TypeError, match="cannot encode object"):
        resp.encode(object())


def test_repr_bytes_is_sdscatrepr() -> None:
    assert resp.repr_bytes(b'a"\\\r\n\x00\xff') == '"a\\"\\\\\\r\\n\\x00\\xff"'


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.binary(max_size=40), min_size=1, max_size=5), max_size=6), st.data())
def test_roundtrip_any_split(commands: list[list[bytes]], data: st.DataObject) -> None:
    wire = b"".join(multibulk(*argv) for argv in commands)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=4)))
    chunks = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    assert parse_all(*chunks)[0] == commands


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_never_raises(data: bytes) -> None:
    cmds, parser = parse_all(data[:50], data[50:])
    assert all(isinstance(a, bytes) for argv in cmds for a in argv)
    assert parser.error is None or isinstance(parser.error, str)
