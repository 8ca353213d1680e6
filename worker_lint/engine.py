"""One file end to end: decode, parse, scope, schema, checks, positions, suppressions, filters, order.

Everything a run knows across files (custom Stack definitions, Bundle
references already read) lives in one ``Project`` object; everything else is
per file, so files can be linted in any order or in parallel with the same
output.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worker_lint import catalogue, lazy_re, positions, schema
from worker_lint.checks import all_checks
from worker_lint.diagnostic import SNIPPET_MAX_WIDTH, Diagnostic, FileResult, Finding, JsonPath, RelatedLocation, Span
from worker_lint.parse import Document, parse
from worker_lint.resource import Resource, classify
from worker_lint.settings import Settings
from worker_lint.reading import read_manifest, read_or_none
from worker_lint.source import decode, normalize_breaks
from worker_lint.templating import is_templated

#: a DataOS resource's `type:` line, to tell a broken manifest from any other broken YAML file
_LOOKS_LIKE_DATAOS = lazy_re.compile(
    rb"^type:[ \t]*['\"]?(worker|bundle|workflow|service|stack|secret|instance-secret|depot|cluster|compute|"
    rb"database|lakehouse|volume|policy|monitor|pager|operator|lens|grant)['\"]?[ \t]*(#.*)?\r?$",
    re.MULTILINE)
#: codes whose finding already explains any shape error at the same path
_EXPLAINING = frozenset({"WL005", "WL006", "WL124", "WL303", "WL306"})
_SCHEMA_SHAPE_CODES = frozenset({"WL102", "WL103", "WL104", "WL105"})
#: body sections of other resource types, for the type/body mismatch rule
_WORKER_BODY_KEYS = ("worker", "spec")
_WORKER_VERSIONS = ("v1beta", "v2alpha")


@dataclass
class Project:
    """What one run knows across files."""

    settings: Settings
    #: custom Stack definitions (a ``worker_lint.stacks.StackRegistry`` once stacks are loaded)
    stacks: Any = None
    #: parsed files other files refer to, by resolved path (Bundle references)
    files: dict[Any, Any] = field(default_factory=dict)
    #: files linted or queued in this run, by resolved path
    seen: set[Path] = field(default_factory=set)
    #: files a linted file refers to (Bundle `file:` items), to be linted in this run too
    pending: list[Path] = field(default_factory=list)
    #: findings of Stack definitions registered before their own file was linted, by display path
    stack_findings: dict[str, list[tuple[Finding, Document | None]]] = field(default_factory=dict)

    def refer(self, path: Path) -> None:
        """Ask the run to lint ``path`` too (once), as pre-commit passes only the changed Bundle."""
        resolved = Path(os.path.realpath(path))  # never raises, even on a symbolic link loop
        if resolved not in self.seen:
            self.seen.add(resolved)
            self.pending.append(path)


@dataclass
class Context:
    """What a check may read besides the resource itself."""

    path: str
    settings: Settings
    project: Project
    document: Document | None = None

    def option(self, code: str, name: str, default: Any = None) -> Any:
        configured = self.settings.options.get(code, {})
        if name in configured:
            return configured[name]
        page_default = catalogue.rule(code).options.get(name, {}).get("default")
        return default if page_default is None else page_default


def lint_text(
    text: str | bytes,
    path: str = "<stdin>",
    settings: Settings | None = None,
    project: Project | None = None,
) -> list[Diagnostic]:
    """Lint one file's contents; ``path`` is only used for reporting and relative references."""
    return check_text(text, path, settings, project).diagnostics


def check_text(
    text: str | bytes,
    path: str = "<stdin>",
    settings: Settings | None = None,
    project: Project | None = None,
) -> FileResult:
    """Like ``lint_text``, with the diagnostics inline comments suppressed."""
    settings = settings or Settings()
    project = project or Project(settings)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        result = _lint_bytes(data, path, settings, project)
    except Exception as exc:  # a bug must cost one diagnostic, never the run
        return FileResult([_internal_error(path, "the linter", exc)])
    if settings.variables and settings.hidden_variables:  # a secret from the environment: its name, never its value
        from worker_lint.safe_text import redact, referenced

        used = referenced(data, {k: v for k, v in settings.variables.items() if k in settings.hidden_variables})
        if used:
            result = FileResult(redact(result.diagnostics, used), redact(result.suppressed, used))
    return result


def _lint_bytes(data: bytes, path: str, settings: Settings, project: Project) -> FileResult:
    findings: list[tuple[Finding, Document | None]] = []
    decoded = decode(data)
    if decoded.text is None:
        assert decoded.finding is not None
        # no text to check, but the lines around the bad bytes are still worth showing
        return _finish(path, "", [(decoded.finding, None)], settings,
                       shown=normalize_breaks(data.decode("utf-8", errors="replace")))
    text = decoded.text
    parsed = parse(text, settings.limits)
    documents = [(doc, _classify(doc)) for doc in parsed.documents]
    looks_like_dataos = _LOOKS_LIKE_DATAOS.search(data) is not None
    if parsed.findings and (looks_like_dataos or any(kind for _, kind in documents)):
        findings.extend((f, None) for f in _explain_syntax_errors(text, parsed.findings))
    _register_stacks(documents, path, project, findings)
    for doc, kind in documents:
        if kind is None:
            if doc.truncated and looks_like_dataos:  # too big or cyclic to classify: say why it was not checked
                findings.extend((f, doc) for f in doc.findings)
            continue
        ctx = Context(path, settings, project, doc)
        doc_findings = list(doc.findings)
        if not doc.truncated:
            data_root = doc.data
            if settings.variables is not None:
                data_root, rendered = _render(doc, settings.variables, text)
                doc_findings.extend(rendered)
            resource = Resource(data_root, doc.root, (), kind[0], kind[1], text, settings.variables)
            for res in _resources_in(resource):
                doc_findings.extend(_lint_resource(res, ctx))
        findings.extend((f, doc) for f in _explain(doc_findings))
    return _finish(path, text, findings, settings)


def _explain_syntax_errors(text: str, errors: list[Finding]) -> list[Finding]:
    """A syntax error caused by an old-style `{{name}}` placeholder is reported as that placeholder."""
    from worker_lint.templating import explain_syntax_error

    out: list[Finding] = []
    for error in errors:
        out.extend(explain_syntax_error(text, error) or [error])
    return out


def _classify(doc: Document) -> tuple[str, str | None] | None:
    return None if doc.truncated else classify(doc.data)


def _resources_in(res: Resource) -> Iterator[Resource]:
    """The resource itself, then every resource inlined in it (Bundle `resources[].spec`)."""
    yield res
    if res.kind != "bundle":
        return
    items = res.get("bundle", "resources")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        spec = item.get("spec") if isinstance(item, dict) else None
        kind = classify(spec)
        if kind is None:
            continue
        prefix = ("bundle", "resources", i, "spec")
        node = res.node_at(*prefix)
        if node is not None:
            yield Resource(spec, node, prefix, kind[0], kind[1], res.text, res.variables)


def _lint_resource(res: Resource, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    schema_name = schema.schema_name_for(res.kind, res.version)
    if res.kind == "worker":
        schema_name, version_finding = _worker_schema(res)
        if version_finding is not None:
            out.append(version_finding)
    mismatch = _body_mismatch(res)
    if mismatch is not None:
        out.append(mismatch)
    if schema_name is not None:
        for finding in schema.validate(schema_name, res.data, (), is_templated):
            if mismatch is not None and _mismatch_explains(finding, res, mismatch):
                continue
            out.append(finding)
    for spec in all_checks():
        if spec.kinds is not None and res.kind not in spec.kinds:
            continue
        try:
            out.extend(spec.func(res, ctx))
        except Exception as exc:
            out.append(Finding("WL900", (), f"internal error in the check for {', '.join(spec.codes)}: "
                               f"{type(exc).__name__}: {exc}; please report it", span=Span(1, 1, 1, 2)))
    if res.prefix:
        out = [_prefixed(f, res.prefix) for f in out]
    return out


def _worker_schema(res: Resource) -> tuple[str, Finding | None]:
    """The Worker schema to check against, chosen by `version` and, when they disagree, by the body section.

    A `v1beta` Worker with a `spec:` section (or `v2alpha` with `worker:`) is
    one mistake: it is reported once, and the body is still checked with the
    schema of the section it has, so its other problems are not hidden.
    """
    version = res.version
    has_worker, has_spec = "worker" in res.data, "spec" in res.data
    by_body = "v2alpha" if has_spec and not has_worker else "v1beta" if has_worker and not has_spec else None
    if version in _WORKER_VERSIONS:
        if by_body is None or by_body == version:
            return f"worker.{version}.schema.json", None
        section, wanted = ("spec", "worker") if by_body == "v2alpha" else ("worker", "spec")
        return f"worker.{by_body}.schema.json", Finding(
            "WL107", (section,), f"a `{version}` Worker keeps its runtime under `{wanted}:`; `{section}:` is the"
            f" `{by_body}` form: set `version: {by_body}` or rename the section to `{wanted}:`", at="key")
    by_body = by_body or "v1beta"
    if version is None:
        return f"worker.{by_body}.schema.json", None  # the schema reports the missing or mistyped version
    return f"worker.{by_body}.schema.json", Finding(
        "WL108", ("version",), f"`{version}` is not a Worker version; use `v1beta` (with a `worker:` section) or"
        f" `v2alpha` (with a `spec:` section); checked as {by_body}")


def _body_mismatch(res: Resource) -> Finding | None:
    """`type: worker` whose body section belongs to another type (`workflow:`, `volume:`)."""
    if res.kind != "worker" or any(k in res.data for k in _WORKER_BODY_KEYS):
        return None
    from worker_lint.resource import DATAOS_TYPES

    for key in res.data:
        if key in DATAOS_TYPES and key != "worker":
            expected = "spec" if res.version == "v2alpha" else "worker"
            return Finding("WL107", (key,), f"`type: worker` needs a `{expected}:` section, but this manifest has a"
                           f" `{key}:` section; fix `type` or the section", at="key")
    return None


def _mismatch_explains(finding: Finding, res: Resource, mismatch: Finding) -> bool:
    if finding.code == "WL102" and finding.path == mismatch.path:
        return True
    return finding.code == "WL101" and finding.path == () and finding.message.startswith(
        ("missing required field `worker`", "missing required field `spec`"))


def _prefixed(finding: Finding, prefix: JsonPath) -> Finding:
    related = tuple(r._replace(path=prefix + r.path) for r in finding.related)
    return finding._replace(path=prefix + finding.path, related=related)


def _explain(findings: list[Finding]) -> list[Finding]:
    """Drop shape errors on values another finding already explains (one cause, one diagnostic)."""
    explained = {path for f in findings if f.code in _EXPLAINING for path in (f.path, *(r.path for r in f.related))}
    if not explained:
        return findings
    return [f for f in findings if not (f.code in _SCHEMA_SHAPE_CODES and f.path in explained)]


def _render(doc: Document, variables: dict[str, str], text: str) -> tuple[Any, list[Finding]]:
    from worker_lint.templating import render

    rendered, findings = render(doc.root, doc.data, variables, text)
    return rendered, list(findings)


def _register_stacks(documents: list[tuple[Document, tuple[str, str | None] | None]], path: str,
                     project: Project, findings: list[tuple[Finding, Document | None]]) -> None:
    """Feed this file's Stack definitions to the run's registry before any Worker is checked."""
    stack_docs = [(doc, kind) for doc, kind in documents if kind is not None and kind[0] == "stack"]
    if not stack_docs:
        return
    registry = project_stacks(project)
    if path in project.stack_findings:
        findings.extend(project.stack_findings.pop(path))
        return
    for doc, kind in stack_docs:
        assert kind is not None
        res = Resource(doc.data, doc.root, (), kind[0], kind[1], "")
        findings.extend((f, doc) for f in registry.add_definition(res, path))


def project_stacks(project: Project) -> Any:
    """The run's Stack registry, created on first use (most runs define no Stack)."""
    if project.stacks is None:
        from worker_lint.stacks import StackRegistry

        project.stacks = StackRegistry()
    return project.stacks


def _finish(path: str, text: str, findings: list[tuple[Finding, Document | None]], settings: Settings,
            shown: str | None = None) -> FileResult:
    from worker_lint.config import is_selected

    lines = (text if shown is None else shown).split("\n") if findings or "worker-lint:" in text else []
    diagnostics = [_place(path, text, finding, doc, settings, lines) for finding, doc in findings]
    suppressed: list[Diagnostic] = []
    if "worker-lint:" in text:
        # suppressions see every diagnostic, so a directive for a deselected rule is not called unused
        from worker_lint import suppress

        kept, suppressed, own = suppress.apply(text, diagnostics, selected=lambda code: is_selected(code, settings, path),
                                               known_codes=catalogue.codes())
        diagnostics = list(kept) + [_place(path, text, f, None, settings, lines) for f in own]
    diagnostics = [d for d in set(diagnostics) if is_selected(d.code, settings, path)]
    return FileResult(sorted(diagnostics, key=Diagnostic.sort_key),
                      sorted((d for d in suppressed if is_selected(d.code, settings, path)), key=Diagnostic.sort_key))


def _place(path: str, text: str, finding: Finding, doc: Document | None, settings: Settings,
           lines: list[str]) -> Diagnostic:
    rule = catalogue.rule(finding.code)
    if finding.span is not None or doc is None:
        span = finding.span or Span(1, 1, 1, 2)
    else:
        span = positions.resolve(doc.root, finding.path, finding.at, text, finding.substring)
    related = tuple(
        RelatedLocation(positions.resolve(doc.root, r.path, r.at, text), r.message)
        for r in finding.related
    ) if doc is not None else ()
    return Diagnostic(
        path=path, span=span, code=finding.code, name=rule.name,
        severity=settings.severity.get(finding.code, rule.severity), message=finding.message,
        json_path=finding.path, document=doc.index if doc is not None else 0, related=related,
        source_line=_source_line(lines, span.line),
    )


def _source_line(lines: list[str], number: int) -> str | None:
    line = lines[number - 1].rstrip("\r") if 1 <= number <= len(lines) else None
    return line if line is not None and len(line) <= SNIPPET_MAX_WIDTH else None


def _internal_error(path: str, where: str, exc: BaseException) -> Diagnostic:
    rule = catalogue.rule("WL900")
    return Diagnostic(path=path, span=Span(1, 1, 1, 2), code="WL900", name=rule.name, severity=rule.severity,
                      message=f"internal error in {where}: {type(exc).__name__}: {exc}; please report it")


# ---------------------------------------------------------------- many files


def lint_file(display: str, settings: Settings, project: Project) -> list[Diagnostic]:
    """Lint one file by its path (the display path, as reported)."""
    data = read_manifest(Path(display), settings.max_file_size)
    if isinstance(data, Finding):
        return [file_problem(display, data.code, data.message)]
    return lint_text(data, display, settings, project)


def file_problem(path: str, code: str, message: str) -> Diagnostic:
    """A diagnostic about the file itself (it cannot be read), placed on its first line."""
    rule = catalogue.rule(code)
    return Diagnostic(path=path, span=Span(1, 1, 1, 2), code=code, name=rule.name, severity=rule.severity,
                      message=message)


def lint_paths(paths: Iterable[str], settings: Settings, jobs: int | str | None = 1) -> Iterator[tuple[str, list[Diagnostic]]]:
    """Lint every file under ``paths`` (and the files their Bundles name), yielding ``(display path, diagnostics)``."""
    from worker_lint.files import collect
    from worker_lint.runner import Options, run

    files = collect(list(paths), settings)
    for display, result in run(files, settings, Options(jobs=jobs)):
        yield display, result.diagnostics




def prescan_stacks(files: Sequence[str], settings: Settings, project: Project) -> None:
    """Register Stack definitions before any Worker is linted, wherever they sit."""
    for display in files:
        data = read_or_none(Path(display), settings.max_file_size)
        if data is None:
            continue
        decoded = decode(data)
        if decoded.text is None:
            continue
        parsed = parse(decoded.text, settings.limits)
        documents = [(doc, _classify(doc)) for doc in parsed.documents]
        collected: list[tuple[Finding, Document | None]] = []
        _register_stacks(documents, display, project, collected)
        project.stack_findings[display] = collected
