"""Fix intents to exact text edits, over the node tree that worker_lint.document.positions walks.

Every edit replaces the written text of one node (a key, a scalar value) or
one whole entry, so bytes outside it never move: comments, quotes, blank
lines and the other entries stay as written.  An intent that cannot be placed
exactly (a block scalar, a key that is not alone on its line, a path that does
not exist) gives no fix at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from worker_lint.core.diagnostic import JsonPath, Span
from worker_lint.core.fix import Edit, Fix, FixSpec, Intent
from worker_lint.document.positions import find


class _Unplaceable(Exception):
    pass


def place(specs: Iterable[FixSpec], root: Node | None, text: str) -> tuple[Fix, ...]:
    """The fixes of ``specs`` that can be placed exactly, in the order given (the preferred first)."""
    out = []
    for spec in specs:
        try:
            edits = tuple(
                sorted(
                    (e for intent in spec.intents for e in _edits(intent, root, text)), key=lambda e: (e.start, e.end)
                )
            )
        except _Unplaceable:
            continue
        except Exception:
            continue
        if edits and all(a.end <= b.start for a, b in zip(edits, edits[1:])):
            out.append(Fix(spec.title, spec.applicability, edits))
    return tuple(out)


def _edits(intent: Intent, root: Node | None, text: str) -> list[Edit]:
    if intent.kind == "replace-span":
        assert intent.span is not None
        start = offset(text, intent.span.line, intent.span.column)
        end = offset(text, intent.span.end_line, intent.span.end_column)
        return [edit(text, start, end, intent.text)]
    if root is None:
        raise _Unplaceable
    if intent.kind == "insert-key":
        return [_insert_key(root, intent.path, intent.old, intent.text, text)]
    key, value, parent = _entry(root, intent.path, intent.occurrence)
    if intent.kind == "rename-key":
        if key is None:
            raise _Unplaceable
        return [_replace_scalar(key, intent.text, "keep", text)]
    if intent.kind == "replace-value":
        return [_replace_scalar(value, intent.text, intent.style, text)]
    if intent.kind == "replace-in-value":
        if not isinstance(value, ScalarNode) or value.style in ("|", ">"):
            raise _Unplaceable
        at = text.find(intent.old, value.start_mark.index, value.end_mark.index)
        if at == -1:
            raise _Unplaceable
        return [edit(text, at, at + len(intent.old), intent.text)]
    if intent.kind == "delete-entry":
        if key is None or parent is None:
            raise _Unplaceable
        return [_delete_entry(parent, key, value, text)]
    if intent.kind == "reindent":
        if key is None or parent is None or parent.flow_style:
            raise _Unplaceable
        return _reindent(key, value, int(intent.text), text)
    raise _Unplaceable


def _entry(root: Node, path: JsonPath, occurrence: int) -> tuple[Node | None, Node, MappingNode | None]:
    """The key, value and parent mapping at ``path``; ``occurrence`` picks among equal keys."""
    if not path:
        return None, root, None
    _, parent, depth = find(root, path[:-1])
    if depth < len(path) - 1:
        raise _Unplaceable
    last = path[-1]
    if isinstance(parent, MappingNode):
        pairs = [(k, v) for k, v in parent.value if isinstance(k, ScalarNode) and k.value == str(last)]
        if not pairs:
            raise _Unplaceable
        k, v = pairs[occurrence] if -len(pairs) <= occurrence < len(pairs) else pairs[-1]
        return k, v, parent
    _key, node, depth = find(root, path)
    if depth < len(path):
        raise _Unplaceable
    return None, node, None


def _replace_scalar(node: Node, new: str, style: str, text: str) -> Edit:
    if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
        raise _Unplaceable
    start, end = node.start_mark.index, node.end_mark.index
    if text[start:end].startswith(("&", "!", "*")):
        raise _Unplaceable  # an anchor or a tag before the value: not worth the risk
    quote = node.style if node.style in ("'", '"') else None
    if style == "plain" or quote is None:
        if text[start:end] == new:
            raise _Unplaceable  # nothing would change: the fix is not this edit
        return edit(text, start, end, new)
    if quote == "'":
        return edit(text, start, end, "'" + new.replace("'", "''") + "'")
    return edit(text, start, end, '"' + new.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _content_end(text: str, start: int, end: int) -> int:
    """Where a node's written text really ends: a block collection's end mark is on the next token's line."""
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index of the line break ending the line of ``index`` (or the end of the text)."""
    stop = text.find("\n", index)
    return len(text) if stop == -1 else stop


def _delete_entry(parent: MappingNode, key: Node, value: Node, text: str) -> Edit:
    if parent.flow_style:
        pairs = parent.value
        i = next(n for n, (k, _) in enumerate(pairs) if k is key)
        if i + 1 < len(pairs):
            return edit(text, key.start_mark.index, pairs[i + 1][0].start_mark.index, "")
        if i > 0:
            return edit(text, pairs[i - 1][1].end_mark.index, value.end_mark.index, "")
        return edit(text, key.start_mark.index, value.end_mark.index, "")
    begin = _line_start(text, key.start_mark.index)
    if text[begin : key.start_mark.index].strip() or len(parent.value) < 2:
        raise _Unplaceable  # `- key: v` or the only entry: deleting it would change the structure around it
    stop = _line_end(text, _content_end(text, value.start_mark.index, value.end_mark.index))
    next_start = next((k.start_mark.index for k, _ in parent.value if k.start_mark.index > key.start_mark.index), None)
    if next_start is not None and next_start <= stop:
        raise _Unplaceable  # two entries on one line
    return edit(text, begin, min(stop + 1, len(text)), "")


def _reindent(key: Node, value: Node, columns: int, text: str) -> list[Edit]:
    """Spaces at the start of every non-blank line of the entry; blank lines stay empty.

    A block scalar inside moves with its parent, so its content and any
    explicit indentation indicator keep their meaning; its lines of spaces
    only move too, since the spaces past its indentation are part of the string.
    """
    begin = _line_start(text, key.start_mark.index)
    if text[begin : key.start_mark.index].strip(" ") or columns <= 0:
        raise _Unplaceable
    stop = _content_end(text, key.start_mark.index, value.end_mark.index)
    blocks = _block_scalars(value, key.start_mark.index, value.end_mark.index)
    stop = max([stop, *(end for _, end in blocks)])  # a block scalar's last lines may hold only spaces
    edits = []
    at = begin
    while at < stop:
        line_end = _line_end(text, at)
        line = text[at:line_end].rstrip("\r")
        if line.strip() or (line and any(start < at < end for start, end in blocks)):
            edits.append(edit(text, at, at, " " * columns))
        at = line_end + 1
    return edits


def _block_scalars(node: Node, start: int, end: int) -> list[tuple[int, int]]:
    """Where each literal or folded scalar written between ``start`` and ``end`` is (an alias's target elsewhere is not)."""
    found = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen or not start <= current.start_mark.index < end:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            if current.style in ("|", ">"):
                found.append((current.start_mark.index, current.end_mark.index))
        elif isinstance(current, MappingNode):
            stack.extend(part for pair in current.value for part in pair)
        elif isinstance(current.value, list):
            stack.extend(current.value)
    return found


def _insert_key(root: Node, path: JsonPath, key: str, value: str, text: str) -> Edit:
    _, node, depth = find(root, path)
    if depth < len(path) or not isinstance(node, MappingNode):
        raise _Unplaceable
    if node.flow_style:
        close = _content_end(text, node.start_mark.index, node.end_mark.index) - 1
        if text[close : close + 1] != "}":
            raise _Unplaceable
        inside = text[node.start_mark.index + 1 : close].strip()
        return edit(text, close, close, f"{', ' if inside else ''}{key}: {value}")
    if not node.value:
        raise _Unplaceable
    first = node.value[0][0]
    indent = first.start_mark.column  # after `- ` too: the other keys of a sequence item line up with it
    last_value = node.value[-1][1]
    stop = _line_end(text, _content_end(text, last_value.start_mark.index, last_value.end_mark.index))
    if stop > 0 and text[stop - 1] == "\r":
        stop -= 1
    return edit(text, stop, stop, "\n" + " " * indent + f"{key}: {value}")


def offset(text: str, line: int, column: int) -> int:
    """The index of a 1-based line and column."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return min(start + column - 1, len(text))


def edit(text: str, start: int, end: int, content: str) -> Edit:
    return Edit(start, end, content, Span(*position(text, start), *position(text, end)))


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of an index."""
    line_start = _line_start(text, index)
    return text.count("\n", 0, index) + 1, index - line_start + 1
