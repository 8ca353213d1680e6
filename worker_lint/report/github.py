"""GitHub Actions workflow commands: one `::error file=...::message` annotation per diagnostic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint.core.diagnostic import Diagnostic, Severity
from worker_lint.report import TOOL_NAME, path_namer

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Any], *, base: Path | None = None, **_: Any) -> str:
    """``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::message`` lines.

    Columns are 1-based and ``endColumn`` is exclusive, as in every other
    format; GitHub draws the annotation on the pull request's diff.
    """
    lines = []
    name = path_namer(base)
    for d in diagnostics:
        span = d.span
        properties = [
            ("file", name(d.path)),
            ("line", str(span.line)),
            ("col", str(span.column)),
            ("endLine", str(span.end_line)),
            ("endColumn", str(span.end_column)),
            ("title", f"{TOOL_NAME} {d.code} ({d.name})"),
        ]
        head = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        lines.append(f"::{_COMMAND[d.severity]} {head}::{escape_data(d.message)}")
    return "".join(line + "\n" for line in lines)


def escape_data(text: str) -> str:
    """Escape a command's message: `%`, CR and LF would otherwise end or corrupt the command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: also `:` and `,`, which separate the properties themselves."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
