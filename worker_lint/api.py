"""The Python API: lint files and in-memory contents through the very pipeline the command line uses.

Paths, standard input (``--stdin-filename``) and an editor's unsaved buffers all go through
``run.runner.run``: the same bytes under the same name get the same diagnostics whichever way
they come in, with the same Stack definitions, configuration and Bundle references.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from worker_lint.core.diagnostic import Diagnostic, FileResult
from worker_lint.core.settings import Settings
from worker_lint.run import runner
from worker_lint.run.files import collect


def lint(paths: Iterable[str] = (), *, buffers: Mapping[str, bytes | str] | None = None,
         settings: Settings | None = None, jobs: int | str | None = 1,
         cache_dir: Path | None = None, collected: bool = False,
         unsaved: Mapping[str, bytes | str] | None = None) -> Iterator[tuple[str, FileResult]]:
    """Lint the files under ``paths`` and the contents in ``buffers`` (by the path to report them under).

    Yields ``(display path, result)`` for each file, then for each file their Bundles name.
    A buffer stands for its file: a file that is both given and buffered is linted once, from memory.
    ``collected`` says ``paths`` are already the files to lint (folders expanded, exclusions applied).
    ``unsaved`` holds an editor's open documents by path: read instead of the disk where a Bundle
    names them, and not linted unless they are among the files or buffers.
    """
    settings = settings or Settings()
    given = {name: data.encode("utf-8") if isinstance(data, str) else data for name, data in (buffers or {}).items()}
    found = list(paths) if collected else collect(list(paths), settings) if paths else []
    files = [f for f in found if f not in given]
    open_documents = {name: data.encode("utf-8") if isinstance(data, str) else data
                      for name, data in (unsaved or {}).items()}
    options = runner.Options(jobs=jobs, cache_dir=cache_dir, buffers=given, unsaved=open_documents)
    yield from runner.run([*given, *files], settings, options)


def lint_paths(paths: Iterable[str], settings: Settings | None = None,
               jobs: int | str | None = 1) -> Iterator[tuple[str, list[Diagnostic]]]:
    """Lint every file under ``paths`` (and the files their Bundles name): ``(display path, diagnostics)``."""
    for display, result in lint(paths, settings=settings, jobs=jobs):
        yield display, result.diagnostics
