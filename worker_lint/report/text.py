"""The text and JSON renderers: pure functions from diagnostics to strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from worker_lint.core import safe_text
from worker_lint.core.diagnostic import Diagnostic, Severity
from worker_lint.report import indented_json

_COLOURS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def text(
    diagnostics: Sequence[Diagnostic],
    files_checked: int,
    colour: bool = False,
    unsafe: bool = False,
    summary: bool = True,
) -> str:
    """``path:line:col: severity CODE message``, the source line with a caret underline, and a summary.

    The first line of each diagnostic is the stable part editors match with a
    regular expression; the snippet below it is for people.  ``[*]`` after the
    code marks a diagnostic `--fix` would fix (with ``unsafe``, `--unsafe-fixes` too), as ruff marks it.
    Every string from a manifest, a file name or the environment is escaped first
    (``safe_text``), so each diagnostic's first line is exactly one line.
    """
    out: list[str] = []
    for d in safe_text.diagnostics(diagnostics):
        severity = d.severity.value
        mark = "[*] " if d.fixes and _fixable(d, unsafe) else ""
        head = f"{d.path}:{d.span.line}:{d.span.column}: {severity} {d.code} {mark}{d.message}"
        if colour:
            head = (
                f"{_BOLD}{d.path}:{d.span.line}:{d.span.column}:{_RESET} {_COLOURS[d.severity]}{severity}{_RESET}"
                f" {_BOLD}{d.code}{_RESET} {mark}{d.message}"
            )
        out.append(head)
        out.extend(_snippet(d, colour))
        for rel in d.related:
            out.append(f"    {d.path}:{rel.span.line}:{rel.span.column}: note: {rel.message}")
    if summary:  # `--quiet` leaves it out
        out.append(summary_line(diagnostics, files_checked))
        fixable = fixable_summary(diagnostics, unsafe)
        if fixable:
            out.append(fixable)
    return "".join(line + "\n" for line in out)


def _fixable(d: Diagnostic, unsafe: bool) -> bool:
    return any(f.applicability == "safe" or (unsafe and f.applicability == "unsafe") for f in d.fixes)


def fixable_summary(diagnostics: Sequence[Diagnostic], unsafe: bool = False) -> str:
    """``N fixable with --fix (M more with --unsafe-fixes)``, or nothing when no diagnostic has a fix to apply."""
    with_fixes = [d for d in diagnostics if d.fixes]
    if not with_fixes:
        return ""
    safe = sum(1 for d in with_fixes if _fixable(d, unsafe))
    more = 0 if unsafe else sum(1 for d in with_fixes if not _fixable(d, False) and _fixable(d, True))
    if not safe and not more:
        return ""
    if not safe:  # not "0 fixable with --fix (1 more ...)": say what does fix them
        return f"{more} fixable with --fix --unsafe-fixes."
    flag = "--fix --unsafe-fixes" if unsafe else "--fix"
    return f"{safe} fixable with {flag}" + (f" ({more} more with --unsafe-fixes)" if more else "") + "."


def _snippet(d: Diagnostic, colour: bool) -> list[str]:
    if d.source_line is None:
        return []
    raw = d.source_line.expandtabs(1)
    line, column = safe_text.snippet_line(raw, d.span.column)
    number = str(d.span.line)
    if d.span.end_line == d.span.line:
        width = max(1, safe_text.snippet_line(raw, d.span.end_column)[1] - column)
    else:
        width = max(1, len(line) - column + 1)
    caret = " " * (column - 1) + "^" * width
    if colour:
        caret = _COLOURS[d.severity] + caret + _RESET
        return [f"{_DIM}{number:>5} |{_RESET} {line}", f"{_DIM}{'':>5} |{_RESET} {caret}"]
    return [f"{number:>5} | {line}", f"{'':>5} | {caret}"]


def summary_line(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    counts = Counter(d.severity for d in diagnostics)
    files = f"{files_checked} file{'s' if files_checked != 1 else ''}"
    if not diagnostics:
        return f"No problems found in {files}."
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in Severity if counts[s]]
    with_problems = len({d.path for d in diagnostics})
    return f"Found {', '.join(parts)} in {with_problems} of {files}."


def statistics(diagnostics: Sequence[Diagnostic]) -> str:
    """Counts per rule, most frequent first (``--statistics``)."""
    counts = Counter((d.code, d.name, d.severity.value) for d in safe_text.diagnostics(diagnostics))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return "".join(f"{n:>6}  {code}  {name} ({severity})\n" for (code, name, severity), n in rows)


def as_dict(d: Diagnostic) -> dict[str, Any]:
    """The stable JSON shape of one diagnostic."""
    return {
        "path": d.path,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "severity": d.severity.value,
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "json_path": list(d.json_path),
        "document": d.document,
        "related": [
            {
                "line": r.span.line,
                "column": r.span.column,
                "end_line": r.span.end_line,
                "end_column": r.span.end_column,
                "message": r.message,
            }
            for r in d.related
        ],
        "fixes": [
            {
                "title": f.title,
                "applicability": f.applicability,
                "edits": [
                    {
                        "line": e.span.line,
                        "column": e.span.column,
                        "end_line": e.span.end_line,
                        "end_column": e.span.end_column,
                        "content": e.content,
                    }
                    for e in f.edits
                ],
            }
            for f in d.fixes
        ],
    }


def json_report(diagnostics: Sequence[Diagnostic]) -> str:
    """Every string escaped as in the text report (``safe_text``), so the report is valid UTF-8 whatever
    the file names, and no value's control characters reach a log that prints one of its strings."""
    return indented_json.dumps({"diagnostics": [as_dict(d) for d in safe_text.diagnostics(diagnostics)]}) + "\n"
