"""Many files: discovery order in, one result per file out, across processes and the result cache.

Each file is linted on its own, so files can go to a process pool and come
back in input order; what one file needs from others is either gathered first
(custom Stack definitions, read by every process before it lints) or handed
back (the files a Bundle refers to, linted afterwards, once each).
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worker_lint.diagnostic import Finding
from worker_lint.engine import FileResult, Project, check_text, file_problem, prescan_stacks, stack_files
from worker_lint.settings import Settings
from worker_lint.reading import read_manifest, read_or_none

#: a file holding a Bundle depends on the files it names, so its result is never cached
_BUNDLE = re.compile(rb"^type:[ \t]*['\"]?bundle['\"]?[ \t]*(#.*)?\r?$", re.MULTILINE)
_DIRECTIVE = b"worker-lint:"
#: the largest Stack definition read for the cache key
_MAX_DEFINITION = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Options:
    jobs: int | str | None = "auto"
    #: the cache folder; None disables the cache
    cache_dir: Path | None = None


@dataclass(slots=True)
class _State:
    settings: Settings
    project: Project
    cache: Any


_STATE: _State | None = None


def run(files: Sequence[str], settings: Settings, options: Options | None = None) -> Iterator[tuple[str, FileResult]]:
    """Lint ``files`` (display paths), then every file their Bundles refer to, yielding results in that order."""
    from worker_lint.parallel import map_files

    options = options or Options()
    stacks = stack_files(files, settings)
    fingerprint = settings.fingerprint() + _digest(stacks)
    seen = {Path(os.path.realpath(f)) for f in files}
    queue = list(files)
    init = (settings, stacks, options.cache_dir, fingerprint)
    while queue:
        referenced: list[Path] = []
        for display, result, refers in map_files(_lint_one, queue, options.jobs, initializer=_init, initargs=init):
            yield display, result
            referenced.extend(refers)
        queue = []
        for path in referenced:
            resolved = Path(os.path.realpath(path))
            if resolved not in seen:
                seen.add(resolved)
                queue.append(_display(path))


def _init(settings: Settings, stacks: list[str], cache_dir: Path | None, fingerprint: str) -> None:
    """Per process: the run's settings, its Stack definitions and its cache."""
    global _STATE
    from worker_lint.cache import ResultCache

    project = Project(settings)
    prescan_stacks(stacks, settings, project)
    _STATE = _State(settings, project, ResultCache(cache_dir, fingerprint))


def _lint_one(display: str) -> tuple[str, FileResult, list[Path]]:
    assert _STATE is not None
    data = _read(display, _STATE.settings)
    if isinstance(data, FileResult):
        return display, data, []
    cacheable = _DIRECTIVE not in data and not _BUNDLE.search(data)
    # the path is part of the key: per-file ignores make equal contents differ by name
    key = display.encode("utf-8") + b"\0" + data
    if cacheable:
        cached = _STATE.cache.get(key, display)
        if cached is not None:
            return display, FileResult(cached), []
    project = _STATE.project
    project.pending.clear()
    result = check_text(data, display, _STATE.settings, project)
    refers = list(project.pending)
    project.pending.clear()
    if cacheable:
        _STATE.cache.put(key, result.diagnostics)
    return display, result, refers


def _read(display: str, settings: Settings) -> bytes | FileResult:
    data = read_manifest(Path(display), settings.max_file_size)
    if isinstance(data, Finding):
        return FileResult([file_problem(display, data.code, data.message)])
    return data


def _digest(paths: list[str]) -> str:
    """Stack definitions change other files' results: their contents are part of every cache key."""
    h = hashlib.sha256()
    for p in sorted(paths):
        data = read_or_none(Path(p), _MAX_DEFINITION)
        h.update(p.encode() + b"\0" + (data if data is not None else b"-"))
    return h.hexdigest()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
