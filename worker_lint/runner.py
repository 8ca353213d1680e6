"""Many files: discovery order in, one result per file out, across processes and the result cache.

Each file is linted on its own, so files can go to a process pool and come
back in input order; what one file needs from others is either gathered first
(custom Stack definitions, read by every process before it lints) or handed
back (the files a Bundle refers to, linted afterwards, once each).

Every file is read once up front: that finds the Stack definitions and gives
each file's cache key, so a run over unchanged files answers from the cache
without parsing anything, or starting a pool, or even importing the parser.
"""
from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from worker_lint import lazy_re
from worker_lint.digest import blake2b
from worker_lint.diagnostic import FileResult, Finding
from worker_lint.reading import read_manifest, read_or_none
from worker_lint.settings import Settings

#: a file holding a Bundle depends on the files it names, so its result is never cached
_BUNDLE = lazy_re.compile(rb"^type:[ \t]*['\"]?bundle['\"]?[ \t]*(#.*)?\r?$", re.MULTILINE)
_STACK = lazy_re.compile(rb"^type:[ \t]*['\"]?stack['\"]?[ \t]*(#.*)?\r?$", re.MULTILINE)
_DIRECTIVE = b"worker-lint:"


class Options(NamedTuple):
    jobs: int | str | None = "auto"
    #: the cache folder; None disables the cache
    cache_dir: Path | None = None


class _Survey(NamedTuple):
    """What one read of a file tells before it is linted."""

    display: str
    #: the cache key's file part (its name and bytes), or None when its result must not be cached
    key: bytes | None
    #: the file could not be read: this is its whole result
    problem: FileResult | None = None


@dataclass
class _State:
    settings: Settings
    project: Any
    cache: Any


_STATE: _State | None = None


def run(files: Sequence[str], settings: Settings, options: Options | None = None) -> Iterator[tuple[str, FileResult]]:
    """Lint ``files`` (display paths), then every file their Bundles refer to, yielding results in that order."""
    from worker_lint.cache import ResultCache

    options = options or Options()
    keyed = options.cache_dir is not None
    surveys, stacks = _survey(files, settings, keyed)
    fingerprint = settings.fingerprint() + _digest(stacks, settings.max_file_size) if keyed else ""
    cache = ResultCache(options.cache_dir, fingerprint)
    seen: set[Path] | None = None  # resolved only when a Bundle refers to files: realpath costs a stat per part
    init = (settings, stacks, options.cache_dir, fingerprint)
    while surveys:
        cached: dict[str, FileResult] = {}
        for survey in surveys:
            if survey.problem is not None:
                cached[survey.display] = survey.problem
            elif survey.key is not None:
                hit = cache.get(survey.key, survey.display)
                if hit is not None:
                    cached[survey.display] = FileResult(hit)
        misses = [s.display for s in surveys if s.display not in cached]
        linted = _lint_all(misses, options.jobs, init) if misses else iter(())
        referenced: list[Path] = []
        for survey in surveys:
            if survey.display in cached:
                yield survey.display, cached[survey.display]
                continue
            display, result, refers = next(linted)
            yield display, result
            referenced.extend(refers)
        surveys = []
        if referenced and seen is None:
            seen = {Path(os.path.realpath(f)) for f in files}
        for path in referenced:
            assert seen is not None
            resolved = Path(os.path.realpath(path))
            if resolved not in seen:
                seen.add(resolved)
                surveys.append(_survey_one(_display(path), settings.max_file_size, None, keyed))


def _lint_all(displays: list[str], jobs: int | str | None, init: tuple[Any, ...]) -> Iterator[tuple[str, FileResult, list[Path]]]:
    from worker_lint.parallel import map_files

    return map_files(_lint_one, displays, jobs, initializer=_init, initargs=init)


def _survey(files: Sequence[str], settings: Settings, keyed: bool) -> tuple[list[_Survey], list[str]]:
    """Read every file once: its cache key (when there is a cache), and whether it holds a Stack definition."""
    stacks: list[str] = []
    surveys = [_survey_one(display, settings.max_file_size, stacks, keyed) for display in files]
    for folder in settings.stack_dirs:
        for path in sorted(Path(folder).rglob("*.y*ml")):
            data = read_or_none(path, settings.max_file_size)
            if data is not None and _STACK.search(data):
                stacks.append(str(path))
    return surveys, stacks


def _survey_one(display: str, max_size: int, stacks: list[str] | None, keyed: bool) -> _Survey:
    data = read_manifest(Path(display), max_size)
    if isinstance(data, Finding):
        from worker_lint.engine import file_problem

        return _Survey(display, None, FileResult([file_problem(display, data.code, data.message)]))
    if stacks is not None and _STACK.search(data):
        stacks.append(display)
    return _Survey(display, _cache_key(display, data) if keyed else None)


def _cache_key(display: str, data: bytes) -> bytes | None:
    """The file part of its cache key; None for files whose result depends on more than their bytes.

    The name is part of it, since per-file ignores make equal contents differ
    by name.  Bundles depend on the files they name, and suppression comments
    on the run's selection, so neither is cached.
    """
    if _DIRECTIVE in data or _BUNDLE.search(data):
        return None
    return blake2b(display.encode("utf-8") + b"\0" + data, digest_size=32).digest()


def _init(settings: Settings, stacks: list[str], cache_dir: Path | None, fingerprint: str) -> None:
    """Per process: the run's settings, its Stack definitions and its cache."""
    global _STATE
    from worker_lint.cache import ResultCache
    from worker_lint.engine import Project, prescan_stacks

    project = Project(settings)
    prescan_stacks(stacks, settings, project)
    _STATE = _State(settings, project, ResultCache(cache_dir, fingerprint))


def _lint_one(display: str) -> tuple[str, FileResult, list[Path]]:
    from worker_lint.engine import check_text, file_problem

    assert _STATE is not None
    data = read_manifest(Path(display), _STATE.settings.max_file_size)
    if isinstance(data, Finding):
        return display, FileResult([file_problem(display, data.code, data.message)]), []
    project = _STATE.project
    project.pending.clear()
    # A file's trees hold no reference cycles worth collecting while it is checked, and the
    # collector's passes over millions of fresh nodes cost a third of a big file's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = check_text(data, display, _STATE.settings, project)
    finally:
        if collecting:
            gc.enable()
    refers = list(project.pending)
    project.pending.clear()
    if _STATE.cache.enabled:
        key = _cache_key(display, data)
        if key is not None:
            _STATE.cache.put(key, result.diagnostics)
    return display, result, refers


def _digest(paths: list[str], max_size: int) -> str:
    """Stack definitions change other files' results: their contents are part of every cache key."""
    h = blake2b(digest_size=32)
    for p in sorted(paths):
        data = read_or_none(Path(p), max_size)
        h.update(p.encode() + b"\0" + (data if data is not None else b"-"))
    return h.hexdigest()


def _display(path: Path) -> str:
    try:
        return str(Path(os.path.realpath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)
