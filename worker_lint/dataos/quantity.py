"""Kubernetes resource quantities, read exactly as `resource.ParseQuantity` reads them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from fractions import Fraction

# This module is a port of ParseQuantity from k8s.io/apimachinery
# (pkg/api/resource/quantity.go and suffix.go, as released in v1.37.0), down
# to the behaviour a plain reading of its grammar would not predict:
#
# * the hand-written scanner accepts a number without digits as zero
#   (`.`, `+`, `-`, `m`, `Ki`, `e3`), except where the value falls to the
#   slow path, whose decimal parser needs a digit (`Pi`, `.Ei`, `e-10`);
# * a decimal exponent is parsed as an int64 and then truncated to int32,
#   so `1e4294967296` is 1 and `1e4294967295` is 0.1, and the scale
#   arithmetic after it wraps at 32 bits as Go's does;
# * a non-zero value finer than one nano is rounded away from zero to the
#   nano (`0.1n` is `1n`, `1e-100` is `1n`), and nothing else is rounded;
# * a binary-suffixed (`Ki`...`Ei`) value is capped at 2^63-1 (`8Ei`), and
#   one below one keeps its value but is formatted as a decimal;
# * a value whose rounding needs a power of ten with billions of digits
#   (`1e-2147483647`, a 40-digit mantissa with `e2147483000`) never returns
#   in Kubernetes; here it is an error with reason "hang".
#
# The value is kept as an exact decimal (coefficient and power of ten) and
# never materialised, so `1e2147483647` costs nothing.  No floats anywhere.

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

#: decimal SI suffixes and the power of ten each multiplies by
DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
#: binary SI suffixes and the power of two each multiplies by
BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

_DIGITS = frozenset("0123456789")
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
_INT32_MIN = -(2**31)
_INT64_MAX = 2**63 - 1
_INT64_MIN = -(2**63)
#: digits of the mantissa Kubernetes keeps in an int64 before it switches to big decimals
_MAX_INT64_FACTORS = 18
#: the finest scale a parsed quantity keeps (nano)
_NANO_SCALE = 9
#: Kubernetes' rounding writes out 10^shift; past this many digits it does not return
_HANG_DIGITS = 2**20
#: Python refuses int()/str() on more digits than this by default
_STR_CHUNK = 4000

REASON_FORMAT = "format"
REASON_SUFFIX = "suffix"
REASON_NUMERIC = "numeric"
REASON_HANG = "hang"
REASON_CRASH = "crash"

_REASON_TEXT = {
    REASON_FORMAT: "it is not a number followed by a unit",
    REASON_SUFFIX: "its unit is not one Kubernetes knows",
    REASON_NUMERIC: "its number part has no digits",
    REASON_HANG: "Kubernetes' parser does not finish on it (the exponent makes it compute a number with "
    "billions of digits)",
    REASON_CRASH: "Kubernetes' parser fails on it (its scale arithmetic overflows)",
}


class QuantityError(ValueError):
    """``text`` is not a quantity ``resource.ParseQuantity`` returns; ``reason`` says why."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} is not a Kubernetes quantity: {_REASON_TEXT[reason]}")
        self.text = text
        self.reason = reason

    @property
    def explanation(self) -> str:
        return _REASON_TEXT[self.reason]


class Quantity:
    """An exact quantity value ``coefficient * 10**exponent`` and the format Kubernetes gives it.

    ``coefficient`` carries the sign and has no trailing zeros (zero is
    ``0 * 10**0``), so equal values have equal fields.  Comparison and
    equality are by value: ``1``, ``1000m`` and ``0.001k`` are equal, whatever
    their ``format``.  ``suffix`` is the unit as written (``Mi``, ``m``,
    ``e3``, ``""``).  Treat it as immutable: it is hashed by value.
    """

    __slots__ = ("coefficient", "exponent", "format", "suffix")

    def __init__(self, coefficient: int, exponent: int, format: str, suffix: str = "") -> None:
        self.coefficient = coefficient
        self.exponent = exponent
        self.format = format
        self.suffix = suffix

    @property
    def sign(self) -> int:
        return (self.coefficient > 0) - (self.coefficient < 0)

    def is_zero(self) -> bool:
        return self.coefficient == 0

    def compare(self, other: Quantity) -> int:
        """-1, 0 or 1 as ``self`` is below, equal to or above ``other``."""
        return _compare(self.coefficient, self.exponent, other.coefficient, other.exponent)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.coefficient == other.coefficient and self.exponent == other.exponent

    def __hash__(self) -> int:
        return hash((self.coefficient, self.exponent))

    def __lt__(self, other: Quantity) -> bool:
        return self.compare(other) < 0

    def __le__(self, other: Quantity) -> bool:
        return self.compare(other) <= 0

    def __gt__(self, other: Quantity) -> bool:
        return self.compare(other) > 0

    def __ge__(self, other: Quantity) -> bool:
        return self.compare(other) >= 0

    def magnitude_digits(self) -> int:
        """Digits before the decimal point when written out (0 below one), without writing it out."""
        return max(_ndigits(self.coefficient) + self.exponent, 0) if self.coefficient else 0

    def as_fraction(self) -> Fraction:
        """The value as a Fraction; only for values whose exponent is modest (OverflowError otherwise)."""
        from fractions import Fraction  # for messages only: a clean run never imports it

        if abs(self.exponent) > 100_000:
            raise OverflowError("the quantity's exponent is too large to write out")
        if self.exponent >= 0:
            return Fraction(self.coefficient * 10**self.exponent)
        return Fraction(self.coefficient, 10**-self.exponent)

    def canonical(self) -> str:
        """The canonical spelling Kubernetes serialises this value as (`1.5Gi` -> `1536Mi`, `0.5` -> `500m`).

        This is what ``Quantity.String()`` returns for a value it has not
        cached from its input; exponents are written as they are, never
        wrapped to 32 bits.
        """
        if self.coefficient == 0:
            return "0"
        fmt = self.format
        if fmt == BINARY_SI:
            # Below 1024 in magnitude, or not whole, a binary value is written as a decimal one.
            small = self.compare(_KIBI_NEG) > 0 and self.compare(_KIBI) < 0
            integral = None if small or self.exponent > 64 else _integral(self.coefficient, self.exponent)
            if integral is None:
                fmt = DECIMAL_SI
            else:
                power = 0
                while integral % 1024 == 0 and power < 6:
                    integral //= 1024
                    power += 1
                suffix = {v // 10: k for k, v in BINARY_SUFFIXES.items()}.get(power, "")
                return _to_str(integral) + suffix
        coefficient, exponent = self.coefficient, self.exponent
        while exponent % 3:
            coefficient *= 10
            exponent -= 1
        if fmt == DECIMAL_SI:
            for name, power in DECIMAL_SUFFIXES.items():
                if power == exponent:
                    return _to_str(coefficient) + name
        # DecimalSI has no suffix past E (10^18): Kubernetes falls back to an exponent.
        return _to_str(coefficient) + ("" if exponent == 0 else f"e{exponent}")

    def __str__(self) -> str:
        return self.canonical()

    @classmethod
    def of(cls, unscaled: int, exponent: int = 0, fmt: str = DECIMAL_SI, suffix: str = "") -> Quantity:
        """The quantity ``unscaled * 10**exponent`` (any unscaled value; it is normalised)."""
        return _make(unscaled, exponent, fmt, suffix)

    def __repr__(self) -> str:
        return f"Quantity({self.canonical()!r}, {self.format})"


def _make(unscaled: int, exponent: int, fmt: str, suffix: str) -> Quantity:
    """A Quantity of ``unscaled * 10**exponent`` with the coefficient's trailing zeros moved to the exponent."""
    if unscaled == 0:
        return Quantity(0, 0, fmt, suffix)
    coefficient, zeros = _strip_zeros(unscaled)
    return Quantity(coefficient, exponent + zeros, fmt, suffix)


def _strip_zeros(n: int) -> tuple[int, int]:
    zeros = 0
    # Peel sixteen zeros at a time first: mantissas like 1 followed by 99 zeros occur in tests.
    while n % 10**16 == 0:
        n //= 10**16
        zeros += 16
    while n % 10 == 0:
        n //= 10
        zeros += 1
    return n, zeros


def _ndigits(n: int) -> int:
    """Decimal digits of ``abs(n)`` (1 for zero), without str() and its digit limit."""
    n = abs(n)
    # A lower bound from the bit length (log10(2) rounded down), then count up.
    digits = (n.bit_length() - 1) * 30102999 // 100000000 + 1 if n else 1
    while n >= 10**digits:
        digits += 1
    return digits


def _compare(ca: int, ea: int, cb: int, eb: int) -> int:
    sa, sb = (ca > 0) - (ca < 0), (cb > 0) - (cb < 0)
    if sa != sb:
        return 1 if sa > sb else -1
    if sa == 0:
        return 0
    # Same sign: the order of magnitude settles almost every case without
    # writing out a power of ten (exponents can be in the billions).
    ma, mb = _ndigits(ca) + ea, _ndigits(cb) + eb
    if ma != mb:
        return sa if ma > mb else -sa
    low = min(ea, eb)
    a, b = abs(ca) * 10 ** (ea - low), abs(cb) * 10 ** (eb - low)
    return 0 if a == b else (sa if a > b else -sa)


def _integral(coefficient: int, exponent: int) -> int | None:
    """The value as an int when it is whole, else None."""
    if exponent >= 0:
        return int(coefficient * 10**exponent)
    return None  # the coefficient has no trailing zeros, so a negative exponent is never whole


def _to_str(n: int) -> str:
    if _ndigits(n) <= _STR_CHUNK:
        return str(n)
    sign = "-" if n < 0 else ""
    n = abs(n)
    half = _ndigits(n) // 2
    high, low = divmod(n, 10**half)
    return sign + _to_str(high) + _to_str(low).rjust(half, "0")


def _from_digits(digits: str) -> int:
    """int() of an ASCII digit string of any length."""
    if len(digits) <= _STR_CHUNK:
        return int(digits)
    half = len(digits) // 2
    return int(_from_digits(digits[:half]) * 10 ** (len(digits) - half)) + _from_digits(digits[half:])


def _wrap32(n: int) -> int:
    """``n`` truncated to a Go int32, as Go's conversions and int32 arithmetic do."""
    return (n - _INT32_MIN) % 2**32 + _INT32_MIN


_KIBI = Quantity(1024, 0, DECIMAL_SI)
_KIBI_NEG = Quantity(-1024, 0, DECIMAL_SI)


class _Scanned(NamedTuple):
    positive: bool
    value: str  # the number as written, sign included, for the big-decimal path
    num: str  # the integer digits, leading zeros stripped ("0" when none)
    denom: str  # the fraction digits as written
    suffix: str


def _scan(text: str) -> _Scanned:
    """parseQuantityString: split ``text`` into sign, digits and suffix, as leniently as Kubernetes does."""
    positive = True
    pos, end = 0, len(text)
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    while True:  # leading zeros
        if pos >= end:
            return _Scanned(positive, "0", "0", "", "")
        if text[pos] != "0":
            break
        pos += 1
    i = pos
    while i < end and text[i] in _DIGITS:
        i += 1
    if i >= end:
        return _Scanned(positive, text, text[pos:], "", "")
    num, pos = text[pos:i] or "0", i
    denom = ""
    if text[pos] == ".":
        pos += 1
        i = pos
        while i < end and text[i] in _DIGITS:
            i += 1
        if i >= end:
            return _Scanned(positive, text, num, text[pos:], "")
        denom, pos = text[pos:i], i
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_LETTERS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(text, REASON_FORMAT)
    return _Scanned(positive, value, num, denom, text[suffix_start:])


def _interpret(text: str, suffix: str) -> tuple[int, int, str]:
    """suffixHandler.interpret: ``(base, exponent, format)`` of a suffix."""
    if suffix in DECIMAL_SUFFIXES:
        return 10, DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in BINARY_SUFFIXES:
        return 2, BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        literal = suffix[1:]
        digits = literal[1:] if literal[0] in "+-" else literal
        if digits and all(c in _DIGITS for c in digits):
            parsed = _from_digits(digits) * (-1 if literal[0] == "-" else 1)
            if _INT64_MIN <= parsed <= _INT64_MAX:  # strconv.ParseInt(..., 10, 64)
                return 10, _wrap32(parsed), DECIMAL_EXPONENT
    raise QuantityError(text, REASON_SUFFIX)


@functools.lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity:
    """ParseQuantity: the exact value Kubernetes reads from ``text``, or QuantityError.

    No whitespace is trimmed; see ``decode_quantity`` for what an API server
    reading a manifest accepts.
    """
    if text == "":
        raise QuantityError(text, REASON_FORMAT)
    scanned = _scan(text)
    base, exponent, fmt = _interpret(text, scanned.suffix)
    num, denom = scanned.num, scanned.denom

    # The int64 fast path: few enough digits and a scale no finer than nano.
    if fmt == BINARY_SI:
        if len(denom) == 0:
            precision = 15 - len(num) - exponent * 3 // 10 - 1
        else:
            precision = -1
        scale = 0
    else:
        precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
        scale = exponent
    if precision >= 0:
        scale = _wrap32(scale - len(denom))
        if scale >= -_NANO_SCALE:
            result = int(num + denom) * (2**exponent if fmt == BINARY_SI else 1)
            if result <= _INT64_MAX:
                return _make(result if scanned.positive else -result, scale, fmt, scanned.suffix)
    return _parse_big(text, scanned, base, exponent, fmt)


def _parse_big(text: str, scanned: _Scanned, base: int, exponent: int, fmt: str) -> Quantity:
    """The inf.Dec path: exact value, then nano rounding and the binary cap, with Go's int32 scales."""
    value = scanned.value
    body = value[1:] if value[:1] in ("+", "-") else value
    whole, _, fraction = body.partition(".")
    digits = whole + fraction
    if not digits:
        raise QuantityError(text, REASON_NUMERIC)
    unscaled = _from_digits(digits)
    scale = len(fraction) if "." in body else 0
    if base == 10:
        scale = _wrap32(scale + _wrap32(-exponent))
    else:
        unscaled <<= exponent
    negative = value.startswith("-")
    if unscaled != 0:
        # inf.Dec.Round(amount, 9, RoundUp): shift = 9 - scale in int32; it
        # writes out 10^|shift|, which for a wrapped or huge scale never ends.
        shift = _wrap32(_NANO_SCALE - scale)
        if shift == _INT32_MIN:
            raise QuantityError(text, REASON_CRASH)
        if abs(shift) > _HANG_DIGITS:
            raise QuantityError(text, REASON_HANG)
        if shift < 0:
            if _ndigits(unscaled) <= -shift:
                unscaled = 1  # 0 < value < 1n: rounds up to exactly 1n
            else:
                quotient, remainder = divmod(unscaled, 10**-shift)
                unscaled = quotient + (remainder != 0)
            scale = _NANO_SCALE
    if fmt == BINARY_SI:
        if _compare(unscaled, -scale, _INT64_MAX, 0) > 0:
            unscaled, scale = _INT64_MAX, 0
        if unscaled != 0 and _compare(unscaled, -scale, 1, 0) < 0:
            fmt = DECIMAL_SI
    return _make(-unscaled if negative else unscaled, -scale, fmt, scanned.suffix)


#: what Go's unicode.IsSpace accepts, which UnmarshalJSON trims before parsing
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def decode_quantity(text: str) -> Quantity:
    """What an API server decodes from a manifest's string: surrounding whitespace trimmed, then ParseQuantity."""
    return parse_quantity(text.strip(_GO_SPACE))
