"""Checks shared by the robustness tests: a diagnostic is well-formed when it sits inside its file."""

from __future__ import annotations

import re
from typing import Any

from worker_lint import catalogue
from worker_lint.core.diagnostic import Diagnostic

SEVERITIES = {"error", "warning", "info"}


#: the line breaks editors count, and so every reported position: CRLF, CR, LF (NEL, LS and PS,
#: breaks to the C parser, are not)
_BREAKS = re.compile("\r\n|[\r\n]")


def lines_of(data: bytes) -> list[str]:
    """The file's lines as positions count them: decoded leniently, split where an editor breaks lines."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return _BREAKS.split(text)


def span_problems(lines: list[str], line: int, column: int, end_line: int, end_column: int) -> list[str]:
    """Why a 1-based, end-exclusive span does not fit in ``lines`` (empty when it does)."""
    problems = []
    if not 1 <= line <= len(lines):
        problems.append(f"line {line} outside 1..{len(lines)}")
    elif not 1 <= column <= len(lines[line - 1]) + 1:
        problems.append(f"column {column} outside 1..{len(lines[line - 1]) + 1} on line {line}")
    if not line <= end_line <= len(lines) + 1:
        problems.append(f"end line {end_line} before line {line} or past the end")
    elif end_line == line and end_column < column:
        problems.append(f"end column {end_column} before column {column}")
    elif end_line <= len(lines) and not 1 <= end_column <= len(lines[end_line - 1]) + 2:
        problems.append(f"end column {end_column} outside line {end_line}")
    return problems


def diagnostic_problems(d: Diagnostic, data: bytes) -> list[str]:
    """Problems with one diagnostic of the engine for a file holding ``data``."""
    rules = catalogue.rules()
    problems = []
    if d.code not in rules:
        problems.append(f"unknown code {d.code}")
    elif d.name != rules[d.code].name:
        problems.append(f"name {d.name} is not {rules[d.code].name}")
    if d.code == "WL900":
        problems.append(f"internal error: {d.message}")
    if not d.message:
        problems.append("empty message")
    lines = lines_of(data)
    placed = span_problems(lines, d.span.line, d.span.column, d.span.end_line, d.span.end_column)
    problems += placed
    for rel in d.related:
        problems += [
            f"related: {p}"
            for p in span_problems(lines, rel.span.line, rel.span.column, rel.span.end_line, rel.span.end_column)
        ]
    return [f"{d.code} at {d.span.line}:{d.span.column}: {p}" for p in problems]


def json_problems(item: dict[str, Any], data: bytes) -> list[str]:
    """Problems with one diagnostic of the CLI's JSON report for a file holding ``data``."""
    rules = catalogue.rules()
    problems = []
    code = item.get("code")
    if code not in rules:
        problems.append(f"unknown code {code}")
    elif item.get("name") != rules[code].name:
        problems.append(f"name {item.get('name')} is not {rules[code].name}")
    if code == "WL900":
        problems.append(f"internal error: {item.get('message')}")
    if item.get("severity") not in SEVERITIES:
        problems.append(f"severity {item.get('severity')}")
    if not item.get("message"):
        problems.append("empty message")
    lines = lines_of(data)
    placed = span_problems(lines, item["line"], item["column"], item["end_line"], item["end_column"])
    problems += placed
    return [f"{code} at {item.get('line')}:{item.get('column')}: {p}" for p in problems]
