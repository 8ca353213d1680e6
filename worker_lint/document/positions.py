"""The one place that turns JSON paths into 1-based line/column spans.

Rules report paths; this module walks the composed node tree to find the key
or value a path names and converts ruamel.yaml's 0-based marks to the 1-based,
end-exclusive spans every report format uses.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Literal

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from worker_lint.core.diagnostic import JsonPath, Span, Within


def find(root: Node, path: JsonPath) -> tuple[Node | None, Node, int]:
    """Walk ``path`` from ``root`` as far as it exists.

    Returns ``(key_node, value_node, depth)``: the deepest node reached, the
    key node that introduced it (None for the root or a sequence item), and
    how many path segments were consumed.  With duplicate keys the last one
    wins, as it does in the data the rules read.
    """
    key_node: Node | None = None
    node = root
    for depth, segment in enumerate(path):
        if isinstance(node, MappingNode):
            match = _lookup(node, segment if isinstance(segment, str) else str(segment), None)
            if match is None:
                return key_node, node, depth
            key_node, node = match
        elif isinstance(node, SequenceNode) and isinstance(segment, int) and 0 <= segment < len(node.value):
            key_node, node = None, node.value[segment]
        else:
            return key_node, node, depth
    return key_node, node, len(path)


MERGE_TAG = "tag:yaml.org,2002:merge"


def is_merge_key(key: Node) -> bool:
    """Whether a mapping key is YAML's merge key `<<`, whose value's mappings are merged into this one."""
    return key.value == "<<" and key.tag == MERGE_TAG  # the value first: reading a node's tag costs a call


def _lookup(node: MappingNode, wanted: str, seen: set[int] | None) -> tuple[Node, Node] | None:
    """The key and value for ``wanted``: written keys first (the last wins), then merged mappings in order.

    ``seen`` holds the mappings already searched for it, made only when a merge is
    followed: most mappings merge nothing, and this runs for every segment of every path.
    """
    # from the end: the first written key met is the last written, and merges matter only without one
    for k, v in reversed(node.value):
        if k.value == wanted and isinstance(k, ScalarNode):  # a complex key's value is a list: never equal
            return k, v
    merges: list[Node] = []
    for k, v in node.value:
        if k.value == "<<" and is_merge_key(k):  # the value first: most keys are not `<<`
            merges.extend(v.value if isinstance(v, SequenceNode) else [v])
    if not merges:
        return None
    if seen is None:
        seen = set()
    seen.add(id(node))
    for source in merges:
        if isinstance(source, MappingNode) and id(source) not in seen:
            found = _lookup(source, wanted, seen)
            if found is not None:
                return found
    return None


def entries(node: MappingNode) -> dict[str, tuple[Node, Node]]:
    """Every key a path can name in this mapping, with the key and value :func:`find` reaches for it.

    One pass for a mapping whose keys are all read (a `requests` section) instead of a
    lookup per key; the same answers as the lookups: written keys first (the last
    wins), then merged mappings in order, a mapping merged into itself read once.
    """
    found: dict[str, tuple[Node, Node]] = {}
    _collect(node, found, set())
    return found


def _collect(node: MappingNode, found: dict[str, tuple[Node, Node]], seen: set[int]) -> None:
    """Add this mapping's keys to ``found`` unless an earlier mapping had them, in :func:`_lookup`'s order."""
    seen.add(id(node))
    written: dict[str, tuple[Node, Node]] = {}
    merges: list[Node] = []
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            continue  # a complex key: no path segment names it
        written[k.value] = (k, v)
        if k.value == "<<" and is_merge_key(k):
            merges.extend(v.value if isinstance(v, SequenceNode) else [v])
    for key, pair in written.items():
        found.setdefault(key, pair)
    for source in merges:
        if isinstance(source, MappingNode) and id(source) not in seen:
            _collect(source, found, seen)


def node_span(node: Node, text: str | None = None) -> Span:
    """The span of a node, clipped to its first line for multi-line nodes.

    A block mapping or a literal scalar can span hundreds of lines; editors and
    the caret snippet want the line where it starts, so a multi-line node ends
    at the end of its first line.
    """
    start, end = node.start_mark, node.end_mark
    if end.line == start.line and end.column > start.column:
        return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)
    width = 1
    if text is not None:
        line_end = text.find("\n", start.index)
        if line_end == -1:
            line_end = len(text)
        width = max(len(text[start.index : line_end].rstrip()), 1)
    return Span(start.line + 1, start.column + 1, start.line + 1, start.column + 1 + width)


def resolve(
    root: Node,
    path: JsonPath,
    at: Literal["key", "value"] = "value",
    text: str | None = None,
    substring: str | None = None,
    within: Within | None = None,
) -> Span:
    """The span of the key or value at ``path``; the nearest existing ancestor if it is missing.

    ``substring`` or ``within`` narrow a scalar value's span to part of it; when that part
    cannot be placed exactly, the whole value is shown rather than a wrong place.
    """
    key_node, node, depth = find(root, path)
    if depth < len(path):
        # The path leaves the tree (a missing key): point at the deepest
        # existing mapping's own key, which is where a user would add it.
        return node_span(key_node if key_node is not None else node, text)
    target = key_node if at == "key" and key_node is not None else node
    if within is not None and isinstance(target, ScalarNode) and text is not None:
        from worker_lint.document.scalar_map import value_span  # only findings inside a string need it

        inner = value_span(target, text, within.start, within.stop)
        if inner is not None:
            return inner
    if substring is not None and isinstance(target, ScalarNode) and text is not None:
        inner = substring_span(target, substring, text)
        if inner is not None:
            return inner
    if at == "key" and key_node is not None:
        return node_span(key_node, text)
    return node_span(node, text)


def substring_span(node: ScalarNode, needle: str, text: str) -> Span | None:
    """The span of the first ``needle`` in the scalar's source text, if it is written there verbatim."""
    start, end = node.start_mark.index, node.end_mark.index
    offset = text.find(needle, start, max(end, start + len(needle)))
    if offset == -1:
        return None
    line = node.start_mark.line + text.count("\n", start, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    column = offset - line_start
    return Span(line + 1, column + 1, line + 1, column + len(needle) + 1)


def point_span(text: str, line0: int, column0: int) -> Span:
    """A one-character span at a 0-based position (parse errors), widened to the token there."""
    lines = text.split("\n", line0 + 1)
    current = lines[line0] if line0 < len(lines) else ""
    width = 1
    if column0 < len(current) and not current[column0].isspace():
        stop = column0
        while stop < len(current) and not current[stop].isspace():
            stop += 1
        width = stop - column0
    return Span(line0 + 1, column0 + 1, line0 + 1, column0 + 1 + width)


#: the line breaks editors, the LSP and problem matchers count (the parser also counts NEL, LS and PS)
_EDITOR_BREAK = "\r\n|\r|\n"


class EditorLines:
    """Line and column as an editor shows them, from the parser's.

    libyaml reads YAML 1.1, where NEL (U+0085), LS (U+2028) and PS (U+2029)
    are line breaks, so every mark, and the text the rest of the linter splits
    on LF (see ``source.normalize_breaks``), counts one more line for each.
    Editors, the LSP and problem matchers break only at LF, CRLF and CR: a
    report must use their numbers, or every line after such a character is
    off by one.  Offsets are the same in both texts (one character for one),
    so a position goes parser line/column -> offset -> editor line/column.
    """

    def __init__(self, original: str, parsed: str) -> None:
        import re

        self._parser = [0, *(m.end() for m in re.finditer("\n", parsed))]
        self._editor = [0, *(m.end() for m in re.finditer(_EDITOR_BREAK, original))]
        self._lines = re.split(_EDITOR_BREAK, original)
        self._length = len(parsed)

    @staticmethod
    def needed(data: bytes) -> bool:
        """Whether the file holds a break only the parser counts (most files do not: nothing to map)."""
        if data.isascii():  # one pass in C settles nearly every manifest
            return False
        return b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data or b"\xc2\x85" in data

    def point(self, line: int, column: int) -> tuple[int, int]:
        """The editor's 1-based (line, column) of the parser's 1-based (line, column)."""
        index = min(max(line - 1, 0), len(self._parser) - 1)
        start = self._parser[index]
        end = self._parser[index + 1] - 1 if index + 1 < len(self._parser) else self._length
        offset = start + max(column - 1, 0)
        base = min(offset, end)  # a column past the line's end (an end column) stays past it
        row = bisect_right(self._editor, base) - 1
        return row + 1, base - self._editor[row] + 1 + (offset - base)

    def span(self, span: Span) -> Span:
        line, column = self.point(span.line, span.column)
        end_line, end_column = self.point(span.end_line, span.end_column)
        return Span(line, column, end_line, end_column)

    def line(self, number: int) -> str | None:
        """The editor's line ``number`` (1-based), as written."""
        return self._lines[number - 1] if 1 <= number <= len(self._lines) else None


def describe(path: JsonPath) -> str:
    """A JSON path as users write it in messages: ``spec.resources.limits.cpu``, ``bundle.resources[2].id``."""
    out = ""
    for segment in path:
        if isinstance(segment, int):
            out += f"[{segment}]"
        else:
            out += ("." if out else "") + str(segment)
    return out or "(document)"


def value_at(data: Any, path: JsonPath) -> Any:
    for segment in path:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return None
    return data
