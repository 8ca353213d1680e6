"""Completion inside a Bento Worker's stackSpec: component names at a component position, a component's fields.

The key being typed is placed from the text, by indentation, as ``navigate.completion_context``
places a value: while a key is half written the document does not parse. What may be written
there is the catalogue type the check (``checks.bento_components``) walks the config to.
"""

from __future__ import annotations

import re
from typing import Any

from worker_lint.core.diagnostic import JsonPath
from worker_lint.lsp.navigate import Completion

#: a line up to the cursor that is a key being typed: `    kaf`, `  - bra`, `  -` (nothing typed yet)
_TYPING_KEY = re.compile(r"^(\s*)((?:-(?:\s+|$))*)([\w-]*)$")
_ITEM = re.compile(r"-(?:\s+|$)")
_KEY = re.compile(r"""([^\s#'"{\[][^:#]*?|"[^"]*"|'[^']*')\s*:(?:\s+(.*))?$""")
_STACK = re.compile(r"""^\s*stack\s*:\s*['"]?([\w.-]+)""")


def key_context(lines: list[str], line: int, before: str) -> tuple[JsonPath, str] | None:
    """``(path, typed)``: the path of the mapping a key is being typed in (list items as 0), and its prefix."""
    typing = _TYPING_KEY.match(before)
    if typing is None:
        return None
    stack: list[tuple[int, str | int]] = []
    skip_deeper_than: int | None = None  # inside a block scalar (`|`, `>`): its lines are text, not keys
    for text in _document_lines(lines, line):
        width = len(text) - len(text.lstrip())
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if skip_deeper_than is not None and width > skip_deeper_than:
            continue
        skip_deeper_than = _read_line(text, stack)
    _read_line(before + "_:", stack)  # the typed key, as if written: it closes what it is not inside
    path: JsonPath = tuple(segment for _, segment in stack[:-1])
    return path, typing.group(3)


def _document_lines(lines: list[str], line: int) -> list[str]:
    """The lines above ``line`` in its YAML document (after the last `---`)."""
    start = 0
    for number in range(line - 1, -1, -1):
        if lines[number].startswith("---"):
            start = number + 1
            break
    return lines[start:line]


def _read_line(text: str, stack: list[tuple[int, str | int]]) -> int | None:
    """Push the list items and key a line opens onto ``stack``, closing what they end; the block scalar's
    indentation when the line opens one."""
    column = len(text) - len(text.lstrip())
    rest = text[column:]
    while (item := _ITEM.match(rest)) is not None:
        # an item closes what is deeper and its sibling items; a key at its column is its parent (`key:\n- a`)
        while stack and (stack[-1][0] > column or (stack[-1][0] == column and isinstance(stack[-1][1], int))):
            stack.pop()
        stack.append((column, 0))
        column += item.end()
        rest = rest[item.end() :]
    key = _KEY.match(rest)
    if key is None:
        return None
    while stack and stack[-1][0] >= column:
        stack.pop()
    stack.append((column, key.group(1).strip("'\"")))
    value = (key.group(2) or "").strip()
    return column if value[:1] in ("|", ">") else None


def is_bento(lines: list[str], line: int) -> bool:
    """Whether the document around ``line`` names a built-in Bento stack (`stack: bento:4.0`)."""
    from worker_lint.checks.bento_components import bento_stack_names

    start, end = line, line
    while start > 0 and not lines[start].startswith("---"):
        start -= 1
    while end < len(lines) - 1 and not lines[end + 1].startswith("---"):
        end += 1
    for text in lines[start : end + 1]:
        found = _STACK.match(text)
        if found is not None:
            return found.group(1).partition(":")[0].partition("+")[0] in bento_stack_names()
    return False


def completions(path: JsonPath) -> list[Completion]:
    """What may be written as a key at ``path`` (a path from the document's root) in a Bento stackSpec."""
    if "stackSpec" not in path:
        return []
    from worker_lint.checks.bento_components import type_at
    from worker_lint.dataos import bento

    inside = path[len(path) - path[::-1].index("stackSpec") :]
    spec = type_at(inside)
    if isinstance(spec, str) and spec.startswith("@"):
        kind = spec[1:]
        what = f"Bento {bento.KIND_NAMES[kind]}"
        return [Completion(name, "component", what) for name in bento.components(kind)] + _fields(
            bento.common_fields(kind), what
        )
    if isinstance(spec, dict):
        return _fields(spec.get("f", {}), f"field of the Bento {_owner(inside)}")
    return []


def _fields(fields: dict[str, Any], detail: str) -> list[Completion]:
    return [Completion(name, "field", detail) for name in fields]


def _owner(path: JsonPath) -> str:
    """The component a body belongs to, for the detail shown beside a field: `input `kafka``."""
    from worker_lint.checks.bento_components import type_at
    from worker_lint.dataos import bento

    for end in range(len(path) - 1, 0, -1):
        spec = type_at(path[:end])
        if isinstance(spec, str) and spec.startswith("@"):
            return f"{bento.KIND_NAMES[spec[1:]]} `{path[end]}`"
    return "component"
