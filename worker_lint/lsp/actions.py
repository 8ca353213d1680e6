"""Code actions as text edits: suppression comments, and the fixes diagnostics carry.

Every edit here is ``(start, end, new text)`` in offsets into the editor's text; the server
turns them into ranges in the negotiated encoding.  A suppression comment is checked by reading
the edited text back with the very scanner that honours directives (``run.suppress``): an edit
is offered only when worker-lint itself would then see a directive covering that line and code.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from worker_lint.core.diagnostic import Diagnostic
from worker_lint.lsp.text import TextMap

SAFE = "safe"
UNSAFE = "unsafe"


class TextEdit(NamedTuple):
    start: int
    end: int
    new_text: str


class Action(NamedTuple):
    title: str
    kind: str  # "quickfix" or a source kind
    edits: tuple[TextEdit, ...]
    #: the diagnostic it fixes, if any
    diagnostic: Diagnostic | None = None
    preferred: bool = False


QUICKFIX = "quickfix"
FIX_ALL = "source.fixAll.worker-lint"


def disable_for_line(text: TextMap, code: str, line: int) -> Action | None:
    """``# worker-lint: disable=CODE`` on worker-lint's 1-based ``line``, or the next-line form above it.

    A directive already on that line gets the code added.  A trailing comment cannot go where it
    would be text (the line ends inside a block scalar or a quoted string): the comment then goes on
    a line of its own above, as `disable-next-line`.  Inside a scalar's own lines nothing can be
    written that YAML reads as a comment, so there is no per-line action there.
    """
    from worker_lint.run import suppress

    yaml_text = text.text[text.base :]
    scan = suppress.scan_directives(yaml_text)
    title = f"Disable {code} for this line"
    for directive in scan.directives:
        if directive.action in ("disable", "disable-next-line") and directive.target == line and directive.codes:
            last = max(directive.codes.values(), key=lambda span: span.column)
            at = text.offset_of(last.line, last.end_column)
            return _checked(text, code, line, Action(title, QUICKFIX, (TextEdit(at, at, f",{code}"),)))
    start = text.offset_of(line, 1)
    end = text.offset_of(line, 1 << 30)
    content = text.text[start:end]
    trailing = Action(title, QUICKFIX, (TextEdit(end, end, f"  # worker-lint: disable={code}"),))
    if content.strip() and _checked(text, code, line, trailing) is not None:
        return trailing
    indent = content[: len(content) - len(content.lstrip(" \t"))]
    break_ = "\r\n" if "\r\n" in text.text else "\n"
    comment = f"{indent}# worker-lint: disable-next-line={code}{break_}"
    above = Action(title, QUICKFIX, (TextEdit(start, start, comment),))
    return _checked(text, code, line + 1, above)  # the line moves down by the one inserted above it


def disable_for_file(text: TextMap, code: str) -> Action | None:
    """``# worker-lint: disable-file=CODE`` at the top, or the code added to an existing one."""
    from worker_lint.run import suppress

    title = f"Disable {code} for this file"
    for directive in suppress.scan_directives(text.text[text.base :]).directives:
        if directive.action == "disable-file":
            if not directive.codes:
                return None  # it already disables every rule
            last = max(directive.codes.values(), key=lambda span: span.column)
            at = text.offset_of(last.line, last.end_column)
            return Action(title, QUICKFIX, (TextEdit(at, at, f",{code}"),))
    break_ = "\r\n" if "\r\n" in text.text else "\n"
    at = text.base
    return Action(title, QUICKFIX, (TextEdit(at, at, f"# worker-lint: disable-file={code}{break_}"),))


def _checked(text: TextMap, code: str, target: int, action: Action) -> Action | None:
    """``action`` when, once applied, a directive covers ``code`` on line ``target`` of the edited text."""
    from worker_lint.run import suppress

    edited = apply(text.text, action.edits)[text.base :]
    for directive in suppress.scan_directives(edited).directives:
        if (
            directive.target == target
            and (not directive.codes or code in directive.codes)
            and directive.action != "disable-file"
            and _parses_as_before(text.text[text.base :], edited)
        ):
            return action
    return None


def _parses_as_before(before: str, after: str) -> bool:
    """A comment changes no data: the edited text must hold the same documents, with no new syntax error."""
    old, new = _reading(before), _reading(after)
    return new[0] <= old[0] and old[1] == new[1]


@functools.lru_cache(maxsize=2)
def _reading(text: str) -> tuple[int, list[Any]]:
    """How many syntax errors the text has, and its documents' data (the text before edits is read once per request)."""
    from worker_lint.document.parse import parse

    parsed = parse(text)
    return len(parsed.findings), [d.data for d in parsed.documents]


def apply(text: str, edits: Sequence[TextEdit]) -> str:
    """``text`` with non-overlapping ``edits`` made (as a client applies a workspace edit)."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.new_text + out[edit.end :]
    return out


# -- fixes -----------------------------------------------------------------------------------------------------------


def fixes_of(diagnostic: Diagnostic) -> Sequence[Any]:
    """The fixes a diagnostic carries (title, applicability, edits over the decoded text); none before autofix."""
    return getattr(diagnostic, "fixes", None) or ()


def fix_actions(text: TextMap, diagnostic: Diagnostic) -> list[Action]:
    """A quick fix per fix of ``diagnostic``, unsafe ones titled so; display-only ones are not applied."""
    actions = []
    for number, fix in enumerate(fixes_of(diagnostic)):
        applicability = getattr(fix, "applicability", SAFE)
        if applicability not in (SAFE, UNSAFE):
            continue
        edits = _edits(text, fix)
        if edits is None:
            continue
        title = str(getattr(fix, "title", "Fix"))
        if applicability == UNSAFE:
            title += " (unsafe)"
        actions.append(Action(title, QUICKFIX, edits, diagnostic, preferred=number == 0 and applicability == SAFE))
    return actions


def fix_all(text: TextMap, diagnostics: Sequence[Diagnostic]) -> Action | None:
    """Every safe fix at once, the first of each diagnostic, skipping one that overlaps another already taken."""
    taken: list[TextEdit] = []
    for diagnostic in diagnostics:
        for fix in fixes_of(diagnostic):
            if getattr(fix, "applicability", SAFE) != SAFE:
                continue
            edits = _edits(text, fix)
            if edits is None or any(_overlap(e, t) for e in edits for t in taken):
                continue
            taken.extend(edits)
            break
    if not taken:
        return None
    return Action("Fix all safe worker-lint problems", FIX_ALL, tuple(sorted(taken)))


def _edits(text: TextMap, fix: Any) -> tuple[TextEdit, ...] | None:
    """A fix's edits in editor offsets: its ``start``/``end`` count code points of the decoded text."""
    out = []
    for edit in getattr(fix, "edits", ()):
        try:
            start, end, content = int(edit.start), int(edit.end), str(edit.content)
        except (AttributeError, TypeError, ValueError):
            return None
        out.append(TextEdit(text.from_yaml_offset(start), text.from_yaml_offset(end), content))
    return tuple(out) or None


def _overlap(a: TextEdit, b: TextEdit) -> bool:
    return (a.start < b.end and b.start < a.end) or (a.start == b.start and a.start == a.end == b.end)
