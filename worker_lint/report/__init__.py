"""CI report formats (sarif, github, gitlab, junit, rdjson): pure functions from diagnostics to text.

Every renderer takes the same diagnostics and keyword arguments, so one run
can be reported in any of them::

    render("sarif", diagnostics, rules, base=repo_root, suppressed=suppressed)

``rules`` is the catalogue (``catalogue.rules()``: code -> rule metadata);
``base`` is the folder file names are made relative to (the repository root
in CI); ``files`` lists every file linted, clean ones included, for formats
that report passes (junit).  The ``text`` and ``json`` formats live in
``worker_lint/report/text.py``.
"""

from __future__ import annotations

import enum
import importlib
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint.core.diagnostic import Diagnostic
from worker_lint.core.paths import relative

#: format name -> module in this package
FORMATS = {"sarif": "sarif", "github": "github", "gitlab": "gitlab", "junit": "junit", "rdjson": "rdjson"}
TOOL_NAME = "worker-lint"


def render(name: str, diagnostics: Sequence[Diagnostic], rules: Mapping[str, Any], **options: Any) -> str:
    """The report in format ``name``, every string from a manifest, a file name or the environment escaped.

    Escaping happens here, once for every format (``safe_text``): a value's
    line break can then never start a workflow command or a problem-matcher
    line, and a file name that is not UTF-8 never makes a report invalid.
    """
    from worker_lint.core import safe_text

    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    for key in ("suppressed", "baselined"):
        if key in options:
            options[key] = safe_text.diagnostics(options[key])
    if "files" in options:
        options["files"] = [safe_text.escape(str(f)) for f in options["files"]]
    return module.render(safe_text.diagnostics(diagnostics), rules, **options)  # type: ignore[no-any-return]


def default_format(environ: Mapping[str, str] | None = None) -> str | None:
    """``github`` inside GitHub Actions (annotations show on the pull request); otherwise no opinion."""
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else None


def relative_path(path: str, base: Path | None) -> str:
    """``path`` relative to ``base`` with `/` separators, when it lies inside it; standard input keeps its name."""
    return relative(path, base)


def path_namer(base: Path | None) -> Callable[[str], str]:
    """:func:`relative_path` for one report: a file's many diagnostics have its name worked out once."""
    names: dict[str, str] = {}

    def name(path: str) -> str:
        shown = names.get(path)
        if shown is None:
            shown = names[path] = relative_path(path, base)
        return shown

    return name


def fingerprints(diagnostics: Sequence[Diagnostic], base: Path | None) -> list[str]:
    """A stable identity per diagnostic that survives edits shifting lines.

    Built from the file, the rule, the JSON path (the message when there is
    none) and the diagnostic's rank among identical keys, so two identical
    problems in one file still get distinct fingerprints.
    """
    import hashlib  # loads OpenSSL: only the report formats that carry fingerprints pay for it

    seen: Counter[str] = Counter()
    out = []
    name = path_namer(base)
    for diagnostic in diagnostics:
        anchor = "/".join(str(p) for p in diagnostic.json_path) if diagnostic.json_path else diagnostic.message
        key = "\0".join((name(diagnostic.path), diagnostic.code, str(diagnostic.document), anchor))
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32])
    return out


def rule_text(meta: Any, field: str, default: str = "") -> str:
    """A field of a rule's metadata, whether the catalogue gives objects or mappings."""
    value = meta.get(field) if isinstance(meta, Mapping) else getattr(meta, field, None)
    if isinstance(value, enum.Enum):  # a Severity: its value, not "Severity.ERROR"
        value = value.value
    return str(value) if value not in (None, "") else default


def rule_help(meta: Any) -> str:
    """The rule page's body (Markdown), whatever the catalogue calls it."""
    for field in ("help", "body", "text", "doc"):
        text = rule_text(meta, field)
        if text:
            return text
    return ""
