"""Redis's glob matching (util.c stringmatchlen) for KEYS, SCAN MATCH and ACL key patterns.

The pattern language: `*` any run of bytes, `?` one byte, `[...]` a set (`^` negates, `a-z` ranges,
reversed ranges are swapped, `\\x` escapes), `\\x` a literal x. Redis's quirks are kept: an unclosed
`[` takes the rest of the pattern as its set, a trailing lone `\\` is a literal backslash, `[a-]`
is the range from 'a' to ']', and an empty string matches only the empty pattern (stringmatchlen
never lets `*` match at the end of an empty string; KEYS/SCAN special-case the lone `*` themselves).

The matcher is Redis's own algorithm, not a regex: a glob with several `*` becomes a backtracking
regex whose run time explodes (`a*a*a*a*a*a*a*a*a*a*b` against 60 bytes never ends, and the event
loop with it). Redis bounds the work two ways, kept here: once the rest of a pattern after a `*`
matched nowhere in the rest of the string, no longer match of an earlier `*` can help
(skipLongerMatches), and recursion deeper than MAX_NESTING gives up with "no match".
Globs with at most one `*` run cannot backtrack badly and keep the faster regex translation.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[bytes], bool]
MAX_NESTING = 1000  # Redis: "Protection against abusive patterns"
# Each nesting level is one Python frame: room for all of them above whatever called the matcher.
sys.setrecursionlimit(max(sys.getrecursionlimit(), MAX_NESTING + 1000))


class _Search:
    """One match attempt: the skipLongerMatches flag and a step count (the work done, for tests)."""

    __slots__ = ("skip_longer", "steps")

    def __init__(self) -> None:
        self.skip_longer = False
        self.steps = 0


def _set_matches(pattern: bytes, p: int, c: int, nocase: bool) -> tuple[bool, int]:
    """The set starting after '[' at p against byte c: (matched, index of its ']' or last byte)."""
    n = len(pattern)
    negate = p < n and pattern[p] == 94  # '^'
    if negate:
        p += 1
    if nocase:
        c = _lower(c)
    match = False
    while True:
        if p < n and pattern[p] == 92 and n - p >= 2:  # '\' escapes the next byte
            p += 1
            if (_lower(pattern[p]) if nocase else pattern[p]) == c:
                match = True
        elif p < n and pattern[p] == 93:  # ']'
            break
        elif p >= n:  # unterminated: the set ends with the pattern
            p -= 1
            break
        elif n - p >= 3 and pattern[p + 1] == 45:  # 'a-z'
            lo, hi = sorted((pattern[p], pattern[p + 2]))
            if nocase:
                lo, hi = _lower(lo), _lower(hi)
            p += 2
            if lo <= c <= hi:
                match = True
        elif (_lower(pattern[p]) if nocase else pattern[p]) == c:
            match = True
        p += 1
    return match != negate, p


def _lower(c: int) -> int:
    return c + 32 if 65 <= c <= 90 else c


def _match(pattern: bytes, p: int, string: bytes, s: int, nocase: bool, search: _Search, nesting: int
           ) -> bool:  # fmt: skip
    """stringmatchlen_impl: pattern[p:] against string[s:]."""
    search.steps += 1
    if nesting > MAX_NESTING:
        return False
    pn, sn = len(pattern), len(string)
    while p < pn and s < sn:
        c = pattern[p]
        if c == 42:  # '*'
            while p + 1 < pn and pattern[p + 1] == 42:
                p += 1
            if p + 1 == pn:
                return True
            while s < sn:
                if _match(pattern, p + 1, string, s, nocase, search, nesting + 1):
                    return True
                if search.skip_longer:
                    return False
                s += 1
            search.skip_longer = True
            return False
        if c == 63:  # '?'
            s += 1
        elif c == 91:  # '['
            matched, p = _set_matches(pattern, p + 1, string[s], nocase)
            if not matched:
                return False
            s += 1
        else:
            if c == 92 and pn - p >= 2:  # '\'
                p += 1
            a, b = pattern[p], string[s]
            if a != b and not (nocase and _lower(a) == _lower(b)):
                return False
            s += 1
        p += 1
        if s == sn:
            while p < pn and pattern[p] == 42:
                p += 1
            break
    return p == pn and s == sn


def stringmatch(pattern: bytes, string: bytes, nocase: bool = False) -> bool:
    """Redis's stringmatchlen(pattern, string, nocase)."""
    return _match(pattern, 0, string, 0, nocase, _Search(), 0)


def match_steps(pattern: bytes, string: bytes) -> tuple[bool, int]:
    """The match result and how many recursive steps it took (the work is bounded, not timed)."""
    search = _Search()
    return _match(pattern, 0, string, 0, False, search, 0), search.steps


def _byte(c: int) -> bytes:
    return b"\\x%02x" % c


def _class(pattern: bytes, i: int) -> tuple[bytes, int]:
    """Translate the set starting after '[' at i; returns (regex, index after the set)."""
    n = len(pattern)
    negate = i < n and pattern[i] == 94  # '^'
    if negate:
        i += 1
    ranges: list[tuple[int, int]] = []
    while True:
        if i < n and pattern[i] == 92 and n - i >= 2:  # '\' escapes the next byte
            i += 1
            ranges.append((pattern[i], pattern[i]))
        elif i < n and pattern[i] == 93:  # ']'
            break
        elif i >= n:  # unterminated: the set ends with the pattern
            i -= 1
            break
        elif n - i >= 3 and pattern[i + 1] == 45:  # 'a-z'
            lo, hi = sorted((pattern[i], pattern[i + 2]))
            ranges.append((lo, hi))
            i += 2
        else:
            ranges.append((pattern[i], pattern[i]))
        i += 1
    if not ranges:
        return (b"." if negate else b"(?!)"), i + 1
    body = b"".join(_byte(lo) if lo == hi else _byte(lo) + b"-" + _byte(hi) for lo, hi in ranges)
    return b"[" + (b"^" if negate else b"") + body + b"]", i + 1


def _to_regex(pattern: bytes) -> tuple[bytes, int]:
    """The regex for a glob and how many `*` runs it has."""
    out: list[bytes] = []
    stars = 0
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 42:  # '*'
            if not out or out[-1] != b".*":
                out.append(b".*")
                stars += 1
            i += 1
        elif c == 63:  # '?'
            out.append(b".")
            i += 1
        elif c == 91:  # '['
            part, i = _class(pattern, i + 1)
            out.append(part)
        else:
            if c == 92 and n - i >= 2:  # '\'
                i += 1
            out.append(_byte(pattern[i]))
            i += 1
    return b"".join(out), stars


@lru_cache(maxsize=256)
def compile_pattern(pattern: bytes) -> Matcher:
    """A predicate telling whether a key matches the glob `pattern`, exactly as Redis decides."""
    regex, stars = _to_regex(pattern)
    if stars > 1:  # several '*': only Redis's bounded search is safe
        return lambda key: _match(pattern, 0, key, 0, False, _Search(), 0)
    fullmatch = re.compile(regex, re.DOTALL).fullmatch
    empty_pattern = not pattern

    def match(key: bytes) -> bool:
        if not key:
            return empty_pattern
        return fullmatch(key) is not None

    return match
