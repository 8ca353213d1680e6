"""reviewdog's Diagnostic Format (rdjson): one JSON object reviewdog reads with `-f=rdjson`.

Positions are 1-based with an exclusive end, as in every other format, but
reviewdog counts columns in UTF-8 bytes, not characters: a column after a
non-ASCII character moves.  Each diagnostic with a fix that `--fix` or
`--unsafe-fixes` would apply carries that fix's edits as ``suggestions``,
which reviewdog turns into suggested changes on a pull request.  Display-only
fixes (a placeholder value to fill in) are not suggested: committing one
would not fix anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint.core.diagnostic import Diagnostic, Severity, Span
from worker_lint.report import TOOL_NAME, indented_json, path_namer

_SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
#: the fixes reviewdog may suggest, in the order `--fix` prefers them
_APPLICABLE = ("safe", "unsafe")


def render(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Any], *, base: Path | None = None, **_: Any) -> str:
    """``{"source": ..., "diagnostics": [...]}`` with byte columns and suggestions."""
    lines = _Lines()
    out = []
    name = path_namer(base)
    for d in diagnostics:
        path = name(d.path)
        item: dict[str, Any] = {
            "message": d.message,
            "location": {"path": path, "range": _range(d.span, d, lines)},
            "severity": _SEVERITY[d.severity],
            "source": {"name": TOOL_NAME},
            "code": {"value": d.code},
        }
        fix = next((f for f in d.fixes if f.applicability in _APPLICABLE), None)
        if fix is not None:
            item["suggestions"] = [{"range": _range(e.span, d, lines), "text": e.content} for e in fix.edits]
        if d.related:
            item["related_locations"] = [
                {"message": r.message, "location": {"path": path, "range": _range(r.span, d, lines)}} for r in d.related
            ]
        out.append(item)
    report = {"source": {"name": TOOL_NAME}, "diagnostics": out}
    return indented_json.dumps(report) + "\n"


def _range(span: Span, d: Diagnostic, lines: _Lines) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": span.line, "column": lines.byte_column(d, span.line, span.column)},
        "end": {"line": span.end_line, "column": lines.byte_column(d, span.end_line, span.end_column)},
    }


class _Lines:
    """The text of the lines positions fall on, to count UTF-8 bytes.

    The line a diagnostic starts on travels with it (``source_line``); any other
    line (a range's end, a fix elsewhere) is read from the file, once per file,
    and only when needed.  A file that cannot be read again (standard input, a
    file gone or changed since) keeps character columns, which are byte columns on ASCII lines.
    """

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def byte_column(self, d: Diagnostic, line: int, column: int) -> int:
        text = d.source_line if line == d.span.line and d.source_line is not None else self._line(d, line)
        if text is None or text.isascii():
            return column
        return len(text[: column - 1].encode("utf-8", "surrogatepass")) + max(0, column - 1 - len(text)) + 1

    def _line(self, d: Diagnostic, line: int) -> str | None:
        if d.source_line is None:  # a problem of the file itself (unreadable, a pipe, too big): nothing to count
            return None
        if d.path not in self._files:
            found = _read_lines(d.path)
            # the file on disk must be the text linted: standard input named after a file is not
            if found is not None and d.source_line is not None and d.source_line not in found:
                found = None
            self._files[d.path] = found
        found = self._files[d.path]
        return found[line - 1] if found is not None and 0 < line <= len(found) else None


def _read_lines(path: str) -> list[str] | None:
    """The file's lines, read as the linter reads files: a regular file, bounded, never a pipe or a device."""
    from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE
    from worker_lint.document.reading import read_or_none

    data = read_or_none(Path(path), DEFAULT_MAX_FILE_SIZE)
    try:
        text = data.decode("utf-8-sig") if data is not None else None
    except UnicodeDecodeError:
        return None
    if text is None:
        return None
    return text.replace("\r\n", "\n").split("\n")
