"""Text from a manifest, a file name, the configuration or the environment, made safe to print.

Reports go to terminals, CI logs that read workflow commands from standard
output, problem matchers that read one diagnostic per line, and JSON or XML
files.  A raw control character in any of them is an injection: an escape
sequence sets a terminal's title or clears the screen, a carriage return
rewrites a line, a line break starts a line that GitHub Actions runs as a
workflow command or a problem matcher reads as a diagnostic of another file.
So every string a report shows passes through :func:`escape` here, once, just
before it is rendered, whatever format renders it:

- C0 controls but tab, DEL and C1 controls (NEL among them) become ``\\xNN``;
  line feed and carriage return become ``\\n`` and ``\\r``;
- the line and paragraph separators (U+2028, U+2029), which editors and some
  log viewers break lines at, become ``\\u2028`` and ``\\u2029``;
- the bidirectional overrides and isolates, which reorder what a reader sees
  (Trojan Source), become ``\\u202e`` and the like;
- a file name's bytes that are not UTF-8 (kept by Python as lone surrogates)
  become ``\\xNN``, and any other lone surrogate ``\\udNNN``, so every report
  encodes as valid UTF-8.

A message is therefore always one line.  Text with none of these characters,
nearly all of it, is returned as is after one regular-expression search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from worker_lint.core import lazy_re

if TYPE_CHECKING:
    from worker_lint.core.diagnostic import Diagnostic

_UNSAFE = lazy_re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every character that could break a report's lines or a terminal shown escaped."""
    if is_safe(text):
        return text
    return _UNSAFE.sub(_replace, text)


def is_safe(text: str) -> bool:
    # Printable text (no control, format, separator or surrogate character but the space) is safe, and
    # saying so costs no pattern: the pattern is compiled only for the rare text that is not.
    return text.isprintable() or _UNSAFE.search(text) is None


def diagnostic(d: Diagnostic) -> Diagnostic:
    """``d`` with every string a report may show escaped (its path, messages and JSON path).

    The source line is left as it is: the text report escapes it with
    :func:`snippet_line`, which also moves the caret's column.
    """
    if (
        is_safe(d.path)
        and is_safe(d.message)
        and is_safe(d.name)
        and is_safe(d.code)
        and (d.suppression_reason is None or is_safe(d.suppression_reason))
        and all(is_safe(r.message) for r in d.related)
        and all(type(p) is not str or is_safe(p) for p in d.json_path)
    ):
        return d
    return d._replace(
        path=escape(d.path),
        message=escape(d.message),
        name=escape(d.name),
        code=escape(d.code),
        suppression_reason=None if d.suppression_reason is None else escape(d.suppression_reason),
        related=tuple(r._replace(message=escape(r.message)) for r in d.related),
        json_path=tuple(escape(p) if type(p) is str else p for p in d.json_path),
    )


def diagnostics(ds: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Every diagnostic as :func:`diagnostic` makes it; a batch with nothing to escape costs one scan."""
    ds = list(ds)
    flat = [s for d in ds for s in (d.path, d.message, d.name, d.code)]
    flat += [p for d in ds for p in d.json_path if type(p) is str]
    flat += [r.message for d in ds for r in d.related]
    flat += [d.suppression_reason for d in ds if d.suppression_reason]
    if " ".join(flat).isprintable():
        return ds
    return [diagnostic(d) for d in ds]


def snippet_line(line: str, column: int) -> tuple[str, int]:
    """A source line to show under a diagnostic, escaped, and where ``column`` (1-based) falls in it now."""
    if is_safe(line):
        return line, column
    before = escape(line[: column - 1])
    return before + escape(line[column - 1 :]), len(before) + 1


# ---------------------------------------------------------------- values substituted from variables

#: a value this short is redacted only where it stands alone, so `3` does not eat the digits of `300m`
_SHORT = 4


def redact(ds: Sequence[Diagnostic], values: Mapping[str, str]) -> list[Diagnostic]:
    """``ds`` with every substituted variable's value in a message shown as ``${NAME}``.

    With ``--use-env`` (or ``--env-file``) a manifest's ``${SECRET}`` is replaced
    by the secret before checking, and a message about the value would print
    it, into CI logs that masking may not cover and into report files that it
    never does.  Messages show the variable's name instead: its value
    anywhere in a message, its escaped (``repr``) form, and a truncated head
    of it ending in ``...`` (as long values are shortened) are all replaced.
    """
    compiled = _patterns(values)
    if compiled is None:
        return list(ds)
    return [_redact_one(d, *compiled) for d in ds]


_REFERENCE = lazy_re.compile(rb"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def referenced(data: bytes, variables: Mapping[str, str]) -> dict[str, str]:
    """The variables ``data`` refers to (``$NAME`` or ``${NAME}``), with their values: the ones to redact."""
    found: dict[str, str] = {}
    for match in _REFERENCE.finditer(data):
        name = match.group(1).decode("ascii")
        if name in variables:
            found[name] = variables[name]
    return found


def _patterns(values: Mapping[str, str]) -> tuple[re.Pattern[str], list[str]] | None:
    alternatives: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    for name, value in values.items():
        if not value:
            continue
        forms = {value, repr(value)[1:-1]}
        for form in forms:
            names.setdefault(form, name)
            if len(form) < _SHORT:
                alternatives.append((form, rf"(?<![\w.]){re.escape(form)}(?![\w.])"))
            else:
                alternatives.append((form, re.escape(form)))
        if len(value) > 8:  # a head of it cut short by `...`, as long values are shown
            alternatives.append(
                (value, "(?:" + "|".join(re.escape(value[:n]) for n in range(len(value) - 1, 7, -1)) + r")(?=\.\.\.)")
            )
    if not alternatives:
        return None
    alternatives.sort(key=lambda item: -len(item[0]))  # the longest value wins where two overlap
    pattern = re.compile("|".join(f"(?P<v{i}>{regex})" for i, (_, regex) in enumerate(alternatives)))
    return pattern, [names[form] for form, _ in alternatives]


def _redact_text(text: str, pattern: re.Pattern[str], names: list[str]) -> str:
    return pattern.sub(lambda m: "${" + names[int(str(m.lastgroup)[1:])] + "}", text)


def _redact_one(d: Diagnostic, pattern: re.Pattern[str], names: list[str]) -> Diagnostic:
    message = _redact_text(d.message, pattern, names)
    related = tuple(r._replace(message=_redact_text(r.message, pattern, names)) for r in d.related)
    if message == d.message and related == d.related:
        return d
    return d._replace(message=message, related=related)
