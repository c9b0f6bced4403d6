"""Redis's glob matching (util.c stringmatchlen) for KEYS and SCAN MATCH, compiled to a regex.

The pattern language: `*` any run of bytes, `?` one byte, `[...]` a set (`^` negates, `a-z` ranges,
reversed ranges are swapped, `\\x` escapes), `\\x` a literal x. Redis's quirks are kept: an unclosed
`[` takes the rest of the pattern as its set, a trailing lone `\\` is a literal backslash, `[a-]`
is the range from 'a' to ']', and an empty string matches only the empty pattern (stringmatchlen
never lets `*` match at the end of an empty string; KEYS/SCAN special-case the lone `*` themselves).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[bytes], bool]


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


@lru_cache(maxsize=256)
def compile_pattern(pattern: bytes) -> Matcher:
    """A predicate telling whether a key matches the glob `pattern`, exactly as Redis decides."""
    out: list[bytes] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 42:  # '*'
            if not out or out[-1] != b".*":
                out.append(b".*")
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
    regex = re.compile(b"".join(out), re.DOTALL).fullmatch
    empty_pattern = not pattern

    def match(key: bytes) -> bool:
        if not key:
            return empty_pattern
        return regex(key) is not None

    return match
