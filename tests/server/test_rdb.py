"""server.rdb and server.lzf: the RDB value codec round-trips every value under every encoding choice,
refuses damaged payloads with the right error class, and reads the pre-7.0 encodings."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import rdb
from server.keyspace import Value
from server.lzf import LzfError, lzf_compress, lzf_decompress
from server.quicklist import QuickList
from server.zset import ZSet

# Strings that look like integers (every listpack/intset integer width) as well as text and binary.
_INTS = st.one_of(
    st.integers(-130, 130), st.integers(-(1 << 24), 1 << 24), st.integers(-(1 << 63), (1 << 63) - 1)
).map(lambda i: str(i).encode())
_ELEMENTS = st.one_of(_INTS, st.binary(max_size=40), st.binary(min_size=60, max_size=300),
                      st.sampled_from([b"", b"-0", b"01", b"+1", b"a" * 5000]))  # fmt: skip
_SCORES = st.floats(allow_nan=False).filter(lambda f: f != 0 or str(f) == "0.0")


def _zset(pairs: dict[bytes, float]) -> ZSet:
    z = ZSet()
    for member, score in pairs.items():
        z.add(member, score)
    return z


_VALUES = st.one_of(
    _ELEMENTS,
    st.lists(_ELEMENTS, min_size=1, max_size=300).map(QuickList),
    st.sets(_ELEMENTS, min_size=1, max_size=200),
    st.sets(_INTS, min_size=1, max_size=200),
    st.dictionaries(_ELEMENTS, _ELEMENTS, min_size=1, max_size=200),
    st.dictionaries(_ELEMENTS, _SCORES, min_size=1, max_size=200).map(_zset),
)
_ENCODINGS = st.builds(
    rdb.Encodings,
    hash_entries=st.sampled_from([0, 1, 128, 512]),
    hash_value=st.sampled_from([0, 8, 64]),
    zset_entries=st.sampled_from([0, 1, 128]),
    zset_value=st.sampled_from([0, 8, 64]),
    intset_entries=st.sampled_from([0, 1, 512]),
    list_fill=st.sampled_from([-5, -2, -1, 0, 1, 3, 128, -9]),
    list_compress_depth=st.sampled_from([0, 1, 2]),
    compression=st.booleans(),
)


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, ZSet) and isinstance(b, ZSet):
        return [(struct.pack("<d", s), m) for s, m in a] == [(struct.pack("<d", s), m) for s, m in b]
    return type(a) is type(b) and a == b and (not isinstance(a, dict) or list(a) == list(b))


@settings(max_examples=300, deadline=None)
@given(_VALUES, _ENCODINGS)
def test_decode_of_encode_is_the_value(value: Value, enc: rdb.Encodings) -> None:
    payload = rdb.dump(value, enc)
    assert _same(rdb.load(payload), value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000) | st.text("ab \n", max_size=3000).map(str.encode))
def test_lzf_round_trip(data: bytes) -> None:
    packed = lzf_compress(data, len(data) + 64)
    if data:
        assert packed is not None
        assert lzf_decompress(packed, len(data)) == data
    tight = lzf_compress(data, max(len(data) - 4, 0))
    assert tight is None or (len(tight) <= len(data) - 4 and lzf_decompress(tight, len(data)) == data)


def test_crc64_is_redis_jones_crc() -> None:
    assert rdb.crc64(b"123456789") == 0xE9C6D914C4B8D9CA  # crc64.c's own test vector


def test_strings_use_redis_integer_and_lzf_encodings() -> None:
    assert rdb.dump(b"1")[:2] == b"\x00\xc0" and rdb.dump(b"-129")[:2] == b"\x00\xc1"
    assert rdb.dump(b"2147483647")[:2] == b"\x00\xc2"
    assert rdb.dump(b"2147483648")[:2] == b"\x00\x0a"  # beyond 32 bits: stored as text
    assert rdb.dump(b"01")[:2] == b"\x00\x02"  # not canonical: text
    assert rdb.dump(b"a" * 100)[:2] == b"\x00\xc3"
    assert rdb.dump(b"a" * 100, rdb.Encodings(compression=False))[:2] == b"\x00\x40"
    assert rdb.dump(b"a" * rdb.LZF_MAX)[:2] == b"\x00\xc3"
    assert rdb.dump(b"a" * (rdb.LZF_MAX + 1))[:2] == b"\x00\x80"  # past the cap: plain, 32-bit length
    # The trailer: RDB version 10, then the CRC of everything before it.
    payload = rdb.dump(b"x")
    assert payload[-10:-8] == b"\x0a\x00"
    assert int.from_bytes(payload[-8:], "little") == rdb.crc64(payload[:-8])


def test_encoding_follows_thresholds() -> None:
    small = {b"f": b"v"}
    assert rdb.dump(small)[0] == rdb.RdbType.HASH_LISTPACK
    assert rdb.dump(small, rdb.Encodings(hash_entries=0))[0] == rdb.RdbType.HASH
    assert rdb.dump({b"f": b"v" * 65})[0] == rdb.RdbType.HASH
    assert rdb.dump({b"1", b"2"})[0] == rdb.RdbType.SET_INTSET
    assert rdb.dump({b"1", b"x"})[0] == rdb.RdbType.SET
    assert rdb.dump(_zset({b"m": 1.5}))[0] == rdb.RdbType.ZSET_LISTPACK
    assert rdb.dump(_zset({b"m" * 65: 1.5}))[0] == rdb.RdbType.ZSET_2
    assert rdb.dump(QuickList([b"a"]))[0] == rdb.RdbType.LIST_QUICKLIST_2


def test_list_nodes_split_like_quicklist() -> None:
    # 8 KB nodes (list-max-listpack-size -2): 100 elements of 300 bytes take 4 nodes in Redis 7.0.
    payload = rdb.dump(QuickList([b"x" * 300] * 100))
    assert payload[1] == 4
    assert rdb.dump(QuickList([b"a"] * 10), rdb.Encodings(list_fill=3))[1] == 4  # 3 + 3 + 3 + 1


def _payload(body: bytes, version: int = rdb.RDB_VERSION) -> bytes:
    head = body + version.to_bytes(2, "little")
    return head + rdb.crc64(head).to_bytes(8, "little")


def test_damaged_payloads_are_refused_with_the_right_error() -> None:
    good = rdb.dump(b"hello")
    with pytest.raises(rdb.PayloadError):
        rdb.load(good[:-1] + bytes([good[-1] ^ 1]))  # checksum
    with pytest.raises(rdb.PayloadError):
        rdb.load(_payload(b"\x00\x01a", version=11))  # Redis 7.2's format
    with pytest.raises(rdb.PayloadError):
        rdb.load(b"short")
    for body in (
        b"\x00\x20ab",  # a string longer than the whole payload
        b"\x02\x00",  # empty set
        b"\x02\x02\x01a\x01a",  # duplicate set members
        b"\x06\x00",  # a module value
        b"\x15\x00",  # a stream
        b"\x00\xc3\x05\x0a\x01ab",  # LZF that does not expand to its length
        b"\x10\x08\x08\x00\x00\x00\x00\x00\xff",  # listpack whose header lies about its size
        b"\x05\x01\x01m" + struct.pack("<d", float("nan")),  # NaN score
    ):
        with pytest.raises(rdb.FormatError):
            rdb.load(_payload(body))


def _ziplist(entries: list[bytes]) -> bytes:
    body = b""
    prev = 0
    for raw in entries:
        entry = bytes((prev,)) + raw
        body += entry
        prev = len(entry)
    total = 10 + len(body) + 1
    return total.to_bytes(4, "little") + (10).to_bytes(4, "little") + len(entries).to_bytes(2, "little") \
        + body + b"\xff"  # fmt: skip


def test_reads_pre_7_encodings() -> None:
    # ziplist entries: a 6-bit string, a 4-bit immediate (7), an int16 (-300)
    zl = _ziplist([b"\x02ab", b"\xf8", b"\xc0" + (-300).to_bytes(2, "little", signed=True)])
    blob = bytes((len(zl),)) + zl
    assert rdb.load(_payload(b"\x0a" + blob)) == QuickList([b"ab", b"7", b"-300"])  # LIST_ZIPLIST
    assert rdb.load(_payload(b"\x0e\x01" + blob)) == QuickList([b"ab", b"7", b"-300"])  # LIST_QUICKLIST
    pairs = _ziplist([b"\x01f", b"\x01v", b"\x01g", b"\xf2"])
    assert rdb.load(_payload(b"\x0d" + bytes((len(pairs),)) + pairs)) == {b"f": b"v", b"g": b"1"}
    zpairs = _ziplist([b"\x01m", b"\x031.5"])
    z = rdb.load(_payload(b"\x0c" + bytes((len(zpairs),)) + zpairs))
    assert isinstance(z, ZSet) and list(z) == [(1.5, b"m")]
    zipmap = b"\x01\x01f\x02\x00vv\xff"
    assert rdb.load(_payload(b"\x09" + bytes((len(zipmap),)) + zipmap)) == {b"f": b"vv"}
    old_zset = rdb.load(_payload(b"\x03\x02\x01a\x031.5\x01b\xfe"))  # scores as text, 254 = +inf
    assert isinstance(old_zset, ZSet) and list(old_zset) == [(1.5, b"a"), (float("inf"), b"b")]
    assert rdb.load(_payload(b"\x01\x02\x01a\xc0\x05")) == QuickList([b"a", b"5"])  # linked list


def test_lzf_refuses_corrupt_input() -> None:
    with pytest.raises(LzfError):
        lzf_decompress(b"\x20\x00", 3)  # a back reference before any output
    with pytest.raises(LzfError):
        lzf_decompress(b"\x05ab", 6)  # literal run past the end
