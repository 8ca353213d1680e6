"""The number go-yaml v3 reads an unquoted scalar as, which is not always the one ruamel.yaml reads.

DataOS reads manifests with go-yaml v3, whose resolver keeps some of YAML
1.1: it hands a plain scalar, underscores removed, to Go's
``strconv.ParseInt(s, 0, 64)``, so ``010`` is octal eight (ten in YAML 1.2)
and ``0x1F``, ``0o17``, ``0b11`` and ``1_000`` are integers; what does not fit
an ``int64`` tries ``uint64``, then a float of YAML's shape (``1e3``, ``.5``,
``08``), where a value out of a float's range leaves the scalar a string.
This is what a fix that removes quotes must agree with: ``"010"`` unquoted is
not the number the string spells.  (go-yaml's ``resolve`` in resolve.go;
timestamps start with four digits and a ``-``, which none of these accept.)
"""

from __future__ import annotations

import math
import re

#: go-yaml's yamlStyleFloat
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: Go's ParseFloat, reached with the scalar as written: an underscore may stand between two digits
_DOT_FLOAT = re.compile(r"\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?")
_SPECIAL = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
_INT64 = 1 << 63
_UINT64 = 1 << 64
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def plain_number(text: str) -> int | float | None:
    """What go-yaml v3 reads the untagged plain scalar ``text`` as when that is a number, else None."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    if text[:1] == ".":
        return _finite(text.replace("_", "")) if _DOT_FLOAT.fullmatch(text) else None
    if text[:1] not in tuple("+-0123456789"):
        return None
    plain = text.replace("_", "")
    value = _parse_int(plain)
    if value is not None:
        return value
    return _finite(plain) if _FLOAT.fullmatch(plain) else None


def _finite(text: str) -> float | None:
    number = float(text)
    return None if math.isinf(number) else number  # Go's ParseFloat fails out of range: the scalar is a string


def _parse_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 0, 64)``, then ``ParseUint(text, 0, 64)`` (no sign) when that fails."""
    sign = 1
    body = text
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    base = 10
    if body[:2] in ("0x", "0X"):
        base, body = 16, body[2:]
    elif body[:2] in ("0o", "0O"):
        base, body = 8, body[2:]
    elif body[:2] in ("0b", "0B"):
        base, body = 2, body[2:]
    elif body[:1] == "0" and len(body) > 1:
        base, body = 8, body[1:]  # Go's base 0: a leading zero is octal
    if not body or any(c not in _DIGITS[base] for c in body):
        return None
    significant = body.lstrip("0") or "0"
    if len(significant) > 64:
        return None  # beyond 64 bits in any base (and beyond what int() reads of a decimal string)
    value = sign * int(significant, base)
    if -_INT64 <= value < _INT64:
        return value
    if text[:1] not in ("+", "-") and value < _UINT64:
        return value
    return None
