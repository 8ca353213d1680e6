"""A small, strict parser for dotenv files (`KEY=VALUE` lines), as used by `--env-file`."""

from __future__ import annotations

from worker_lint.core import lazy_re

_KEY = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPORT = lazy_re.compile(r"export[ \t]+")
# Escapes a double-quoted value understands; any other backslash is kept as written,
# which is what shells and docker compose do with `"C:\path"`.
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$", "'": "'"}


class DotenvError(ValueError):
    """A line that is not `KEY=VALUE`; the message names the file and line."""


def parse_dotenv(text: str, source: str = "<env-file>") -> dict[str, str]:
    """The variables a dotenv file defines, later lines overriding earlier ones.

    Supports blank lines, `#` comment lines, an `export ` prefix, unquoted
    values with trailing ` # comments`, single-quoted literal values and
    double-quoted values with backslash escapes; quoted values may span lines.
    Variables are not expanded inside values: the file is data, not a script.
    """
    values: dict[str, str] = {}
    pos = 0
    line = 1
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        raw = text[pos:end]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            pos, line = end + 1, line + 1
            continue
        i = pos + (len(raw) - len(raw.lstrip()))
        export = _EXPORT.match(text, i)
        if export:
            i = export.end()
        key = _KEY.match(text, i)
        if key is None:
            raise DotenvError(f"{source}:{line}: expected KEY=VALUE, found {stripped!r}")
        i = key.end()
        while i < end and text[i] in " \t":
            i += 1
        if i >= end or text[i] != "=":
            raise DotenvError(f"{source}:{line}: expected `=` after {key.group()!r}")
        i += 1
        while i < end and text[i] in " \t":
            i += 1
        quote = text[i] if i < end and text[i] in "'\"" else ""
        if quote:
            value, i, line = _quoted(text, i + 1, quote, source, line)
            rest_end = text.find("\n", i)
            rest_end = n if rest_end < 0 else rest_end
            rest = text[i:rest_end].strip()
            if rest and not rest.startswith("#"):
                raise DotenvError(f"{source}:{line}: unexpected text after the closing quote: {rest!r}")
            end = rest_end
        else:
            value = _unquoted(text[i:end])
        values[key.group()] = value
        pos, line = end + 1, line + 1
    return values


def _unquoted(raw: str) -> str:
    # ` #` starts a comment; a `#` glued to the value (`pa#ss`) is part of it.
    for i, ch in enumerate(raw):
        if ch == "#" and (i == 0 or raw[i - 1] in " \t"):
            return raw[:i].strip()
    return raw.strip()


def _quoted(text: str, i: int, quote: str, source: str, line: int) -> tuple[str, int, int]:
    """The value from after the opening quote; returns it, the index after the closing quote, and the line."""
    out: list[str] = []
    start_line = line
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return "".join(out), i + 1, line
        if ch == "\n":
            line += 1
        if ch == "\\" and quote == '"' and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
        out.append(ch)
        i += 1
    raise DotenvError(f"{source}:{start_line}: the {quote} quote opened here is never closed")
