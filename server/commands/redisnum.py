"""Redis's number parsing and formatting, byte for byte: string2ll, strtoul cursors, string2ld and
ld2string(LD_STR_HUMAN).

INCRBYFLOAT and HINCRBYFLOAT compute in C `long double` (x87 80-bit on x86-64: 64-bit mantissa) and
print with "%.17Lf" minus trailing zeros. A Python float would give different digits, so long doubles
are emulated exactly with Fractions: correctly rounded parsing, correctly rounded sums, and exact
decimal printing, as glibc does. Not a hot path.
"""

from __future__ import annotations

import math
import platform
import re
from decimal import Decimal
from fractions import Fraction

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
ULONG_MAX = (1 << 64) - 1

_LL = re.compile(rb"-?[1-9][0-9]*|0")


def parse_ll(s: bytes) -> int | None:
    """string2ll: canonical decimal (no '+', spaces or leading zeros), fits a signed 64-bit int."""
    if len(s) >= 21 or _LL.fullmatch(s) is None:
        return None
    value = int(s)
    return value if LLONG_MIN <= value <= LLONG_MAX else None


_CURSOR = re.compile(rb"[ \t\n\v\f\r]*([+-]?)([0-9]*)(.*)", re.DOTALL)


def parse_cursor(s: bytes) -> int | None:
    """strtoul as SCAN uses it: leading blanks and a sign are allowed, the whole text must be used."""
    m = _CURSOR.fullmatch(s)
    if m is None:
        return None
    sign, digits, rest = m.groups()
    if not digits:
        # No conversion: strtoul leaves the end pointer at the start, so only "" passes.
        return 0 if not s else None
    if rest:
        return None
    value = int(digits)
    if value > ULONG_MAX:
        return None
    return (-value) % (1 << 64) if sign == b"-" else value


# ---- long double emulation ------------------------------------------------------------------

# glibc's long double: x87 extended on x86 (64-bit mantissa), IEEE quad elsewhere (113 bits).
MANT_BITS = 64 if platform.machine().lower() in ("x86_64", "amd64", "i386", "i686") else 113
_EMAX = 16383
_EMIN = -16382
_MAX_LD_CHARS = 5 * 1024  # MAX_LONG_DOUBLE_CHARS

LongDouble = Fraction | float  # a finite exact value, or float('inf') / float('-inf')

_DEC = re.compile(rb"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_HEX = re.compile(rb"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?")
_INF = re.compile(rb"([+-]?)(?:inf|infinity)", re.IGNORECASE)


def round_ld(x: Fraction) -> LongDouble:
    """Round an exact value to the nearest long double (ties to even); overflow gives an infinity."""
    if x == 0:
        return Fraction(0)
    a = abs(x)
    n, d = a.numerator, a.denominator
    e = n.bit_length() - d.bit_length()
    if (n << max(0, -e)) < (d << max(0, e)):  # make 2**e <= a < 2**(e+1)
        e -= 1
    q = max(e, _EMIN) - (MANT_BITS - 1)  # the spacing of long doubles near a is 2**q
    m = round(Fraction(n << max(0, -q), d << max(0, q)))
    if m == 0:
        return Fraction(0)
    value = Fraction(m << max(0, q), 1 << max(0, -q))
    if value >= Fraction(1 << (_EMAX + 1)):
        return float("inf") if x > 0 else float("-inf")
    return value if x > 0 else -value


def _digits(text: bytes) -> int:
    # Decimal avoids Python's 4300-digit limit on int(str); inputs may be 5 KB long.
    return int(Decimal(text.decode())) if text else 0


def parse_ld(s: bytes) -> LongDouble | None:
    """string2ld: what strtold accepts, no leading blank, no NaN, no overflow or underflow to zero."""
    if not s or len(s) >= _MAX_LD_CHARS:
        return None
    if b"\0" in s or s[:1].isspace():  # strtold must use every byte: an embedded NUL fails
        return None
    m = _HEX.fullmatch(s)
    if m is not None:
        sign, whole, frac, exp = m.groups()
        frac = frac or b""
        if not whole and not frac:
            return None
        mant = int((whole + frac).decode(), 16)
        exp2 = int(exp or b"0") - 4 * len(frac)
        exact = _scaled(mant, exp2, 2, mant.bit_length())
    elif (m := _DEC.fullmatch(s)) is not None:
        sign, whole, frac, exp = m.groups()
        frac = frac or b""
        if not whole and not frac:
            return None
        digits = (whole + frac).lstrip(b"0")
        exp10 = int(exp or b"0") - len(frac)
        exact = _scaled(_digits(digits), exp10, 10, len(digits))
    elif (m := _INF.fullmatch(s)) is not None:
        return float("-inf") if m.group(1) == b"-" else float("inf")
    else:
        return None
    if exact is None:
        return None
    value = round_ld(exact)
    if isinstance(value, float) or (value == 0 and exact != 0):
        return None  # ERANGE: overflow to HUGE_VAL or underflow to zero
    return -value if sign == b"-" else value


def _scaled(mant: int, exp: int, base: int, digits: int) -> Fraction | None:
    """mant * base**exp exactly (mant has `digits` digits in base), or None when it is certainly out of
    long double range: this keeps "1e999999999" from building a gigantic integer."""
    if mant == 0:
        return Fraction(0)
    log2_base = math.log2(base)
    low = (digits - 1 + exp) * log2_base  # 2**low <= value < 2**high
    high = (digits + exp) * log2_base
    if low > _EMAX + 2 or high < _EMIN - MANT_BITS - 2:
        return None
    return Fraction(mant * base**exp) if exp >= 0 else Fraction(mant, base**-exp)


def add_ld(a: LongDouble, b: LongDouble) -> LongDouble:
    """a + b in long double arithmetic; inf + -inf gives float('nan')."""
    if isinstance(a, float) and isinstance(b, float):
        return a + b
    if isinstance(a, float):
        return a
    if isinstance(b, float):
        return b
    return round_ld(a + b)


def is_finite(x: LongDouble) -> bool:
    return not isinstance(x, float)  # finite values are Fractions; inf and nan are floats


def format_ld_human(x: LongDouble) -> bytes:
    """ld2string(..., LD_STR_HUMAN): "%.17Lf" without trailing zeros; "-0" becomes "0"."""
    if isinstance(x, float):
        return b"inf" if x > 0 else b"-inf"
    scaled = round(abs(x) * 10**17)  # glibc prints the exact binary value, ties to even
    text = str(Decimal(scaled)).rjust(18, "0")
    whole, frac = text[:-17], text[-17:].rstrip("0")
    out = f"{whole}.{frac}" if frac else whole
    if x < 0 and out != "0":
        out = "-" + out
    return out.encode()
