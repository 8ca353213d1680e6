"""One file end to end: decode, parse, scope, checks, explanations, positions, suppressions, filters, order.

The pipeline only: every rule is a check in ``worker_lint.checks``, and which
finding explains which is declared there.  Everything a run knows across
files (custom Stack definitions, Bundle references already read) lives in one
``Project`` object; everything else is per file, so files can be linted in
any order or in parallel with the same output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from worker_lint import catalogue
from worker_lint.checks import YAML_LAYER_HIDES, CheckSpec, checks_for, stream_checks
from worker_lint.checks.context import Context, Project, Stream
from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import (
    SNIPPET_MAX_WIDTH,
    Diagnostic,
    FileResult,
    Finding,
    JsonPath,
    RelatedLocation,
    Span,
)
from worker_lint.core.settings import Settings
from worker_lint.dataos.resource import Resource, classify, looks_like_dataos
from worker_lint.document import positions
from worker_lint.document.parse import Document, parse
from worker_lint.document.reading import read_or_none
from worker_lint.document.source import decode, editor_breaks

#: a finding, the codes it hides where it explains (empty for most), and the check it comes from (0: the parser)
Explaining = tuple[Finding, frozenset[str], int]
_NOTHING: frozenset[str] = frozenset()


def check_text(
    text: str | bytes,
    path: str = "<stdin>",
    settings: Settings | None = None,
    project: Project | None = None,
) -> FileResult:
    """Lint one file's contents (``path`` is for reports and relative references): what is reported, and
    what inline comments suppressed."""
    settings = settings or Settings()
    project = project or Project(settings)
    data = text.encode("utf-8") if isinstance(text, str) else text
    result = _guarded(data, path, settings, lambda: _lint_bytes(data, path, settings, project))
    assert isinstance(result, FileResult)  # nothing waits unless the project says so
    return result


class Suspended:
    """A file whose checks wait for something the run gets ready for many files at once (``Project.waiting_for``):
    ``resume()`` runs them again and gives the file's result, as ``check_text`` would have."""

    def __init__(self, data: bytes, path: str, settings: Settings, finish: Callable[[], FileResult]) -> None:
        self._data, self._path, self._settings, self._finish = data, path, settings, finish

    def resume(self) -> FileResult:
        result = _guarded(self._data, self._path, self._settings, self._finish)
        assert isinstance(result, FileResult)
        return result


def start_text(data: bytes, path: str, settings: Settings, project: Project) -> FileResult | Suspended:
    """As ``check_text``, except that a file whose checks wait (``Project.waiting_for``) comes back
    ``Suspended``, its document kept to resume them."""
    return _guarded(data, path, settings, lambda: _lint_bytes(data, path, settings, project))


def _guarded(
    data: bytes, path: str, settings: Settings, lint: Callable[[], FileResult | Suspended]
) -> FileResult | Suspended:
    try:
        result = lint()
    except Exception as exc:  # a bug must cost one diagnostic, never the run
        return FileResult([_internal_error(path, "the linter", exc)])
    if isinstance(result, FileResult) and settings.variables and settings.hidden_variables:
        # a secret from the environment: its name, never its value
        from worker_lint.core.safe_text import redact, referenced

        used = referenced(data, {k: v for k, v in settings.variables.items() if k in settings.hidden_variables})
        if used:
            result = FileResult(redact(result.diagnostics, used), redact(result.suppressed, used))
    return result


def _lint_bytes(data: bytes, path: str, settings: Settings, project: Project) -> FileResult | Suspended:
    findings: list[tuple[Finding, Document | None]] = []
    decoded = decode(data)
    if decoded.text is None:
        assert decoded.finding is not None
        # no text to check, but the lines around the bad bytes are still worth showing
        return _finish(
            path, "", [(decoded.finding, None)], settings, shown=editor_breaks(data.decode("utf-8", errors="replace"))
        )
    text = decoded.text
    # NEL, LS and PS are line breaks to the parser, not to editors: positions are mapped to the editor's lines
    editor = _editor_lines(data, text) if positions.EditorLines.needed(data) else None
    parsed = parse(text, settings.limits)
    documents = [(doc, _classify(doc)) for doc in parsed.documents]
    # what a document that could not be read into data is: a tolerant look at the text decides
    unknown = bool(parsed.findings) or any(doc.truncated for doc in parsed.documents)
    dataos = unknown and (any(kind for _, kind in documents) or looks_like_dataos(text))
    if parsed.findings and dataos:
        after = max((doc.root.end_mark.line + 1 for doc in parsed.documents), default=0)
        findings.extend((f, None) for f in _lint_stream(Stream(text, parsed.findings, after)))
    _register_stacks(documents, path, project)
    #: the documents whose checks wait: their context, their findings so far, and where theirs go in ``findings``
    waiting: list[tuple[Context, list[Explaining], int]] = []
    for doc, kind in documents:
        if kind is None:
            if doc.truncated and dataos:  # too big or cyclic to classify: say why it was not checked
                findings.extend((f, doc) for f in doc.findings)
            continue
        ctx = Context(path, settings, project, doc)
        found = _lint_document(ctx, kind, text)
        if ctx.resumable:
            waiting.append((ctx, found, len(findings)))
        else:
            findings.extend((f, doc) for f in _explain(found))

    def finish() -> FileResult:
        for ctx, found, at in reversed(waiting):
            resumable, ctx.resumable = ctx.resumable, []
            for res, spec in resumable:
                found.extend(_lint_resource(res, ctx, [spec]))
            findings[at:at] = [(f, ctx.document) for f in _explain(found)]
        return _finish(path, text, findings, settings, editor=editor)

    return Suspended(data, path, settings, finish) if waiting else finish()


def _lint_document(ctx: Context, kind: tuple[str, str | None], text: str) -> list[Explaining]:
    """One DataOS document: what the YAML layer saw and every check on each of its resources (the checks
    that wait noted in ``ctx.resumable``), before what is explained is dropped."""
    doc, variables = ctx.document, ctx.settings.variables
    assert doc is not None
    found: list[Explaining] = [(f, YAML_LAYER_HIDES.get(f.code, _NOTHING), 0) for f in doc.findings]
    if not doc.truncated:
        data_root = doc.data
        if variables is not None:
            from worker_lint.dataos.variables import render

            data_root, ctx.rendering = render(doc.root, doc.data, variables, text)
        resource = Resource(data_root, doc.root, (), kind[0], kind[1], text, variables)
        resources = [
            (res, _selected_checks(ctx.settings, ctx.path, ctx.project, res.kind)) for res in _resources_in(resource)
        ]
        for res, checks in resources:
            _prepare(res, ctx, checks)
        for res, checks in resources:
            found.extend(_lint_resource(res, ctx, checks))
    return found


def _editor_lines(data: bytes, text: str) -> positions.EditorLines:
    original = data.decode("utf-8")  # it decoded once already, so it does again
    return positions.EditorLines(original[1:] if original.startswith("\ufeff") else original, text)


#: how messages name a second place (a syntax error's context, a first definition, a directive's target):
#: numbers written by the parser's count, renumbered with the span
_PLACE_IN_MESSAGE = lazy_re.compile(
    r"\b(at line |on line |first defined on line |first used on line )([0-9]{1,9})"
    r"(, column ([0-9]{1,9}))?"
)


def _to_editor(diagnostic: Diagnostic, editor: positions.EditorLines) -> Diagnostic:
    """A diagnostic placed by the parser's line count, placed by the editor's."""
    span = editor.span(diagnostic.span)

    def renumber(match: re.Match[str]) -> str:
        line, column = editor.point(int(match.group(2)), int(match.group(4) or 1))
        return f"{match.group(1)}{line}" + (f", column {column}" if match.group(3) else "")

    return diagnostic._replace(
        span=span,
        message=_PLACE_IN_MESSAGE.sub(renumber, diagnostic.message),
        related=tuple(r._replace(span=editor.span(r.span)) for r in diagnostic.related),
        fixes=tuple(
            f._replace(edits=tuple(e._replace(span=editor.span(e.span)) for e in f.edits)) for f in diagnostic.fixes
        ),
        source_line=_source_line([editor.line(span.line) or ""], 1) if editor.line(span.line) is not None else None,
    )


def _selected_checks(settings: Settings, path: str, project: Project, kind: str) -> list[CheckSpec]:
    """The checks of resources of ``kind`` with at least one code reported in this file: the others would
    only be filtered out.

    A check that hides other findings runs in any case: what it explains stays explained.

    Without `per-file-ignores` the answer is the same for every file of a configuration, so it is
    worked out once per run, configuration and resource type; a type no file has is never asked
    about, and the modules of its checks never imported.
    """
    from worker_lint.config import is_selected

    key = (id(settings), path if settings.per_file_ignores else "", kind)
    found = project.selected_checks.get(key)
    if found is None:
        found = project.selected_checks[key] = [
            spec
            for spec in checks_for(kind)
            if spec.hides or any(is_selected(code, settings, path) for code in spec.codes)
        ]
        policies = [policy for policy in settings.policies if is_selected(policy.code, settings, path)]
        if policies:
            from worker_lint.checks.policies import policy_check

            found.append(policy_check(policies))
    return found


def _lint_stream(stream: Stream) -> list[Finding]:
    """The stream's syntax errors, and what the stream checks read past them."""
    found = list(stream.errors)
    for spec in stream_checks():
        try:
            own = list(spec.func(stream))
        except Exception as exc:  # a bug in one check costs one finding, never the run
            own = [_check_failed(spec.codes, exc)]
        else:
            _check_declared(spec.codes, own)
        found.extend(own)
    return found


def _classify(doc: Document) -> tuple[str, str | None] | None:
    return None if doc.truncated else classify(doc.data)


def _resources_in(res: Resource) -> Iterator[Resource]:
    """The resource itself, then every resource inlined in it (Bundle `resources[].spec`)."""
    yield res
    if res.kind != "bundle":
        return
    from worker_lint.dataos.bundle import ITEMS

    items = res.get(*ITEMS)
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        spec = item.get("spec") if isinstance(item, dict) else None
        kind = classify(spec)
        if kind is None or not isinstance(spec, dict):
            continue
        prefix = (*ITEMS, i, "spec")
        node = res.node_at(*prefix)
        if node is not None:
            yield Resource(spec, node, prefix, kind[0], kind[1], res.text, res.variables)


def _prepare(res: Resource, ctx: Context, checks: list[CheckSpec]) -> None:
    """Start what the checks will wait for (a program reading a script) while the others run.

    ``checks`` are those of the resource's type (:func:`_selected_checks`), here and in :func:`_lint_resource`.
    """
    for spec in checks:
        if spec.prepare is not None:
            try:
                spec.prepare(res, ctx)
            except Exception:  # nothing is lost: the check does the work itself, and reports the bug
                pass


def _lint_resource(res: Resource, ctx: Context, checks: list[CheckSpec]) -> list[Explaining]:
    out: list[Explaining] = []
    waiting_for = ctx.project.waiting_for
    for spec in checks:
        waits = len(waiting_for) if waiting_for is not None else 0
        try:
            found = list(spec.func(res, ctx))
        except Exception as exc:  # a bug in one check costs one finding, never the run
            found = [_check_failed(spec.codes, exc)]
        else:
            if waiting_for is not None and len(waiting_for) > waits:  # it reports when resumed
                ctx.resumable.append((res, spec))
                continue
            if not found:
                continue
            _check_declared(spec.codes, found)
        if res.prefix:
            found = [_prefixed(f, res.prefix) for f in found]
        origin = id(spec)
        out.extend([(f, spec.hides, origin) for f in found])
    return out


def _check_failed(codes: tuple[str, ...], exc: Exception) -> Finding:
    message = f"internal error in the check for {', '.join(codes)}: {type(exc).__name__}: {exc}; please report it"
    return Finding("WL900", (), message, span=Span(1, 1, 1, 2))


def _check_declared(codes: tuple[str, ...], found: list[Finding]) -> None:
    """A check reports only the codes it registered with: selection and docs rely on it."""
    undeclared = sorted({f.code for f in found if f.code not in codes})
    if undeclared:
        found.append(
            Finding(
                "WL900",
                (),
                f"internal error: the check for {', '.join(codes)} reported"
                f" {', '.join(undeclared)}, which it does not declare; please report it",
                span=Span(1, 1, 1, 2),
            )
        )


def _prefixed(finding: Finding, prefix: JsonPath) -> Finding:
    related = tuple(r._replace(path=prefix + r.path) for r in finding.related)
    if finding.explains or finding.subject is not None:
        finding = finding._replace(
            explains=tuple(prefix + p for p in finding.explains),
            subject=None if finding.subject is None else prefix + finding.subject,
        )
    if finding.fixes:
        fixes = tuple(
            f._replace(intents=tuple(i._replace(path=prefix + i.path) if i.span is None else i for i in f.intents))
            for f in finding.fixes
        )
        return finding._replace(path=prefix + finding.path, related=related, fixes=fixes)
    return finding._replace(path=prefix + finding.path, related=related)


def _explain(found: list[Explaining]) -> list[Finding]:
    """Drop the findings another one explains (one cause, one diagnostic), as the checks declare.

    A finding whose check declares ``hides`` hides those codes at the paths
    it explains; a finding is hidden at its own path or at its ``subject``.
    A check's findings never hide each other: what it reports, it decides.
    """
    explained: dict[tuple[JsonPath, str], set[int]] = {}
    for finding, hides, origin in found:
        if hides:
            for place in finding.explains or (finding.path, *(r.path for r in finding.related)):
                for code in hides:
                    explained.setdefault((place, code), set()).add(origin)
    if not explained:
        return [finding for finding, _, _ in found]
    return [finding for finding, _, origin in found if not _hidden(finding, origin, explained)]


def _hidden(finding: Finding, origin: int, explained: dict[tuple[JsonPath, str], set[int]]) -> bool:
    places = (finding.path,) if finding.subject is None else (finding.path, finding.subject)
    return any(by != origin for place in places for by in explained.get((place, finding.code), ()))


def _register_stacks(
    documents: list[tuple[Document, tuple[str, str | None] | None]], path: str, project: Project
) -> None:
    """Feed this file's Stack definitions to the run's registry before any Worker is checked."""
    stack_docs = [(doc, kind) for doc, kind in documents if kind is not None and kind[0] == "stack"]
    if not stack_docs:
        return
    if path in project.prescanned:  # registered before any file was linted
        project.prescanned.discard(path)
        return
    for doc, kind in stack_docs:
        assert kind is not None
        project.stacks.add_definition(Resource(doc.data, doc.root, (), kind[0], kind[1], ""), path)


def _finish(
    path: str,
    text: str,
    findings: list[tuple[Finding, Document | None]],
    settings: Settings,
    shown: str | None = None,
    editor: positions.EditorLines | None = None,
) -> FileResult:
    directives = "worker-lint:" in text
    if not findings and not directives:  # a clean file: nothing to place, suppress or filter
        return FileResult([], [])
    selected = _selection(settings, path)
    lines = (text if shown is None else shown).split("\n")
    diagnostics = [_place(path, text, finding, doc, settings, lines) for finding, doc in findings]
    suppressed: list[Diagnostic] = []
    if directives:
        # suppressions see every diagnostic, so a directive for a deselected rule is not called unused
        from worker_lint.run import suppress

        kept, suppressed, own = suppress.apply(
            text, diagnostics, selected=selected, known_codes=catalogue.codes(settings.policies)
        )
        diagnostics = list(kept) + [_place(path, text, f, None, settings, lines) for f in own]
    # two checks may report the same thing at the same place: it is shown once
    unique = set(diagnostics) if len(diagnostics) > 1 else diagnostics
    diagnostics = [d for d in unique if selected(d.code)]
    if editor is not None:
        diagnostics = [_to_editor(d, editor) for d in diagnostics]
        suppressed = [_to_editor(d, editor) for d in suppressed]
    return FileResult(
        sorted(diagnostics, key=Diagnostic.sort_key),
        sorted((d for d in suppressed if selected(d.code)), key=Diagnostic.sort_key),
    )


def _selection(settings: Settings, path: str) -> Callable[[str], bool]:
    """Whether a code is reported in this file, worked out once per code: a file's diagnostics share few codes."""
    from worker_lint.config import is_selected

    answers: dict[str, bool] = {}

    def selected(code: str) -> bool:
        answer = answers.get(code)
        if answer is None:
            answer = answers[code] = is_selected(code, settings, path)
        return answer

    return selected


def _place(
    path: str, text: str, finding: Finding, doc: Document | None, settings: Settings, lines: list[str]
) -> Diagnostic:
    rule = catalogue.rule(finding.code, settings.policies)
    if finding.span is not None or doc is None:
        span = finding.span or Span(1, 1, 1, 2)
    else:
        span = positions.resolve(doc.root, finding.path, finding.at, text, finding.substring, finding.within)
    related = (
        tuple(RelatedLocation(positions.resolve(doc.root, r.path, r.at, text), r.message) for r in finding.related)
        if doc is not None
        else ()
    )
    return Diagnostic(
        path=path,
        span=span,
        code=finding.code,
        name=rule.name,
        severity=settings.severity.get(finding.code, rule.severity),
        message=finding.message,
        json_path=finding.path,
        document=doc.index if doc is not None else 0,
        related=related,
        source_line=_source_line(lines, span.line),
        fixes=_fixes(finding, doc, text, settings) if finding.fixes else (),
    )


def _fixes(finding: Finding, doc: Document | None, text: str, settings: Settings) -> tuple[Any, ...]:
    from worker_lint.core.fix import applicability
    from worker_lint.document.edits import place

    fixes = place(finding.fixes, doc.root if doc is not None else None, text)
    return tuple(f._replace(applicability=applicability(finding.code, f.applicability, settings)) for f in fixes)


def _source_line(lines: list[str], number: int) -> str | None:
    line = lines[number - 1].rstrip("\r") if 1 <= number <= len(lines) else None
    return line if line is not None and len(line) <= SNIPPET_MAX_WIDTH else None


def _internal_error(path: str, where: str, exc: BaseException) -> Diagnostic:
    rule = catalogue.rule("WL900")
    return Diagnostic(
        path=path,
        span=Span(1, 1, 1, 2),
        code="WL900",
        name=rule.name,
        severity=rule.severity,
        message=f"internal error in {where}: {type(exc).__name__}: {exc}; please report it",
    )


# ---------------------------------------------------------------- many files


def file_problem(path: str, code: str, message: str) -> Diagnostic:
    """A diagnostic about the file itself (it cannot be read), placed on its first line."""
    rule = catalogue.rule(code)
    return Diagnostic(
        path=path, span=Span(1, 1, 1, 2), code=code, name=rule.name, severity=rule.severity, message=message
    )


def prescan_stacks(
    files: Sequence[str], settings: Settings, project: Project, buffers: Mapping[str, bytes] | None = None
) -> None:
    """Register Stack definitions before any Worker is linted, wherever they sit (in memory or on disk)."""
    for display in files:
        data = buffers.get(display) if buffers else None
        if data is None:
            data = read_or_none(Path(display), settings.max_file_size)
        if data is None:
            continue
        decoded = decode(data)
        if decoded.text is None:
            continue
        parsed = parse(decoded.text, settings.limits)
        documents = [(doc, _classify(doc)) for doc in parsed.documents]
        _register_stacks(documents, display, project)
        project.prescanned.add(display)
