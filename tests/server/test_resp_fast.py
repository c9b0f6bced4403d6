"""The request parser's C fast path (server/_resp_fast.c) against the pure-Python parser.

The C function may only take a strict subset of the input (complete, canonical arrays of bulk strings) and
must hand everything else back to the Python parser, which owns every protocol error. So the property is:
whatever the bytes and however they are chunked, a Parser with the C fast path, one with the pure-Python
fast path and one with no fast path at all return the same commands, the same error and keep the same
bytes buffered.
"""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server import resp
from tests.server.mutation import MUTATION, mutate
from tests.server.respgen import FUZZ, HEAVY, any_bytes, cut_points, multibulk, split_at

try:
    from server import _resp_fast
except ImportError:
    _resp_fast = None  # type: ignore[assignment]

BUILT = _resp_fast is not None
needs_c = pytest.mark.skipif(not BUILT, reason="server._resp_fast is not built (no C compiler at install)")


def _none(buf: bytes, max_bulk_len: int) -> tuple[list[list[bytes]], int]:
    return [], 0  # no fast path: the full parser alone, the oracle


def _c(buf: bytes, max_bulk_len: int) -> tuple[list[list[bytes]], int]:
    assert _resp_fast is not None
    return _resp_fast.parse(buf, max_bulk_len)


FAST_PATHS = [_none, resp.parse_simple, *([_c] if BUILT else [])]


Outcome = tuple[list[list[bytes]], str | None, int]


def run(fast: resp.FastParse, chunks: list[bytes], max_bulk_len: int) -> Outcome:
    parser = resp.Parser(max_bulk_len, fast=fast)
    out: list[list[bytes]] = []
    for chunk in chunks:
        parser.feed(chunk)
        out.extend(parser.parse())
    return out, parser.error, parser.buffered


def assert_same(chunks: list[bytes], max_bulk_len: int = 512 * 1024 * 1024) -> None:
    results = {fast.__name__: run(fast, chunks, max_bulk_len) for fast in FAST_PATHS}
    oracle = results.pop("_none")
    for name, got in results.items():
        assert got == oracle, name


def test_the_extension_is_built_where_a_compiler_is() -> None:
    """The install builds it whenever it can: a missing .so would silently cost the server its speed."""
    headers = Path(sysconfig.get_paths()["include"], "Python.h").exists()
    if not (shutil.which("cc") or shutil.which("gcc")) or not headers:
        pytest.skip("no C compiler or Python headers here: the pure-Python fast path is used")
    assert BUILT, "server._resp_fast is missing: run `pip install -e .` again and read its build output"
    assert resp.FAST_PARSE is _resp_fast.parse and resp.Parser()._fast is _resp_fast.parse


# ---------------------------------------------------------------- the C function itself


@needs_c
@pytest.mark.parametrize(
    ("data", "commands", "offset"),
    [
        (b"*1\r\n$4\r\nPING\r\n", [[b"PING"]], 14),
        (b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n*1\r\n$4\r\nPI", [[b"GET", b""]], 19),  # stops at the incomplete one
        (b"*1\r\n$4\r\na\r\nb\r\n", [[b"a\r\nb"]], 14),  # CR LF inside a bulk: lengths decide, as in Redis
        (b"*1\r\n$4\r\nPING\r\nPING\r\n", [[b"PING"]], 14),  # an inline command is left to Python
    ],
)
def test_c_parse_takes_complete_canonical_arrays(data: bytes, commands: Outcome, offset: int) -> None:
    assert _c(data, 1 << 20) == (commands, offset)


@needs_c
@pytest.mark.parametrize(
    "data",
    [
        b"*01\r\n$4\r\nPING\r\n",  # leading zero: Redis reads it, Python decides how
        b"*0\r\n",  # an empty array is skipped by Redis, not a command
        b"*-1\r\n",
        b"*1\r\n$-1\r\n",  # invalid bulk length: the error is Python's to give
        b"*1\r\n$04\r\nPING\r\n",
        b"*1\r\n$+4\r\nPING\r\n",
        b"*1\r\n$4\r\nPINGxx",  # Redis skips the two bytes after a bulk unchecked
        b"*1\r\n$4\x00\r\nPING\r\n",  # a NUL in a header line (strchr semantics)
        b"*1\rx$4\r\nPING\r\n",  # CR not followed by LF
        b"*1\r\nx4\r\nPING\r\n",  # expected '$'
        b"*1\r\n$1234567890123456789\r\n",  # more digits than any length Redis accepts
        b"*2000000000\r\n$1\r\na\r\n",  # a count the buffer cannot hold: nothing allocated for it
        b"*1\r\n$5\r\nabc",
        b"",
    ],
)
def test_c_parse_leaves_everything_else_to_python(data: bytes) -> None:
    assert _c(data, 1 << 20) == ([], 0)
    assert_same([data])


@needs_c
def test_c_parse_respects_proto_max_bulk_len() -> None:
    data = multibulk([b"SET", b"k", b"x" * 100])
    assert _c(data, 99) == ([], 0)
    assert _c(data, 100) == ([[b"SET", b"k", b"x" * 100]], len(data))
    assert_same([data], max_bulk_len=99)


@needs_c
def test_c_parse_bad_arguments_raise_type_error() -> None:
    assert _resp_fast is not None
    with pytest.raises(TypeError):
        _resp_fast.parse("*1\r\n", 10)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _resp_fast.parse(b"*1\r\n")  # type: ignore[call-arg]


# ---------------------------------------------------------------- differential properties


_BULK = st.one_of(
    st.binary(max_size=24),
    st.sampled_from([b"\r\n", b"a\r\nb", b"$3\r\n", b"*1\r\n"]),  # framing bytes inside values
    st.integers(4090, 4200).map(lambda n: b"v" * n),  # around the pure-Python table's 4096
)
_COMMAND = st.lists(_BULK, min_size=1, max_size=4).map(multibulk)
_INLINE = st.sampled_from([b"PING\r\n", b"SET a b\n", b'ECHO "x y"\r\n', b"\r\n"])
_PIPELINE = st.lists(st.one_of(_COMMAND, _COMMAND, _INLINE), min_size=1, max_size=8).map(b"".join)


@FUZZ
@given(any_bytes, cut_points)
def test_random_bytes_parse_the_same_with_every_fast_path(data: bytes, cuts: list[int]) -> None:
    assert_same(split_at(data, cuts))


@HEAVY
@given(_PIPELINE, cut_points)
def test_pipelines_parse_the_same_with_every_fast_path(data: bytes, cuts: list[int]) -> None:
    assert_same(split_at(data, cuts))


@HEAVY
@given(_PIPELINE, st.lists(MUTATION, min_size=1, max_size=4), cut_points)
def test_mutated_pipelines_parse_the_same_with_every_fast_path(
    data: bytes, mutations: list[tuple[str, int, bytes]], cuts: list[int]
) -> None:
    assert_same(split_at(mutate(data, mutations), cuts))
