"""server.stringmatch: Redis's glob, checked case by case and against real redis-server's KEYS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.stringmatch import compile_pattern, match_steps, stringmatch
from tests.server.rawresp import RawClient
from tests.server.reference import reference_redis

CASES = [
    (b"h?llo", b"hello", True),
    (b"h?llo", b"hllo", False),
    (b"h*llo", b"hllo", True),
    (b"h*llo", b"heeeello", True),
    (b"h[ae]llo", b"hallo", True),
    (b"h[ae]llo", b"hillo", False),
    (b"h[^e]llo", b"hallo", True),
    (b"h[^e]llo", b"hello", False),
    (b"h[a-b]llo", b"hbllo", True),
    (b"h[b-a]llo", b"hbllo", True),  # reversed range is swapped
    (b"h\\*llo", b"h*llo", True),
    (b"h\\*llo", b"hello", False),
    (b"[\\]]", b"]", True),
    (b"[a-]", b"]", True),  # the range a..']' (Redis quirk)
    (b"[abc", b"b", True),  # unclosed set takes the rest of the pattern
    (b"[", b"[", False),
    (b"[^", b"x", True),
    (b"a\\", b"a\\", True),  # trailing backslash is literal
    (b"*", b"", False),  # stringmatchlen itself; KEYS/SCAN special-case the lone '*'
    (b"", b"", True),
    (b"**", b"abc", True),
    (b"a*b*c", b"aXbYc", True),
    (b"a*b*c", b"aXbY", False),
    (b"?", b"\n", True),  # bytes, newlines included
]


@pytest.mark.parametrize(("pattern", "key", "expected"), CASES)
def test_cases(pattern: bytes, key: bytes, expected: bool) -> None:
    assert compile_pattern(pattern)(key) is expected


ALPHABET = b"ab-^[]\\*?"
KEYS = sorted(
    {
        b"",
        b"a",
        b"b",
        b"ab",
        b"ba",
        b"[",
        b"]",
        b"\\",
        b"-",
        b"^",
        b"*",
        b"?",
        b"a-b",
        b"[a]",
        b"a\\",
        b"aab",
        b"abab",
        b"bba",
        b"a]b",
        b"^a",
        b"-]",
        b"]]",
        b"a*b",
        b"a?b",
        b"[[",
        b"\\\\",
    }
)


@pytest.fixture(scope="module")
def redis_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawClient]:
    with reference_redis(tmp_path_factory.mktemp("redis")) as target:
        assert target.port is not None
        with RawClient(target.host, target.port) as client:
            client.pipeline([["SET", key, "v"] for key in KEYS])
            yield client


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=6).map(lambda raw: bytes(ALPHABET[b % len(ALPHABET)] for b in raw)))
def test_same_matches_as_redis_keys(redis_keys: RawClient, pattern: bytes) -> None:
    if pattern == b"*":
        return  # KEYS answers every key without matching
    kind, reply = redis_keys.call(b"KEYS", pattern)
    assert kind == "*"
    expected = sorted(value for _, value in reply)
    match = compile_pattern(pattern)
    assert [key for key in KEYS if match(key)] == expected, pattern


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=8).map(lambda raw: bytes(ALPHABET[b % len(ALPHABET)] for b in raw)))
def test_redis_algorithm_same_matches_as_redis_keys(redis_keys: RawClient, pattern: bytes) -> None:
    """The bounded search itself (used for globs with several '*'), for every pattern shape."""
    if pattern == b"*":
        return
    _, reply = redis_keys.call(b"KEYS", pattern)
    assert [key for key in KEYS if stringmatch(pattern, key)] == sorted(value for _, value in reply), pattern


EVIL = b"a*a*a*a*a*a*a*a*a*a*b"


def test_abusive_pattern_work_is_bounded() -> None:
    """The glob that froze the server (a backtracking regex): Redis's search does ~pattern x key steps."""
    key = b"a" * 60
    matched, steps = match_steps(EVIL, key)
    assert matched is False
    assert steps < 20 * len(key)
    assert compile_pattern(EVIL)(key) is False
    assert compile_pattern(EVIL)(key + b"b") is True
    matched, steps = match_steps(EVIL, b"a" * 100_000)
    assert matched is False and steps < 200_000


@pytest.mark.parametrize(("stars", "expected"), [(999, True), (1000, True), (1001, False), (1002, False)])
def test_nesting_limit_as_redis(redis_keys: RawClient, stars: int, expected: bool) -> None:
    """Deeper than 1000 '*' levels Redis answers "no match" (checked on redis-server here)."""
    key = b"a" * (stars + 5)
    pattern = b"a*" * stars + b"a"
    assert compile_pattern(pattern)(key) is expected
    redis_keys.call(b"SET", key, b"v")
    try:
        _, reply = redis_keys.call(b"KEYS", pattern)
        assert (len(reply) == 1) is expected
    finally:
        redis_keys.call(b"DEL", key)


def test_nocase_as_redis_acl_and_sets() -> None:
    assert stringmatch(b"H[A-C]llo", b"hbllo", nocase=True)
    assert not stringmatch(b"H[A-C]llo", b"hbllo")
    assert stringmatch(b"h\\Ello", b"hello", nocase=True)
