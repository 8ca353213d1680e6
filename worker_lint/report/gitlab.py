"""GitLab Code Quality: the JSON report a merge request's widget reads (`artifacts:reports:codequality`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint.core.diagnostic import Diagnostic, Severity
from worker_lint.report import fingerprints, indented_json, path_namer

#: GitLab's scale is info, minor, major, critical, blocker; a broken manifest blocks nothing by itself
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(diagnostics: Sequence[Diagnostic], rules: Mapping[str, Any], *, base: Path | None = None, **_: Any) -> str:
    """A JSON array of Code Climate issues with 1-based lines and a unique, line-independent fingerprint."""
    issues = []
    name = path_namer(base)
    for diagnostic, fingerprint in zip(diagnostics, fingerprints(diagnostics, base)):
        span = diagnostic.span
        issues.append(
            {
                "type": "issue",
                "check_name": diagnostic.code,
                "description": f"{diagnostic.code} {diagnostic.message} ({diagnostic.name})",
                "categories": ["Bug Risk"] if diagnostic.severity is Severity.ERROR else ["Style"],
                "severity": _SEVERITY[diagnostic.severity],
                # GitLab asks for an MD5-sized identifier; this is not a security use.
                "fingerprint": hashlib.md5(fingerprint.encode(), usedforsecurity=False).hexdigest(),
                "location": {
                    "path": name(diagnostic.path),
                    "lines": {"begin": span.line, "end": span.end_line},
                    "positions": {
                        "begin": {"line": span.line, "column": span.column},
                        "end": {"line": span.end_line, "column": span.end_column},
                    },
                },
            }
        )
    return indented_json.dumps(issues) + "\n"
