"""RESP inputs for the fuzz suites (test_resp_fuzz.py, test_resp_fast.py; test_connection_fuzz.py takes the
settings): hypothesis settings,
strategies for random and RESP-like bytes and chunk cuts, and the helpers that build and split frames."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Derandomized, no example database: CI sees the same examples every time.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEAVY = settings(FUZZ, max_examples=100)  # composite examples (pipelines, nested replies, 64 KB lines)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def multibulk(argv: list[bytes]) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(b"$%d\r\n%b\r\n" % (len(a), a) for a in argv)


# Tokens that make random input look like RESP often enough to reach every parser branch.
_TOKENS = [b"*", b"$", b"\r", b"\n", b"\r\n", b"0", b"1", b"2", b"-1", b"-10", b"3000000000", b"11", b"16385",
           b"abc", b"a", b" ", b'"', b"'", b"\\", b"\\x41", b"\\n", b"\x00", b"\xff", b"\t"]  # fmt: skip
resp_like = st.lists(st.sampled_from(_TOKENS), max_size=60).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=300), resp_like)
cut_points = st.lists(st.integers(0, 400), max_size=6)
