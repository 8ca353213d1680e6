"""``json.dumps(value, indent=2, ensure_ascii=False)``, the same text several times faster.

The standard library's encoder is written in C only for compact output: with
an indent it walks the value with nested Python generators, one per list and
mapping, which made writing a report cost a third as much as linting the files
in it.  The reports hold only mappings with string keys, lists, strings,
numbers, booleans and None; this walks those with plain recursion and the
same C string escaper, and hands anything else to the standard library so the
text never differs.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper json.dumps uses when ensure_ascii is False
from typing import Any

_INDENT = "  "


class _Unusual(Exception):
    """A value these reports never hold (a non-string key, a custom type): the standard library writes it."""


def dumps(value: Any) -> str:
    """The text of ``json.dumps(value, indent=2, ensure_ascii=False)``."""
    out: list[str] = []
    try:
        _write(value, out, "\n")
    except (_Unusual, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


def _write(value: Any, out: list[str], newline: str) -> None:
    """Append ``value``'s text to ``out``; ``newline`` is a line break and the indent of the line it is on."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))  # what json writes for an int, an IntEnum included
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + _INDENT
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            out.append(separator + encode_basestring(key) + ": ")
            _write(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:  # floats (NaN, infinities) and anything else: written as the standard library writes them
        raise _Unusual
