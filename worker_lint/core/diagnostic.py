"""The value types every stage of the pipeline passes along: findings and diagnostics.

They are named tuples rather than frozen dataclasses: every run creates these
classes at start-up, and a frozen dataclass costs several times as much to
create, which a cold run on one file noticeably paid for.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from worker_lint.core.fix import Fix, FixSpec

#: A JSON path into a document: mapping keys and sequence indexes.
JsonPath = tuple[str | int, ...]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: a source line longer than this is data, not something to show under a diagnostic
SNIPPET_MAX_WIDTH = 200


class Span(NamedTuple):
    """A 1-based, end-inclusive-start / end-exclusive-column region of a file.

    ``end_column`` points one past the last character, so a one-character
    token at column 5 has ``column=5, end_column=6`` (the SARIF convention).
    """

    line: int
    column: int
    end_line: int
    end_column: int


class Related(NamedTuple):
    """A second location a finding points at, such as the limit a request exceeds."""

    path: JsonPath
    message: str
    at: Literal["key", "value"] = "value"


class Within(NamedTuple):
    """Characters ``[start, stop)`` of a scalar's value (as the rules read it), where a finding points.

    Escapes, quotes, folding and indentation stand between a value and the file;
    ``worker_lint.document.scalar_map`` places these offsets on the file's lines.
    """

    start: int
    stop: int


class Finding(NamedTuple):
    """What a rule reports: a rule code, a JSON path and a message; no positions.

    ``at`` chooses whether the key or the value of the node at ``path`` is
    highlighted.  ``substring`` narrows a value's span to the first occurrence
    of that text inside the scalar (a placeholder inside a longer string).
    ``within`` narrows it to characters of the value, by offset (a script's
    syntax error).  ``span`` is used as is when a rule already knows the exact region (parse
    errors, raw-text scans); then ``path`` is informative only.

    ``explains`` and ``subject`` say which findings are one cause (see
    ``worker_lint.checks``): a check declared with ``hides=`` hides those
    codes at the paths its findings explain, which are ``explains`` when
    given, else the finding's own path and related paths; a hidden finding is
    one at such a path, or whose ``subject`` (what a finding shown elsewhere
    is about: a missing field's own path) is one.
    """

    code: str
    path: JsonPath
    message: str
    at: Literal["key", "value"] = "value"
    substring: str | None = None
    related: tuple[Related, ...] = ()
    span: Span | None = None
    #: ways to fix it, the preferred first, as intents over JSON paths (worker_lint.core.fix)
    fixes: tuple[FixSpec, ...] = ()
    #: the paths this finding explains, when not its own path and related paths
    explains: tuple[JsonPath, ...] = ()
    #: the path this finding is about, when it is shown elsewhere (a missing field, on its parent's key)
    subject: JsonPath | None = None
    #: characters of the value at ``path`` the finding points at (offsets into the string the rule read)
    within: Within | None = None


class RelatedLocation(NamedTuple):
    span: Span
    message: str


class Diagnostic(NamedTuple):
    """A finding placed in a file, with its rule's name and effective severity."""

    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    json_path: JsonPath = ()
    document: int = 0
    related: tuple[RelatedLocation, ...] = ()
    suppression_reason: str | None = None
    #: the line the span starts on, for the text report's snippet: kept with the diagnostic (and in the
    #: cache) so that reporting never reads the file again; None when there is none to show
    source_line: str | None = None
    #: ways to fix it, the preferred first, as exact text edits (worker_lint.core.fix)
    fixes: tuple[Fix, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


class FileResult(NamedTuple):
    """One file's outcome: what is reported, and what inline comments suppressed (kept for SARIF)."""

    diagnostics: Sequence[Diagnostic]
    suppressed: Sequence[Diagnostic] = ()
    #: the content digest of the bytes linted, when the run knows it: a fix applies to those bytes only
    digest: bytes | None = None
    #: the files the result was computed from besides this one (a Bundle's `file:` targets), resolved: when
    #: one of them changes, so may the result (an editor lints the file again)
    references: tuple[str, ...] = ()
