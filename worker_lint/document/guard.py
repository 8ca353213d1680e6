"""Bounds checked on the raw text before the YAML parser sees it: nesting depth and line length.

ruamel.yaml's C composer builds nested collections by recursion on the C
stack: about 25,000 levels of ``[[[[`` or ``- - - -`` crash the interpreter
with a segmentation fault, and flow nesting costs quadratic time well before
that (20,000 levels take about 4 s).  Neither can be caught as an exception,
so depth must be measured before parsing.  This module does it in one linear
pass over the text with a small scanner that follows YAML's block indentation,
compact ``- `` entries, flow brackets, quoted scalars, block scalars and
comments closely enough to count exactly what the composer would nest; it
stops at the first level beyond the limit.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Finding, Span
from worker_lint.core.settings import Limits

_SPACES = lazy_re.compile(r"[ ]*")
_BLANKS = lazy_re.compile(r"[ \t]*")
#: a tag as libyaml scans it: `!`, then URI characters, which include `'`, `,`, `[` and `]` in
#: every context; a character outside them right after a tag is a syntax error, where the parser stops
_TAG = r"!(?:<[0-9A-Za-z_\-;/?:@&=+$,.!~*'()\[\]%]*>?|[0-9A-Za-z_\-;/?:@&=+$,.!~*'()\[\]%]*)"
_TAG_TOKEN = lazy_re.compile(_TAG)
#: anchors and tags written before a node (`&name`, `!!str`, `!<tag:x>`)
_PROPERTIES = lazy_re.compile(r"(?:(?:%s|&[^\s,\[\]{}]*)[ \t]*)+" % _TAG)
#: where a plain scalar in block context ends: a mapping indicator, a comment, or the line end
_PLAIN_END = lazy_re.compile(r":(?=[ \t\r\n]|$)|[ \t]#|\r?\n|$")
_KEY_AFTER = lazy_re.compile(r"[ \t]*:(?=[ \t\r\n]|$)")
_SINGLE_QUOTED = lazy_re.compile(r"'(?:[^']|'')*'")
_DOUBLE_QUOTED = lazy_re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_FLOW_TOKEN = lazy_re.compile(r"""[\[\]{},:#"']|[ \t\r\n]+|[^ \t\r\n\[\]{},:#"']+""")
#: line breaks the C parser honours besides `\n` (YAML 1.1: CR alone, NEL, LS, PS); CRLF stays as is
_LONE_BREAK = lazy_re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_DOCUMENT_MARKER = lazy_re.compile(r"(?:---|\.\.\.)(?=[ \t\r\n]|$)")

_MAP, _SEQ = 0, 1
#: what may follow `- `, `? ` or `: ` for it to be an indicator
_LINE_GAP = ("", " ", "\t", "\r", "\n")
_AFTER_VALUE_INDICATOR = _LINE_GAP + (",", "[", "]", "{", "}")


class Depth(NamedTuple):
    """What the scan found: the deepest nesting seen, and where the limit was first passed."""

    depth: int
    #: offset of the collection that first went past the limit, or None
    offset: int | None = None


class _TooDeep(Exception):
    def __init__(self, offset: int) -> None:
        self.offset = offset


def precheck(text: str, limits: Limits) -> Finding | None:
    """One finding when ``text`` must not reach the parser: a line too long, or nesting too deep."""
    if _has_lone_breaks(text):
        text = _LONE_BREAK.sub("\n", text)  # same length, so offsets still match the file
    max_line = limits.max_line_length
    long_line = first_long_line(text, max_line)
    if long_line is not None:
        line = text.count("\n", 0, long_line) + 1
        return Finding(
            "WL013",
            (),
            f"line {line} is longer than {max_line:,} characters; the file was not parsed"
            " (move the data to a file of its own, or raise `max-line-length` in the configuration)",
            span=Span(line, 1, line, 2),
        )
    max_depth = limits.max_depth
    if not _surely_shallow(text, max_depth):
        found = nesting_depth(text, max_depth)
        if found.offset is not None:
            line, column = _line_column(text, found.offset)
            return Finding(
                "WL010",
                (),
                f"nesting deeper than {max_depth} levels; the file was not parsed",
                span=Span(line, column, line, column + 1),
            )
    return too_many_nodes(text, limits.max_nodes)


def too_many_nodes(text: str, limit: int) -> Finding | None:
    """A finding when composing ``text`` would build more than ``limit`` nodes.

    Every node the composer builds costs a few hundred bytes: a 49 MB file of
    dense flow items, within the size and line limits, took 7 GB.  Most files
    are settled by a bound on the node count read from a few character counts
    at C speed (see _node_bound); the rest are counted exactly, in libyaml's
    own event stream, which builds nothing and needs no recursion (the depth
    is already known to be within bounds).
    """
    if len(text) * 3 < limit or _node_bound(text) <= limit:
        return None
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionStartEvent, ScalarEvent

    parser = CParser(text)
    count = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (ScalarEvent, CollectionStartEvent)):
                count += 1
                if count > limit:
                    mark = event.start_mark
                    line, column = _line_column(text, mark.index) if mark.index <= len(text) else (1, 1)
                    return Finding(
                        "WL010",
                        (),
                        f"the file holds more than {limit:,} YAML nodes; it was not parsed"
                        " (split the data over several files)",
                        span=Span(line, column, line, column + 1),
                    )
    except YAMLError:
        pass  # parsing stops at the same place, and reports it
    finally:
        parser.dispose()
    return None


def _node_bound(text: str) -> int:
    """More than the nodes the composer can build from ``text``.

    A node other than a document's root starts after a line break, `,`, `:`,
    `?`, `-` or an opening bracket; an implicit empty key or value (`{a, b}`,
    `[:]`, `? `) adds one after `,`, `:`, `?` or `{`, and a tag or an anchor
    alone (`{!t , &a }`) makes a node of nothing.  The weights cover each
    case; tests check the bound against libyaml on random input.
    """
    count = text.count
    return (
        1
        + count("\n")
        + count("\r")
        + 2 * (count(",") + count(":") + count("?"))
        + count("-")
        + count("[")
        + 3 * count("{")
        + count("!")
        + count("&")
    )


def _surely_shallow(text: str, limit: int) -> bool:
    """Whether an upper bound found at C speed already shows the nesting is within ``limit``.

    Flow nesting is at most twice the number of opening brackets (a `key: value`
    pair written in a flow sequence is a mapping of its own).  Block nesting is
    at most two collections per column (a mapping, and a sequence written at
    its key's indentation), and every block collection starts within its
    line's prefix of indentation and `- `, `? `, `: ` indicators: if no line's
    prefix reaches ``k`` columns, block nesting is at most ``2 * k``.
    """
    brackets = text.count("[") + text.count("{")
    k = (limit - 2 * brackets) // 2
    if k <= 0:
        return False
    pattern = _PREFIX.get(k)
    if pattern is None:
        # a literal line break first lets the regex engine skip ahead at C speed
        pattern = _PREFIX[k] = re.compile(r"\n[ \t?:-]{%d}" % k)
    return pattern.search("\n" + text[:k]) is None and pattern.search(text) is None


_PREFIX: dict[int, re.Pattern[str]] = {}


def _has_lone_breaks(text: str) -> bool:
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    return "\x85" in text or "\u2028" in text or "\u2029" in text


def first_long_line(text: str, limit: int) -> int | None:
    """Offset of the first line longer than ``limit`` characters, in about ``len(text) / limit`` steps.

    Each step looks for the last line break within the next ``limit + 1``
    characters: if there is none, the line starting here is too long.
    """
    start, size = 0, len(text)
    while size - start > limit:
        end = start + limit + 1
        brk = text.rfind("\n", start, end)
        if brk == -1:
            return start
        start = brk + 1
    return None


def nesting_depth(text: str, limit: int | None = None) -> Depth:
    """How many collections the composer would nest, stopping at the first beyond ``limit``."""
    scanner = _Scanner(text, limit)
    try:
        scanner.run()
    except _TooDeep as exc:
        return Depth(scanner.deepest, exc.offset)
    return Depth(scanner.deepest)


class _Scanner:
    """Block structure by indentation, flow structure by brackets, both in one forward pass."""

    def __init__(self, text: str, limit: int | None) -> None:
        self.text = text
        self.limit = limit
        #: open block collections, innermost last: (indentation column, kind)
        self.stack: list[tuple[int, int]] = []
        self.deepest = 0
        #: the last node line ended with an empty value, so a deeper line starts a nested collection
        self.opened = True
        #: indentation a block scalar's content must exceed, or None outside one
        self.block_scalar: int | None = None

    def run(self) -> None:
        pos, size = 0, len(self.text)
        while pos < size:
            pos = self._line(pos)

    def _line(self, start: int) -> int:
        """Scan the line starting at ``start``; return where the next line starts."""
        text = self.text
        content = _end_of(_SPACES, text, start)
        column = content - start
        blank_end = _end_of(_BLANKS, text, content)
        at = text[blank_end : blank_end + 1]
        marker = column == 0 and _DOCUMENT_MARKER.match(text, start) is not None
        if self.block_scalar is not None:
            if not marker and (at in ("", "\n", "\r") or column > self.block_scalar):
                return _skip_deeper(text, _next_line(text, start), self.block_scalar)
            self.block_scalar = None
        if at in ("", "\n", "\r", "#"):
            return _next_line(text, start)
        if marker:
            self.stack.clear()
            self.opened = True
            after = _end_of(_BLANKS, text, start + 3)
            if text[after : after + 1] in ("", "\n", "\r", "#"):
                return _next_line(text, start)
            return self._node(after, after - start, key_allowed=False)
        if column == 0 and at == "%" and not self.stack:
            return _next_line(text, start)  # a directive
        stack = self.stack
        while stack and stack[-1][0] > column:
            stack.pop()
        if stack and stack[-1] == (column, _SEQ) and not _is_indicator(text, content, "-"):
            stack.pop()  # a sequence written at its parent key's indentation ends here
        if stack and not self.opened and column > stack[-1][0]:
            # the continuation of a multi-line plain scalar
            return _skip_deeper(text, _next_line(text, start), stack[-1][0])
        if not stack and not self.opened:
            return _next_line(text, start)
        return self._node(content, column, key_allowed=True)

    def _node(self, pos: int, column: int, key_allowed: bool) -> int:
        """Scan one node starting at ``pos`` (column ``column``) in block context; return the next line's start."""
        text, line_start = self.text, pos - column
        while True:
            node_start = pos
            props = _PROPERTIES.match(text, pos)
            if props is not None:
                pos = props.end()
            ch = text[pos : pos + 1]
            if ch in ("", "\n", "\r", "#"):
                self.opened = True  # only properties, or nothing: the value is on the following lines
                return _next_line(text, pos)
            # after an anchor or a tag, `- ` and `? ` cannot start a collection on the same line (libyaml
            # stops there with an error); a bare `: ` still opens a mapping with an empty key
            if key_allowed and ch in "-?:" and _is_indicator(text, pos, ch) and (ch == ":" or props is None):
                # `- ` opens a sequence entry; `? ` and a bare `: ` open a mapping entry
                self._open(node_start - line_start, _SEQ if ch == "-" else _MAP, node_start)
                pos = _end_of(_BLANKS, text, pos + 1)
                continue
            inner = 0
            if ch in "[{":
                end, inner = self._flow(pos)
            elif ch == "'" or ch == '"':
                quoted = (_SINGLE_QUOTED if ch == "'" else _DOUBLE_QUOTED).match(text, pos)
                end = quoted.end() if quoted is not None else len(text)
            elif ch in "|>":
                self.block_scalar = self.stack[-1][0] if self.stack else -1
                self.opened = False
                return _next_line(text, pos)
            else:
                plain_end = _PLAIN_END.search(text, pos)
                assert plain_end is not None  # `$` always matches
                end = plain_end.start()
            key = _KEY_AFTER.match(text, end) if key_allowed else None
            if key is None:
                self.opened = False
                return _next_line(text, end)
            before = len(self.stack)
            self._open(node_start - line_start, _MAP, node_start)
            if inner and len(self.stack) > before:
                self._reached(inner + 1, key.start())  # a flow key sits inside the mapping it opens
            pos = _end_of(_BLANKS, text, key.end())
            key_allowed = False

    def _open(self, column: int, kind: int, offset: int) -> None:
        if self.stack and self.stack[-1] == (column, kind):
            return
        self.stack.append((column, kind))
        self._reached(len(self.stack), offset)

    def _reached(self, depth: int, offset: int) -> None:
        if depth > self.deepest:
            self.deepest = depth
            if self.limit is not None and depth > self.limit:
                raise _TooDeep(offset)

    def _flow(self, pos: int) -> tuple[int, int]:
        """Scan a flow collection from its opening bracket.

        Returns the offset just after it closes and the deepest nesting inside
        it.  A `key: value` pair written directly in a flow sequence is a
        one-pair mapping, one level deeper than the sequence (key included).
        """
        text, index = self.text, pos
        levels: list[_FlowLevel] = []
        deepest = len(self.stack)
        expect_node = True  # a quote opens a quoted scalar only where a node may start
        after_space = True  # `#` starts a comment only after white space
        after_json = False  # `:` right after a quoted scalar or a closing bracket is a value indicator
        while True:
            token = _FLOW_TOKEN.match(text, index)
            if token is None:
                return len(text), deepest
            index = token.end()
            value = token.group()
            first = value[0]
            json_key = False
            if first in "[{":
                parent = levels[-1] if levels else None
                depth = (parent.depth + parent.pair if parent else len(self.stack)) + 1
                self._reached(depth, token.start())
                deepest = max(deepest, depth)
                levels.append(_FlowLevel(first == "[", depth))
                expect_node = True
            elif first in "]}":
                closed = levels.pop()
                if not levels:
                    return index, deepest
                levels[-1].entry = max(levels[-1].entry, closed.inner)
                levels[-1].inner = max(levels[-1].inner, closed.inner)
                expect_node, json_key = False, True
            elif first == ",":
                levels[-1].end_entry()
                expect_node = True
            elif first in " \t\r\n":
                after_space = True
                continue
            elif first == "#" and after_space:
                index = _next_line(text, index)
                continue
            elif first in "'\"" and expect_node:
                quoted = (_SINGLE_QUOTED if first == "'" else _DOUBLE_QUOTED).match(text, token.start())
                if quoted is None:
                    return len(text), deepest  # unterminated: the parser stops here with a syntax error
                index = quoted.end()
                expect_node, json_key = False, True
            elif first == ":":
                expect_node = text[index : index + 1] in _AFTER_VALUE_INDICATOR or after_json
                if expect_node:
                    deepest = max(deepest, self._pair(levels[-1], token.start()))
            elif first == "!" and expect_node:
                # a tag runs over quotes, commas and brackets (see _TAG): the node it belongs to still follows
                index = _end_of(_TAG_TOKEN, text, token.start())
                after_space = after_json = False
                continue
            elif first in "&!":
                pass  # an anchor (or a `!` inside a plain scalar): the node still follows
            elif value == "?" and text[index : index + 1] in _LINE_GAP:
                deepest = max(deepest, self._pair(levels[-1], token.start()))
                expect_node = True
            else:
                expect_node = False
            after_space = False
            after_json = json_key

    def _pair(self, level: _FlowLevel, offset: int) -> int:
        """A `:` or `?` in a flow sequence entry: the entry is a one-pair mapping; its key sits one level deeper."""
        if not level.is_seq or level.pair:
            return level.depth
        level.pair = 1
        depth = level.entry + 1
        self._reached(depth, offset)
        level.entry = depth
        level.inner = max(level.inner, depth)
        return depth


class _FlowLevel:
    __slots__ = ("depth", "entry", "inner", "is_seq", "pair")

    def __init__(self, is_seq: bool, depth: int) -> None:
        self.is_seq = is_seq
        self.depth = depth
        #: 1 while the current entry of a sequence is a one-pair mapping
        self.pair = 0
        #: deepest nesting inside the current entry, and inside the whole collection
        self.entry = self.inner = depth

    def end_entry(self) -> None:
        self.pair = 0
        self.entry = self.depth


def _is_indicator(text: str, pos: int, ch: str) -> bool:
    """``ch`` at ``pos`` followed by a space, a tab or the line end: `- `, `? `, `: `."""
    return text[pos : pos + 1] == ch and text[pos + 1 : pos + 2] in _LINE_GAP


_DEEPER: dict[int, re.Pattern[str]] = {}


def _skip_deeper(text: str, pos: int, indent: int) -> int:
    """Skip, at C speed, the lines from ``pos`` that are blank or indented deeper than ``indent``."""
    if indent < 0:
        return pos  # a root block scalar ends only at a document marker: go line by line
    pattern = _DEEPER.get(indent)
    if pattern is None:
        pattern = _DEEPER[indent] = re.compile(r"(?:[ ]{%d}[^\n]*\n|[ \t]*\r?\n)*" % (indent + 1))
    match = pattern.match(text, pos)
    return pos if match is None else match.end()


def _next_line(text: str, pos: int) -> int:
    brk = text.find("\n", pos)
    return len(text) if brk == -1 else brk + 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _end_of(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where ``pattern``, which may match nothing, stops matching from ``pos``."""
    match = pattern.match(text, pos)
    return match.end() if match is not None else pos
