"""Lint in a test as a run does, by the short names the tests use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from worker_lint.api import lint
from worker_lint.checks.context import Project
from worker_lint.core.diagnostic import Diagnostic
from worker_lint.core.settings import Settings
from worker_lint.run.engine import check_text


def lint_text(
    text: str | bytes, path: str = "<stdin>", settings: Settings | None = None, project: Project | None = None
) -> list[Diagnostic]:
    """One file's contents through the engine: what is reported (``path`` names it and anchors its references)."""
    return list(check_text(text, path, settings, project).diagnostics)


def lint_paths(paths: Iterable[str], settings: Settings | None = None) -> Iterator[tuple[str, list[Diagnostic]]]:
    """Every file under ``paths`` and the files their Bundles name, through the API: ``(display path, diagnostics)``."""
    for display, result in lint(paths, settings=settings):
        yield display, list(result.diagnostics)
