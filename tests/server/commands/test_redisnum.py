"""server.commands.redisnum: Redis's integer, cursor and long double rules, checked against redis-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.commands.redisnum import add_ld, format_ld_human, is_finite, parse_cursor, parse_ld, parse_ll
from tests.server.rawresp import RawClient
from tests.server.reference import reference_redis


@pytest.mark.parametrize(
    ("text", "value"),
    [(b"0", 0), (b"-1", -1), (b"9223372036854775807", 2**63 - 1), (b"-9223372036854775808", -(2**63)),
     (b"9223372036854775808", None), (b"+1", None), (b" 1", None), (b"01", None), (b"-0", None), (b"", None),
     (b"1.0", None), (b"1_000", None), (b"\xd9\xa1", None)],
)  # fmt: skip
def test_parse_ll(text: bytes, value: int | None) -> None:
    assert parse_ll(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [(b"0", 0), (b"", 0), (b" 7", 7), (b"+7", 7), (b"-1", 2**64 - 1), (b"7 ", None), (b"x", None),
     (b"18446744073709551616", None)],
)  # fmt: skip
def test_parse_cursor_is_strtoul(text: bytes, value: int | None) -> None:
    assert parse_cursor(text) == value


def test_long_double_digits() -> None:
    def incr(a: bytes, b: bytes) -> bytes:
        x, y = parse_ld(a), parse_ld(b)
        assert x is not None and y is not None
        return format_ld_human(add_ld(x, y))

    assert incr(b"10.50", b"0.1") == b"10.6"
    assert incr(b"0.1", b"0.2") == b"0.3"  # long double, not double: 0.30000000000000004 is not printed
    assert incr(b"5.0e3", b"2.0e2") == b"5200"
    assert incr(b"-1", b"1") == b"0"
    assert incr(b"1e-20", b"-2e-20") == b"0"  # "-0.00000000000000000" becomes "0"
    assert parse_ld(b"nan") is None and parse_ld(b" 1") is None and parse_ld(b"1e5000") is None
    inf = parse_ld(b"-inf")
    assert inf is not None and not is_finite(inf)


NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).encode()),
    st.integers(-(10**30), 10**30).map(lambda i: str(i).encode()),
    st.tuples(st.integers(-(10**8), 10**8), st.integers(-40, 40)).map(lambda t: b"%de%d" % t),
    st.tuples(st.integers(0, 999), st.integers(0, 10**6)).map(lambda t: b"%d.%06d" % t),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f.hex().encode()),
    st.sampled_from(
        [
            b"inf",
            b"-Infinity",
            b"1e4900",
            b"1e-4940",
            b"1e-5000",
            b"0x1p-16400",
            b".5",
            b"5.",
            b"+3",
            b"1e",
            b"--1",
            b"0x",
            b"1 ",
            b"\t1",
            b"1\x002",
            b"",
            b"12345678901234567890123",
        ]
    ),
)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawClient]:
    with reference_redis(tmp_path_factory.mktemp("redis")) as target:
        assert target.port is not None
        with RawClient(target.host, target.port) as client:
            yield client


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(NUMBER_TEXT, NUMBER_TEXT)
def test_incrbyfloat_and_incrby_agree_with_redis(redis: RawClient, start: bytes, incr: bytes) -> None:
    replies = redis.pipeline(
        [["SET", "k", start], ["INCRBYFLOAT", "k", incr], ["SET", "i", start], ["INCRBY", "i", incr]]
    )
    value, increment = parse_ld(start), parse_ld(incr)
    if value is None or increment is None:
        assert replies[1] == ("-", b"ERR value is not a valid float")
    elif not is_finite(total := add_ld(value, increment)):
        assert replies[1] == ("-", b"ERR increment would produce NaN or Infinity")
    else:
        assert replies[1] == ("$", format_ld_human(total)), (start, incr)
    a, b = parse_ll(start), parse_ll(incr)
    if a is None or b is None:
        assert replies[3] == ("-", b"ERR value is not an integer or out of range")
    elif not -(2**63) <= a + b < 2**63:
        assert replies[3] == ("-", b"ERR increment or decrement would overflow")
    else:
        assert replies[3] == (":", a + b)
