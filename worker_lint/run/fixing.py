"""Applying fixes: choose, edit, lint again, keep or roll back, write.

Only files whose diagnostics carry an applicable fix are touched again: the
run's own results say which, so a run with nothing to fix lints every file
once, as `check` does.  A file is fixed in passes: the applicable fixes, in
order of position, that neither overlap nor touch a fix already chosen, are
applied together; the result is linted again, and the next pass picks up what
waited.  A pass that makes a diagnostic appear (a code at a JSON path that was
not reported before) is undone and its fixes retried one by one, so the one at
fault is reported as failed and the others still apply.

A fix is applied only to the bytes it was computed from: a result the run
got for other bytes (from the cache, from a worker that linted ahead, before
an editor saved, or for the same file reached through a link and fixed
already) is linted again from the bytes read now.  The new text is checked to
parse as the platform parses it, and written in place only while the file
still holds those bytes (see worker_lint.core.atomic.rewrite).  Only the files
the run was given are written: a file a Bundle refers to is reported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from worker_lint.config import Resolver
from worker_lint.core.diagnostic import Diagnostic, FileResult, Finding
from worker_lint.core.fix import SAFE, UNSAFE, Fix
from worker_lint.core.settings import Settings

if TYPE_CHECKING:
    from worker_lint.checks.context import Project

MAX_PASSES = 10
#: reads of a file that keeps changing between its read and its write before it is left alone
MAX_READS = 3
#: a file with one of these is left alone: its text is not what the linter understood
_UNTOUCHABLE = frozenset({"WL001", "WL003", "WL010", "WL011", "WL012", "WL900"})
_BOM = b"\xef\xbb\xbf"


def chosen_fix(d: Diagnostic, unsafe: bool) -> Fix | None:
    """The preferred fix a run may apply: safe ones, and unsafe ones when allowed."""
    for fix in d.fixes:
        if fix.applicability == SAFE or (unsafe and fix.applicability == UNSAFE):
            return fix
    return None


class Outcome(NamedTuple):
    """What fixing one file did."""

    display: str
    original: bytes
    #: the new contents, or None when nothing changed
    fixed: bytes | None
    #: the final lint of the file (of the fixed text when it changed)
    result: FileResult
    #: the diagnostics that were fixed, as reported before their fix
    applied: tuple[Diagnostic, ...] = ()
    #: fixes undone because they made a new diagnostic appear: (diagnostic, what appeared)
    failed: tuple[tuple[Diagnostic, str], ...] = ()
    converged: bool = True
    #: why the fixed text was thrown away (it would not parse as the platform reads it)
    refused: str | None = None


def fix_bytes(
    data: bytes, display: str, settings: Settings, project: Any, unsafe: bool, result: FileResult | None = None
) -> Outcome:
    """Fix one file's contents in passes; ``result`` is its lint when the run already has it."""

    def lint(raw: bytes) -> FileResult:
        return lint_bytes(raw, display, settings, project)

    if result is None:
        result = lint(data)
    first = result
    decoded = _fixable_text(data, result, settings)
    if decoded is None:
        return Outcome(display, data, None, result)
    bom, text = decoded
    crlf = text.count("\r\n") * 2 > text.count("\n")
    applied: list[Diagnostic] = []
    failed: list[tuple[Diagnostic, str]] = []
    refused: set[tuple[Any, ...]] = set()
    passes = 0
    current = text
    while True:
        candidates = [
            (d, f)
            for d in result.diagnostics
            if (f := chosen_fix(d, unsafe)) is not None and _identity(d, f) not in refused
        ]
        if not candidates:
            break
        if passes >= MAX_PASSES:
            return _outcome(
                display, data, bom, text, current, result, applied, failed, settings, first, converged=False
            )
        batch = _non_overlapping(candidates)
        new_text = apply_edits(current, [e for _, f in batch for e in f.edits], crlf)
        new_result = lint(bom + new_text.encode("utf-8"))
        appeared = _syntax_error(new_text, settings) or _appeared(result.diagnostics, new_result.diagnostics)
        if appeared is not None:
            # undo the pass; find the fixes at fault by trying each alone
            tried = _each_alone(batch, current, new_text, new_result, crlf, lambda t: lint(bom + t.encode("utf-8")))
            faults = [
                (d, f, what)
                for d, f, t, r in tried
                if (what := _syntax_error(t, settings) or _appeared(result.diagnostics, r.diagnostics))
            ]
            for d, f, what in faults:
                refused.add(_identity(d, f))
                failed.append((d, what))
            if faults:
                continue
            # each is fine alone but not together: this pass applies the first only
            d, f, new_text, new_result = tried[0]
            batch = [(d, f)]
        passes += 1
        applied.extend(d for d, _ in batch)
        current, result = new_text, new_result
    return _outcome(display, data, bom, text, current, result, applied, failed, settings, first)


def _fixable_text(data: bytes, result: FileResult, settings: Settings) -> tuple[bytes, str] | None:
    """``(byte-order mark, text)`` of a file fixes may edit; None for one that is not UTF-8, or whose
    structure is in doubt (a syntax error, or a problem no edit should be made around)."""
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(d.code in _UNTOUCHABLE for d in result.diagnostics) or _syntax_error(text, settings):
        return None
    return bom, text


def _each_alone(
    batch: list[tuple[Diagnostic, Any]],
    current: str,
    together: str,
    together_result: FileResult,
    crlf: bool,
    lint_text: Any,
) -> list[tuple[Diagnostic, Any, str, FileResult]]:
    """Each fix of a pass that went wrong, applied alone to ``current``: (diagnostic, fix, text, its lint).

    A pass of one fix is its own trial: its text and lint are the pass's."""
    if len(batch) == 1:
        d, f = batch[0]
        return [(d, f, together, together_result)]
    alone = [(d, f, apply_edits(current, f.edits, crlf)) for d, f in batch]
    return [(d, f, t, lint_text(t)) for d, f, t in alone]


def lint_bytes(data: bytes, display: str, settings: Settings, project: Any) -> FileResult:
    """One file's lint from these bytes, the files its Bundles refer to left out (the run lints those)."""
    from worker_lint.run.engine import check_text

    project.pending.clear()
    out = check_text(data, display, settings, project)
    project.pending.clear()
    project.reads.clear()
    return out


def _outcome(
    display: str,
    data: bytes,
    bom: bytes,
    text: str,
    current: str,
    result: FileResult,
    applied: list[Diagnostic],
    failed: list[tuple[Diagnostic, str]],
    settings: Settings,
    first: FileResult,
    converged: bool = True,
) -> Outcome:
    if current != text and text.endswith("\n") and not current.endswith("\n"):
        current += "\r\n" if text.endswith("\r\n") else "\n"  # a deleted last entry keeps the final newline
    if current == text:
        return Outcome(display, data, None, result, tuple(applied), tuple(failed), converged)
    # every pass was checked; this checks the very text that is to be written
    refused = _syntax_error(current, settings)
    if refused is not None:
        return Outcome(display, data, None, first, (), tuple(failed), converged, refused)
    return Outcome(display, data, bom + current.encode("utf-8"), result, tuple(applied), tuple(failed), converged)


def _syntax_error(text: str, settings: Settings) -> str | None:
    """A syntax error in ``text``, or a text the platform's parser refuses, whatever the run selects.

    A deselected WL001 or WL004 must not let a fix through, nor leave a file
    the platform cannot read open to fixes made from what libyaml read of it.
    """
    from worker_lint.document.parse import parse
    from worker_lint.document.source import normalize_breaks

    for finding in parse(normalize_breaks(text), settings.limits).findings:
        if finding.code in ("WL001", "WL004"):
            where = f" at {finding.span.line}:{finding.span.column}" if finding.span else ""
            kind = "a syntax error" if finding.code == "WL001" else "a text the platform's parser refuses"
            return f"{kind}{where}: {finding.message}"
    return None


def _identity(d: Diagnostic, f: Fix) -> tuple[Any, ...]:
    return (d.code, d.document, d.json_path, f.title)


def _non_overlapping(candidates: list[tuple[Diagnostic, Fix]]) -> list[tuple[Diagnostic, Fix]]:
    """Fixes in order of position; one that overlaps or touches an earlier choice waits for the next pass."""
    chosen: list[tuple[Diagnostic, Fix]] = []
    taken: list[tuple[int, int]] = []
    for d, f in sorted(candidates, key=lambda c: (c[1].edits[0].start, c[1].edits[-1].end, c[0].code)):
        if any(e.start <= end and start <= e.end for e in f.edits for start, end in taken):
            continue
        chosen.append((d, f))
        taken.extend((e.start, e.end) for e in f.edits)
    return chosen


def _appeared(before: Sequence[Diagnostic], after: Sequence[Diagnostic]) -> str | None:
    """A diagnostic after the fix whose code and JSON path were not reported before, described."""
    known = {(d.code, d.document, d.json_path) for d in before}
    for d in after:
        if (d.code, d.document, d.json_path) not in known:
            return f"{d.code} at {d.span.line}:{d.span.column}: {d.message}"
    return None


def apply_edits(text: str, edits: Sequence[Any], crlf: bool = False) -> str:
    """``text`` with non-overlapping ``edits`` applied; new line breaks follow the file's (CRLF stays CRLF)."""
    out: list[str] = []
    at = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[at : e.start])
        out.append(e.content.replace("\n", "\r\n") if crlf else e.content)
        at = e.end
    out.append(text[at:])
    return "".join(out)


# ---------------------------------------------------------------- a run


class Fixer:
    """`check --fix` and friends: wraps the run's results, fixing the files that have something to fix."""

    def __init__(
        self,
        settings: Settings | Resolver,
        *,
        fix: bool,
        unsafe: bool,
        diff: bool,
        fix_only: bool,
        show: bool,
        quiet: bool = False,
        files: Sequence[str],
        buffers: Mapping[str, bytes | Finding],
    ) -> None:
        #: one Settings for every file, or each file's own (its folder's configuration)
        self.settings = settings
        #: contents given in memory (standard input): fixed text goes to standard output, never to a file
        self.buffers = buffers
        self.apply = fix or diff or fix_only
        self.unsafe = unsafe
        self.diff = diff
        self.fix_only = fix_only or diff
        self.show = show
        #: `--quiet`: the fixed text and the report only, no counts or listings
        self.quiet = quiet
        self.files = files
        #: the files the run was given, or found walking a folder it was given: the only ones written
        self._named = frozenset(files)
        #: files a Bundle refers to, with something to fix, left as they are
        self.unnamed: list[str] = []
        #: the files a diff was made for, resolved: one reached again through a link is shown once
        self._diffed: set[str] = set()
        self.outcomes: list[Outcome] = []
        self._projects: dict[int, Project] = {}
        #: standard output carries fixed text (`-` with `--fix`): the report goes to standard error
        self.report_to_stderr = False

    # -- linting

    def fixed(self, results: Iterable[tuple[str, FileResult]]) -> Iterator[tuple[str, FileResult]]:
        """The run's results, each file with something to fix fixed first (and linted again)."""
        for display, result in results:
            if self.apply and isinstance(self.buffers.get(display), bytes):  # its text goes to stdout, fixed or not
                result = self._fix_buffer(display, result)
            elif self.apply and any(chosen_fix(d, self.unsafe) for d in result.diagnostics if d.fixes):
                if display not in self._named:
                    self.unnamed.append(display)
                elif not self._diffed_already(display):
                    result = self._fix_file(display, result)
            yield display, result

    def _diffed_already(self, display: str) -> bool:
        """With `--diff`, a file reached again (through a link): `--fix` would find nothing left to fix there."""
        if not self.diff:
            return False
        resolved = os.path.realpath(display)
        seen = resolved in self._diffed
        self._diffed.add(resolved)
        return seen

    def _settings_of(self, display: str) -> Settings:
        return self.settings.for_file(display) if isinstance(self.settings, Resolver) else self.settings

    def _fix_buffer(self, display: str, result: FileResult) -> FileResult:
        """Standard input: with `--fix`, the fixed text goes to standard output and the report to standard error."""
        data = self.buffers[display]
        assert isinstance(data, bytes)
        settings = self._settings_of(display)
        outcome = fix_bytes(data, display, settings, self._project_for_fixes(settings), self.unsafe, result)
        self.outcomes.append(outcome)
        if not self.diff:
            sys.stdout.buffer.write(outcome.fixed if outcome.fixed is not None else data)
            sys.stdout.flush()
            self.report_to_stderr = True
        return outcome.result

    def _fix_file(self, display: str, result: FileResult) -> FileResult:
        """Fix one file from the bytes on disk now, linted again when ``result`` is of other bytes."""
        from worker_lint.core.atomic import Changed
        from worker_lint.core.digest import content_digest
        from worker_lint.document.reading import read_manifest

        settings = self._settings_of(display)
        for _ in range(MAX_READS):
            data = read_manifest(Path(display), settings.max_file_size)
            if isinstance(data, Finding):
                return result
            try:
                project = self._project_for_fixes(settings)
                if result.digest != content_digest(data):
                    result = lint_bytes(data, display, settings, project)._replace(digest=content_digest(data))
                outcome = fix_bytes(data, display, settings, project, self.unsafe, result)
            except Exception as exc:
                sys.stderr.write(
                    f"worker-lint: {display}: not fixed: internal error {type(exc).__name__}: {exc}; please report it\n"
                )
                return result
            if outcome.fixed is None or self.diff:
                break
            try:
                problem = write_fixed(Path(display), data, outcome.fixed, settings)
            except Changed:
                continue  # saved since it was read: read it, and lint it, again
            if problem is not None:
                sys.stderr.write(f"worker-lint: {display}: not fixed: {problem}\n")
                outcome = outcome._replace(fixed=None, applied=(), result=result)
            break
        else:
            sys.stderr.write(f"worker-lint: {display}: not fixed: it changed each time it was about to be written\n")
            return result
        self.outcomes.append(outcome)
        return outcome.result

    def _project_for_fixes(self, settings: Settings) -> Project:
        """The run's custom Stack definitions, read again only once a file has something to fix (per configuration)."""
        project = self._projects.get(id(settings))
        if project is None:
            from worker_lint.checks.context import Project
            from worker_lint.dataos.resource import file_kinds
            from worker_lint.document.reading import read_or_none
            from worker_lint.run import runner
            from worker_lint.run.engine import prescan_stacks

            stacks = [
                f
                for f in [*self.buffers, *self.files]
                if isinstance(data := self.buffers.get(f) or read_or_none(Path(f), settings.max_file_size), bytes)
                and "stack" in file_kinds(data)
            ]
            project = self._projects[id(settings)] = Project(settings)
            given = {name: data for name, data in self.buffers.items() if isinstance(data, bytes)}
            prescan_stacks(stacks + runner.stack_dir_files(settings), settings, project, given)
        return project

    # -- reporting

    def _explain_what_was_not_fixed(self) -> None:
        """One line on standard error for each file or fix left as it was, and why."""
        for display in self.unnamed:
            sys.stderr.write(
                f"worker-lint: {display}: not fixed: a Bundle refers to it but it was not named;"
                " name it (or its folder) to fix it\n"
            )
        for outcome in self.outcomes:
            if outcome.refused is not None:
                sys.stderr.write(
                    f"worker-lint: {outcome.display}: not fixed: the fixed text would be {outcome.refused};"
                    " please report it\n"
                )
            if not outcome.converged:
                sys.stderr.write(
                    f"worker-lint: {outcome.display}: fixes did not converge after {MAX_PASSES}"
                    " passes; the file was fixed as far as it got, please report it\n"
                )
            for d, appeared in outcome.failed:
                sys.stderr.write(
                    f"worker-lint: {outcome.display}:{d.span.line}:{d.span.column}: the fix for {d.code}"
                    f" was not applied: it would introduce {appeared}\n"
                )

    def finish(self, diagnostics: list[Diagnostic], rendered: str, fmt: str) -> tuple[str, int | None]:
        """The report to print, and the exit status when fixing decides it (None: as `check` would)."""
        self._explain_what_was_not_fixed()
        fixed = self.fixed_count
        if self.diff:
            changed = [o for o in self.outcomes if o.fixed is not None]
            out = "".join(unified_diff(o) for o in changed)
            if not self.quiet:
                sys.stderr.write(
                    f"Would fix {fixed} problem{'s' if fixed != 1 else ''}"
                    f" in {len(changed)} file{'s' if len(changed) != 1 else ''}.\n"
                )
            return out, 1 if changed else 0
        note = ""
        if self.show and fixed:
            note += self.listing()
        if self.apply and not self.quiet:
            files = len({o.display for o in self.outcomes if o.applied})
            note += f"Fixed {fixed} problem{'s' if fixed != 1 else ''} in {files} file{'s' if files != 1 else ''}.\n"
        if self.fix_only:
            sys.stderr.write(note)
            return "", 0
        if fmt == "text" and not self.report_to_stderr:
            return rendered + note, None
        sys.stderr.write(note)
        return rendered, None

    @property
    def fixed_count(self) -> int:
        """How many diagnostics the run fixed (with `--diff`: would fix)."""
        return sum(len(o.applied) for o in self.outcomes)

    def listing(self) -> str:
        """`--show-fixes`: what was fixed, per file and rule."""
        lines = []
        for o in sorted(self.outcomes, key=lambda o: o.display):
            if not o.applied:
                continue
            lines.append(f"{o.display}:")
            counts: dict[tuple[str, str], int] = {}
            for d in o.applied:
                counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
            lines += [f"  {n} x {code} ({name})" for (code, name), n in sorted(counts.items())]
        return "".join(line + "\n" for line in lines)


def unified_diff(outcome: Outcome) -> str:
    import difflib  # only a run that prints a diff pays for it

    before = outcome.original.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = (outcome.fixed or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, outcome.display, outcome.display))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def write_fixed(path: Path, original: bytes, data: bytes, settings: Settings) -> str | None:
    """Write fixed contents in place over ``original``; a reason when it must not be, or could not be, written.

    Raises :class:`~worker_lint.core.atomic.Changed` when the file no longer
    holds ``original``: nothing is written, and it must be linted again.
    """
    from worker_lint.core.atomic import ReadOnly, Unrestored, rewrite

    target = Path(os.path.realpath(path))
    if target != Path(os.path.abspath(path)):  # a link, of the file or of a folder on its way
        root = Path(os.path.realpath(_project_root(settings)))
        if root != target and root not in target.parents:
            return f"it is a symbolic link to {target}, outside the project ({root}); fix that file itself"
    try:
        rewrite(target, original, data)
    except ReadOnly as exc:
        return str(exc)
    except Unrestored as exc:
        return (
            f"writing it failed ({exc.strerror or exc}) and its previous contents could not be written back:"
            " it may be incomplete, check it"
        )
    except OSError as exc:
        return f"writing it failed ({exc.strerror or exc}); the file was left as it was"
    return None


def _project_root(settings: Settings) -> Path:
    cwd = Path.cwd()
    return settings.project_root(cwd) or cwd
