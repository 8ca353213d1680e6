"""What a fix is: a title, how safe it is to apply, and exact text edits (or, from a rule, intents).

A rule never computes offsets: it states its fix as intents over JSON paths
(rename this key, replace this value, delete this entry, insert this key), and
``worker_lint.document.edits`` turns them into edits beside the code that turns paths
into positions.  A fix whose intents cannot be placed exactly is dropped
rather than approximated, so an applied fix never moves anything else.

Named tuples, like the diagnostics that carry them: a run with nothing to fix
creates none of these.
"""

from __future__ import annotations

from typing import NamedTuple

from worker_lint.core.diagnostic import JsonPath, Span
from worker_lint.core.settings import Settings, specificity

#: applied by `--fix`
SAFE = "safe"
#: applied by `--fix --unsafe-fixes`: the change may not be what the author meant
UNSAFE = "unsafe"
#: shown, never applied: a person has to choose or fill in a value
DISPLAY_ONLY = "display-only"
APPLICABILITIES = (SAFE, UNSAFE, DISPLAY_ONLY)


class Edit(NamedTuple):
    """Replace the characters ``start:end`` of the decoded text (BOM excluded) with ``content``.

    ``span`` is the same region as 1-based line/column, end exclusive, for reports.
    """

    start: int
    end: int
    content: str
    span: Span


class Fix(NamedTuple):
    title: str
    applicability: str
    edits: tuple[Edit, ...]


class Intent(NamedTuple):
    """One change a rule wants, by JSON path; see the constructors below."""

    kind: str
    path: JsonPath
    text: str = ""
    #: rename-key and delete-entry: which of several equal keys (-1 the last, as the data reads it; 0 the first)
    occurrence: int = -1
    #: replace-value: "keep" the quoting style, or write the new text "plain" (unquoted)
    style: str = "keep"
    #: replace-in-value: the text to replace inside the scalar; insert-key: the key
    old: str = ""
    #: replace-span: the region (for raw text such as comments, which have no JSON path)
    span: Span | None = None


class FixSpec(NamedTuple):
    """A rule's fix before placement: title, applicability and intents."""

    title: str
    applicability: str
    intents: tuple[Intent, ...]


def rename_key(path: JsonPath, new: str, occurrence: int = -1) -> Intent:
    return Intent("rename-key", path, new, occurrence)


def replace_value(path: JsonPath, new: str, style: str = "keep") -> Intent:
    return Intent("replace-value", path, new, style=style)


def replace_in_value(path: JsonPath, old: str, new: str) -> Intent:
    return Intent("replace-in-value", path, new, old=old)


def delete_entry(path: JsonPath, occurrence: int = -1) -> Intent:
    return Intent("delete-entry", path, occurrence=occurrence)


def insert_key(path: JsonPath, key: str, value: str) -> Intent:
    """Add ``key: value`` as the last entry of the mapping at ``path``."""
    return Intent("insert-key", path, value, old=key)


def reindent(path: JsonPath, columns: int) -> Intent:
    """Indent the entry at ``path`` (its key line and every line of its value) by ``columns`` more spaces."""
    return Intent("reindent", path, str(columns))


def replace_span(span: Span, new: str) -> Intent:
    return Intent("replace-span", (), new, span=span)


def spec(title: str, applicability: str, *intents: Intent) -> FixSpec:
    return FixSpec(title, applicability, intents)


def applicability(code: str, given: str, settings: Settings) -> str:
    """A rule's applicability after `fixable`, `unfixable`, `extend-safe-fixes` and `extend-unsafe-fixes`.

    As in ruff: a code that is not fixable keeps its fix for display only, and
    the more specific of the two `extend-` lists wins (unsafe on a tie).
    """
    if given == DISPLAY_ONLY:
        return given
    fixable = specificity(code, settings.fixable if settings.fixable is not None else ("WL",))
    if fixable < 0 or specificity(code, settings.unfixable) >= fixable:
        return DISPLAY_ONLY
    safe, unsafe = specificity(code, settings.extend_safe_fixes), specificity(code, settings.extend_unsafe_fixes)
    if unsafe >= 0 and unsafe >= safe:
        return UNSAFE
    if safe >= 0:
        return SAFE
    return given
