"""SARIF 2.1.0, as GitHub code scanning reads it: rules with help, relative URIs, regions, fingerprints."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from worker_lint import __version__
from worker_lint.core.diagnostic import Diagnostic, Severity, Span
from worker_lint.report import TOOL_NAME, fingerprints, indented_json, path_namer, rule_help, rule_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "worker-lint/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(
    diagnostics: Sequence[Diagnostic],
    rules: Mapping[str, Any],
    *,
    base: Path | None = None,
    suppressed: Sequence[Diagnostic] = (),
    baselined: Sequence[Diagnostic] = (),
    version: str = __version__,
    **_: Any,
) -> str:
    """One run holding every rule of the catalogue and a result per diagnostic.

    Suppressed diagnostics are included with an ``inSource`` suppression (and
    the comment's reason as its justification), baselined ones with an
    ``external`` suppression, so code scanning shows them as dismissed rather
    than forgetting them.
    """
    root = Path(os.path.abspath(base) if base is not None else os.getcwd())
    descriptors, index = _rules(rules, [*diagnostics, *suppressed, *baselined])
    every = [*diagnostics, *suppressed, *baselined]
    prints = fingerprints(every, root)
    artifact = _artifacts(root)
    results = []
    for position, diagnostic in enumerate(every):
        result = _result(diagnostic, index[diagnostic.code], prints[position], artifact)
        if position >= len(diagnostics) + len(suppressed):
            result["suppressions"] = [{"kind": "external", "justification": "recorded in the baseline"}]
        elif position >= len(diagnostics):
            suppression: dict[str, Any] = {"kind": "inSource"}
            if diagnostic.suppression_reason:
                suppression["justification"] = diagnostic.suppression_reason
            result["suppressions"] = [suppression]
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": version,
                        "semanticVersion": version,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {BASE_ID: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return indented_json.dumps(log) + "\n"


def _rules(rules: Mapping[str, Any], diagnostics: Sequence[Diagnostic]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for code in sorted(rules):
        index[code] = len(descriptors)
        descriptors.append(_descriptor(code, rules[code]))
    for diagnostic in diagnostics:  # a code outside the catalogue still needs a descriptor to be valid
        if diagnostic.code not in index:
            index[diagnostic.code] = len(descriptors)
            descriptors.append(
                _descriptor(diagnostic.code, {"name": diagnostic.name, "severity": diagnostic.severity.value})
            )
    return descriptors, index


def _descriptor(code: str, meta: Any) -> dict[str, Any]:
    name = rule_text(meta, "name", code)
    summary = rule_text(meta, "summary", name)
    fix = rule_text(meta, "fix")
    body = rule_help(meta)
    full = _section(body, "What it does") or " ".join(part for part in (summary, fix) if part)
    help_markdown = body or "\n\n".join(part for part in (summary, fix) if part)
    level = _LEVEL.get(Severity(rule_text(meta, "severity", "error")), "error")
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": _plain(help_markdown), "markdown": help_markdown},
        "defaultConfiguration": {"level": level},
    }


def _section(markdown: str, title: str) -> str:
    """The first paragraph under ``## title`` in a rule page, flattened to one line."""
    match = re.search(rf"^##\s+{re.escape(title)}\s*\n+(.+?)(?:\n\s*\n|\n#|\Z)", markdown, re.M | re.S)
    return " ".join(match.group(1).split()) if match else ""


def _plain(markdown: str) -> str:
    """Markdown to readable plain text for viewers without Markdown: drop fences and emphasis marks."""
    lines = [line for line in markdown.splitlines() if not line.startswith("```")]
    text = "\n".join(lines)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    return re.sub(r"`([^`]*)`", r"\1", text).strip()


#: a file's artifact location in the report, by its path as diagnostics name it
Artifacts = Callable[[str], dict[str, Any]]


def _result(diagnostic: Diagnostic, rule_index: int, fingerprint: str, artifact: Artifacts) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": _physical(diagnostic.path, diagnostic.span, artifact)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if diagnostic.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": _physical(diagnostic.path, related.span, artifact),
                "message": {"text": related.message},
            }
            for number, related in enumerate(diagnostic.related, start=1)
        ]
    if diagnostic.fixes:
        # every fix, the preferred first; SARIF has no applicability, so a property says it
        result["fixes"] = [
            {
                "description": {"text": fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": artifact(diagnostic.path),
                        "replacements": [
                            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.content}}
                            for edit in fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": fix.applicability},
            }
            for fix in diagnostic.fixes
        ]
    return result


def _region(span: Span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _physical(path: str, span: Span, artifact: Artifacts) -> dict[str, Any]:
    return {
        "artifactLocation": artifact(path),
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        },
    }


def _artifacts(root: Path) -> Artifacts:
    """Artifact locations for one report: a file's many results and fixes have its URI worked out once."""
    name = path_namer(root)
    known: dict[str, dict[str, Any]] = {}

    def artifact(path: str) -> dict[str, Any]:
        found = known.get(path)
        if found is None:
            found = known[path] = _artifact(name(path))
        return dict(found)  # each location its own mapping, as if made afresh

    return artifact


def _artifact(relative: str) -> dict[str, Any]:
    if relative.startswith("<"):
        return {"uri": quote(relative.strip("<>"))}
    if relative.startswith("/"):
        return {"uri": Path(relative).as_uri()}  # outside the repository: an absolute file URI
    return {"uri": quote(relative), "uriBaseId": BASE_ID}
