"""JUnit XML: one test case per linted file, one failure per diagnostic in it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Diagnostic
from worker_lint.report import TOOL_NAME, path_namer

# XML 1.0 cannot carry most control characters, even escaped; they are shown as \xNN instead.
_NOT_XML = lazy_re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Any],
    *,
    base: Path | None = None,
    files: Sequence[str | Path] = (),
    **_: Any,
) -> str:
    """``files`` adds passing test cases for clean files; files with diagnostics are always listed."""
    shown = path_namer(base)
    by_file: dict[str, list[Diagnostic]] = {shown(str(f)): [] for f in files}
    for diagnostic in diagnostics:
        by_file.setdefault(shown(diagnostic.path), []).append(diagnostic)
    failing = sum(1 for found in by_file.values() if found)
    suites = ET.Element("testsuites", name=TOOL_NAME, tests=str(len(by_file)), failures=str(failing), errors="0")
    suite = ET.SubElement(
        suites, "testsuite", name=TOOL_NAME, tests=str(len(by_file)), failures=str(failing), errors="0", skipped="0"
    )
    for name in sorted(by_file):
        case = ET.SubElement(suite, "testcase", name=_clean(name), classname=TOOL_NAME, file=_clean(name))
        for d in by_file[name]:
            where = f"{d.span.line}:{d.span.column}"
            failure = ET.SubElement(case, "failure", type=d.code, message=_clean(f"{where}: {d.message}"))
            failure.text = _clean(f"{name}:{where}: {d.severity.value} [{d.code}] {d.message} ({d.name})")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
