"""Recognise template placeholders and apply-time variables inside YAML strings."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from worker_lint.core import lazy_re

# Token kinds.  The first group are things a user must fill in or supply; the
# second group are legitimate syntaxes of the tools a manifest feeds.
DOC_PLACEHOLDER = "doc-placeholder"  # ${{compute-resource}}
LOWER_PLACEHOLDER = "lower-placeholder"  # ${my-service}, ${true}
ANGLE_PLACEHOLDER = "angle-placeholder"  # <workspace_name>
APPLY_VARIABLE = "apply-variable"  # ${REPLICAS}, $REPLICAS
MALFORMED = "malformed"  # ${{team-name}, ${NAME
BENTO_FUNCTION = "bento-function"  # ${! meta("kafka_key") }
BENTO_ENV = "bento-env"  # ${KAFKA_TOPIC:events}
BENTO_ESCAPE = "bento-escape"  # ${{x}} inside a Bento stackSpec: a literal ${x}
BRACE_TEMPLATE = "brace-template"  # {{ .ApplicationSpec.Name }}, {{ resource.name }}
TAG_TEMPLATE = "tag-template"  # {% if x %}

#: Kinds whose presence makes a value's final text unknown until something fills it.
TEMPLATED_KINDS = frozenset(
    {
        DOC_PLACEHOLDER,
        LOWER_PLACEHOLDER,
        ANGLE_PLACEHOLDER,
        APPLY_VARIABLE,
        MALFORMED,
        BENTO_FUNCTION,
        BENTO_ENV,
        BENTO_ESCAPE,
        BRACE_TEMPLATE,
        TAG_TEMPLATE,
    }
)

_UPPER_NAME = lazy_re.compile(r"[A-Z_][A-Z0-9_]*\Z")
_BENTO_ENV = lazy_re.compile(r"([A-Z_][A-Z0-9_]*):.*\Z", re.DOTALL)
_IDENT = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ANGLE = lazy_re.compile(r"<([A-Za-z][A-Za-z0-9_.-]*)>")
_WORD_RUN = lazy_re.compile(r"[^\s'\"]*")
# Markup that may appear in descriptions; `<br>` is formatting, not a placeholder.
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "br",
        "code",
        "div",
        "em",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "td",
        "th",
        "tr",
        "u",
        "ul",
    }
)


class Token(NamedTuple):
    """One templating construct found in a string: ``text[start:end]`` has kind ``kind``.

    ``name`` is the placeholder's or variable's name (for ``${{ e.g. 2 }}`` the
    stripped inner text), or the inner text of a template expression.
    """

    kind: str
    start: int
    end: int
    name: str


class _Braces:
    """The braces of one string, indexed once, so that where a ``${`` closes is found without a walk.

    Walking from every ``${`` to the brace that closes it costs time quadratic
    in a string of unclosed ones (``${{ ${{ ${{ ...``: 20 KB took 8 s); the
    index costs one pass, and each look-up a binary search.
    """

    def __init__(self, text: str) -> None:
        #: every brace, and the nesting level just after it (from the start of the string)
        self.braces: list[int] = []
        self.levels: list[int] = []
        #: every closing brace, and those by the level they return to
        self.closing: list[int] = []
        self.closing_to: dict[int, list[int]] = {}
        level = 0
        for match in _BRACE.finditer(text):
            pos = match.start()
            if match.group() == "{":
                level += 1
            else:
                level -= 1
                self.closing.append(pos)
                self.closing_to.setdefault(level, []).append(pos)
            self.braces.append(pos)
            self.levels.append(level)

    def close(self, pos: int, depth: int) -> tuple[int, int]:
        """What a scan from ``pos`` with ``depth`` braces open finds.

        Returns ``(end, first_drop)``: ``end`` is one past the brace that closes
        everything (-1 if the string ends first) and ``first_drop`` one past the
        first closing brace met (-1 if none), which is where a placeholder missing
        one of its closing braces ends.
        """
        first = bisect_left(self.closing, pos)
        first_drop = self.closing[first] + 1 if first < len(self.closing) else -1
        before = bisect_left(self.braces, pos)
        level = self.levels[before - 1] if before else 0
        # levels move by one: the first brace from `pos` that returns to `level - depth` closes everything
        ends = self.closing_to.get(level - depth, [])
        found = bisect_left(ends, pos)
        return (ends[found] + 1 if found < len(ends) else -1), first_drop


_BRACE = lazy_re.compile(r"[{}]")
#: the characters a token starts with (see :func:`scan`)
_TOKEN_START = lazy_re.compile(r"[$<{]")


def _dollar(text: str, i: int, bento: bool, braces: _Braces | None) -> Token | None:
    """The token starting at the ``$`` at ``i``, or None when it starts nothing (``braces``: the text's, if it has `${`)."""
    nxt = text[i + 1 : i + 2]
    if nxt == "{":
        assert braces is not None
        if text.startswith("${{", i):
            end, first = braces.close(i + 3, 2)
            if end > 0 and first == end - 1:
                # `}}` closes it: the whole inner text is the placeholder.
                inner = text[i + 3 : end - 2].strip()
                return Token(BENTO_ESCAPE if bento else DOC_PLACEHOLDER, i, end, inner)
            if first > 0:
                # `${{team-name}`: one closing brace short.
                return Token(MALFORMED, i, first, text[i + 3 : first - 1].strip())
            stop = _word_end(text, i + 3)
            return Token(MALFORMED, i, stop, text[i + 3 : stop].strip())
        if text.startswith("${!", i):
            end, _ = braces.close(i + 2, 1)
            return Token(
                BENTO_FUNCTION, i, end if end > 0 else len(text), text[i + 3 : end - 1 if end > 0 else None].strip()
            )
        end, _ = braces.close(i + 2, 1)
        if end < 0:
            # `${NAME` never closed: the token runs to the end of the word.
            stop = _word_end(text, i + 2)
            return Token(MALFORMED, i, stop, text[i + 2 : stop])
        inner = text[i + 2 : end - 1]
        if _UPPER_NAME.match(inner):
            return Token(APPLY_VARIABLE, i, end, inner)
        env = _BENTO_ENV.match(inner)
        if env:
            return Token(BENTO_ENV, i, end, env.group(1))
        return Token(LOWER_PLACEHOLDER, i, end, inner.strip())
    if nxt == "$":
        return None  # `$$` is the usual escape for a literal dollar
    ident = _IDENT.match(text, i + 1)
    if ident and _UPPER_NAME.match(ident.group()):
        return Token(APPLY_VARIABLE, i, ident.end(), ident.group())
    return None


def scan(text: str, *, bento: bool = False) -> list[Token]:
    """Every templating token in ``text``, left to right, non-overlapping.

    With ``bento`` the string belongs to a Bento stackSpec, where ``${{x}}`` is
    Bento's escape for a literal ``${x}`` rather than a documentation placeholder.
    Whether a ``{{ }}`` / ``{% %}`` token is legitimate depends on where the
    string sits, so the scanner reports it and lets the caller decide.
    """
    if not _may_hold_token(text):
        return []
    tokens: list[Token] = []
    braces = _Braces(text) if "${" in text else None
    #: the next `}}` and `%}` found, from where they were last looked for (-1: none to the end)
    ahead: dict[str, int] = {}

    def find(marker: str, start: int) -> int:
        # `start` only grows: a search is made again only once the scan has passed what it found
        found = ahead.get(marker)
        if found is None or 0 <= found < start:
            found = ahead[marker] = text.find(marker, start)
        return found

    i = 0
    # only `$`, `{` and `<` start a token: the scan skips to each in one search, not a character at a time
    next_start = _TOKEN_START.search
    while (found := next_start(text, i)) is not None:
        i = found.start()
        ch = text[i]
        token: Token | None = None
        if ch == "$":
            if text.startswith("$$", i):
                i += 2
                continue
            token = _dollar(text, i, bento, braces)
        elif ch == "{" and text.startswith("{{", i):
            close = find("}}", i + 2)
            if close >= 0:
                token = Token(BRACE_TEMPLATE, i, close + 2, text[i + 2 : close].strip(" -"))
        elif ch == "{" and text.startswith("{%", i):
            close = find("%}", i + 2)
            if close >= 0:
                token = Token(TAG_TEMPLATE, i, close + 2, text[i + 2 : close].strip(" -"))
        elif ch == "<":
            m = _ANGLE.match(text, i)
            if m and m.group(1).lower() not in _HTML_TAGS:
                token = Token(ANGLE_PLACEHOLDER, i, m.end(), m.group(1))
        if token is None:
            i += 1
        else:
            tokens.append(token)
            i = max(token.end, i + 1)
    return tokens


def is_templated(text: str) -> bool:
    """True when ``text`` holds a placeholder, an apply-time variable or a template expression.

    Such a value's final form is unknown until someone fills it in, dataos-ctl
    substitutes it, or a stack renders it, so no rule checks its type, enum,
    pattern or quantity (``replicas: ${REPLICAS}`` is fine).
    """
    if not isinstance(text, str) or not _may_hold_token(text):
        return False  # most values, asked by every check that reads one: no scan, no list of tokens
    return any(t.kind in TEMPLATED_KINDS for t in scan(text))


def _may_hold_token(text: str) -> bool:
    """Whether ``text`` has a character every token starts with or holds: without one, it holds none."""
    return "$" in text or "{" in text or "<" in text


def substitute(text: str, variables: dict[str, str]) -> tuple[str, list[Token]]:
    """``text`` with every defined apply-time variable replaced, as dataos-ctl does textually.

    Returns the new text and the variable tokens that had no value; those are
    left in place, so the value still reads as templated and no rule judges it.
    Bento's ``${VAR:default}`` and anything inside ``{{ }}`` are not touched.
    """
    out: list[str] = []
    missing: list[Token] = []
    last = 0
    for token in scan(text):
        if token.kind != APPLY_VARIABLE:
            continue
        value = variables.get(token.name)
        if value is None:
            missing.append(token)
            continue
        out.append(text[last : token.start])
        out.append(value)
        last = token.end
    if not out:
        return text, missing
    out.append(text[last:])
    return "".join(out), missing


# A line whose value is a bare `{{...}}`: `key: {{x}}`, `- {{x}}` or `{{x}}` alone.  The token is
# the only `{{...}}` followed by nothing but a comment (a later one would sit in that comment); what
# comes before it is checked on its own (see _bare_lead), since one regex over the whole line
# backtracks in quadratic time on a long line of `- - - ...`.
_BARE_TOKEN = lazy_re.compile(r"\{\{[^{}\n]*\}\}(?=[ \t]*(?:#.*)?$)")
_DASHES = lazy_re.compile(r"(?:-[ \t]+)*")
_KEY_START = lazy_re.compile(r"[^\s#{]")


def _bare_lead(lead: str) -> bool:
    """Whether ``lead`` matches `[ \\t]*(?:-[ \\t]+)*(?:[^\\s#{][^#]*?:[ \\t]+)?`, in linear time."""
    indent = len(lead) - len(lead.lstrip(" \t"))
    dashes = _DASHES.match(lead, indent).end()  # type: ignore[union-attr]
    key = lead[dashes:]
    if not key:
        return True
    colon = key.rstrip(" \t")
    if len(colon) == len(key) or not colon.endswith(":") or "#" in key:
        return False
    # the key's first character may also be the last `- `'s dash, given back by `(?:-[ \t]+)*`
    return (len(colon) >= 2 and _KEY_START.match(key) is not None) or dashes > indent


def bare_brace_spans(text: str) -> list[tuple[int, int, int, str]]:
    """``(line, column, end_column, token)`` (1-based, end exclusive) of every bare ``{{...}}`` value.

    YAML reads such a value as a flow mapping, and one whose inner text has a
    colon (``{{dataos:type:resource}}``) makes the whole file unparsable; the
    raw lines still show where each placeholder is, so a syntax error can be
    explained as the placeholder it is.
    """
    found: list[tuple[int, int, int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "{{" not in line:
            continue
        m = _BARE_TOKEN.search(line)
        if m and _bare_lead(line[: m.start()]):
            col = m.start() + 1
            found.append((number, col, col + len(m.group()), m.group()))
    return found


def _word_end(text: str, start: int) -> int:
    """Where the run of word characters from ``start`` ends (``start`` itself when there is none)."""
    match = _WORD_RUN.match(text, start)
    return match.end() if match is not None else start
