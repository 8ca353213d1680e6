"""Many files: discovery order in, one result per file out, across processes and the result cache.

Each file is linted on its own, so files can go to a process pool and come
back in input order; what one file needs from others is either gathered first
(custom Stack definitions, read by every process before it lints) or handed
back (the files a Bundle refers to, linted afterwards, once each).

Every file is looked at once up front: that finds the Stack definitions and
gives each file's cache key, so a run over unchanged files answers from the
cache without parsing anything, or starting a pool, or even importing the
parser.  A file the cache knows unchanged (same size, times and inode) is not
even read.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from worker_lint.core.diagnostic import FileResult, Finding
from worker_lint.core.digest import blake2b, content_digest
from worker_lint.core.settings import Settings
from worker_lint.document.reading import read_manifest, read_or_none
from worker_lint.run.parallel import Jobs

if TYPE_CHECKING:
    from worker_lint.checks.context import Project
    from worker_lint.dataos.shared_scripts import Sharing
    from worker_lint.run.cache import Entry, ResultCache
    from worker_lint.run.engine import Suspended

_DIRECTIVE = b"worker-lint:"
#: the types whose result depends on other files of the project: never cached
_NAMING = frozenset({"bundle", "data"})


class Options(NamedTuple):
    jobs: Jobs = "auto"
    #: the cache folder; None disables the cache
    cache_dir: Path | None = None
    #: contents given in memory (standard input, an editor's unsaved buffer) by display path, or why they
    #: could not be read; these files are not read from disk, and their results are never cached
    buffers: Mapping[str, bytes | Finding] = MappingProxyType({})
    #: the resolved paths of files linted, or to be linted, in this run: a run of several
    #: configurations shares one set, so that a file two Bundles name is linted once
    seen: set[Path] | None = None
    #: an editor's open documents by path: what a Bundle's `file:` reference reads, instead of the disk;
    #: not linted unless they are also among the files (the language server lints one document at a time)
    unsaved: Mapping[str, bytes] = MappingProxyType({})


class _Survey(NamedTuple):
    """What a look at one file tells before it is linted."""

    display: str
    #: the file's state before it was read (only when there is a cache to record it in)
    info: os.stat_result | None = None
    #: its content key, or None when its result is not cached (no cache, a Bundle, a Data Product, a suppression comment)
    key: str | None = None
    #: it holds a Stack definition
    stack: bool = False
    #: the cache's entry for it, when the file is unchanged since that entry was made: it was not read
    entry: Entry | None = None
    #: the digest of the bytes the key was made from: the result is cached only if the same bytes were linted
    digest: bytes | None = None
    #: the file could not be read: this is its whole result
    problem: FileResult | None = None


@dataclass
class _State:
    settings: Settings
    project: Project
    buffers: dict[str, bytes]
    #: the open documents, by resolved path
    unsaved: dict[Path, bytes] = field(default_factory=dict)
    #: the run's processes share the shell scripts they read (``shared_scripts``)
    sharing: bool = False


_STATE: _State | None = None


def run(files: Sequence[str], settings: Settings, options: Options | None = None) -> Iterator[tuple[str, FileResult]]:
    """Lint ``files`` (display paths), then every file their Bundles refer to, yielding results in that order."""
    options = options or Options()
    cache = _open_cache(options, settings)
    max_size = settings.max_file_size
    buffers = options.buffers
    surveys, stacks = _first_surveys(files, settings, buffers, cache)
    seen = options.seen  # resolved only when a Bundle refers to files: realpath costs a stat per part
    init = (
        settings,
        stacks,
        {name: data for name, data in buffers.items() if isinstance(data, bytes)},
        dict(options.unsaved),
    )
    unsaved = {Path(os.path.realpath(name)): data for name, data in options.unsaved.items()}
    while surveys:
        cached = _from_cache(surveys, cache)
        misses = [s.display for s in surveys if s.display not in cached]
        linted = _lint_all(misses, options.jobs, init) if misses else iter(())
        referenced: list[Path] = []
        for survey in surveys:
            if survey.display in cached:
                yield survey.display, cached[survey.display]
                continue
            display, result, refers, digest = next(linted)
            # a file edited between its survey and its linting: the result is not that of the keyed bytes
            if survey.key is not None and survey.info is not None and digest == survey.digest:
                cache.put(display, survey.info, survey.key, survey.stack, result.diagnostics)
            yield display, result._replace(digest=digest)
            referenced.extend(refers)
        if referenced and seen is None:
            seen = {Path(os.path.realpath(f)) for f in files}
        surveys = [
            _survey_buffer(_display(path), unsaved[resolved])
            if resolved in unsaved
            else _survey_one(_display(path), max_size, cache, settings)
            for path, resolved in (_not_seen(referenced, seen) if seen is not None else ())
        ]
    cache.save()


def _first_surveys(
    files: Sequence[str], settings: Settings, buffers: Mapping[str, bytes | Finding], cache: ResultCache
) -> tuple[list[_Survey], list[str]]:
    """The given files' surveys, and the files that hold Stack definitions (which every Worker is linted against)."""
    max_size = settings.max_file_size
    surveys = [
        _survey_buffer(display, buffers[display])
        if display in buffers
        else _survey_one(display, max_size, cache, settings)
        for display in files
    ]
    stacks = [s.display for s in surveys if s.stack] + stack_dir_files(settings)
    if cache.enabled and not cache.forget_unless(_digest(stacks, max_size, buffers)):
        # linted against other Stack definitions: the files taken on trust must be read after all
        surveys = [_survey_one(s.display, max_size, cache, settings) if s.entry is not None else s for s in surveys]
    return surveys, stacks


def _open_cache(options: Options, settings: Settings) -> ResultCache:
    """The run's result cache; one that cannot be used says why once and stands aside."""
    from worker_lint.run.cache import ResultCache

    cache = ResultCache(options.cache_dir, settings.fingerprint())
    if cache.problem is not None:
        import sys

        from worker_lint.core.safe_text import escape

        sys.stderr.write(f"worker-lint: {escape(cache.problem)}; the result cache is not used\n")
    return cache


def _from_cache(surveys: list[_Survey], cache: ResultCache) -> dict[str, FileResult]:
    """The results a round needs no lint for: files that cannot be read, and the cache's hits."""
    cached: dict[str, FileResult] = {}
    for survey in surveys:
        if survey.problem is not None:
            cached[survey.display] = survey.problem
            continue
        if survey.entry is not None:
            hit = cache.diagnostics(survey.display, survey.entry)
        elif survey.key is not None:
            hit = cache.get(survey.display, survey.key)
        else:
            continue
        if hit is not None:
            cached[survey.display] = FileResult(hit, digest=survey.digest)
    return cached


def _not_seen(referenced: list[Path], seen: set[Path]) -> Iterator[tuple[Path, Path]]:
    """``(path, resolved)`` of each file Bundles refer to that the run has not linted yet; ``seen`` grows."""
    for path in referenced:
        resolved = Path(os.path.realpath(path))
        if resolved not in seen:
            seen.add(resolved)
            yield path, resolved


#: one file linted: its display path, its result, the files it refers to, and the digest of the bytes linted
Linted = tuple[str, FileResult, list[Path], "bytes | None"]
#: as it comes from ``_lint_one``: its result may wait for scripts to be read (``_lint_batch`` resumes it)
_Started = tuple[str, "FileResult | Suspended", list[Path], "bytes | None"]


def _lint_all(displays: list[str], jobs: Jobs, init: tuple[Any, ...]) -> Iterator[Linted]:
    """Each file linted, in order; the shell scripts among them read once for them all (``shared_scripts``)."""
    from worker_lint.run.parallel import effective_jobs, map_batches

    scripts = _shared_scripts(displays, effective_jobs(jobs, len(displays)))
    try:
        linted = map_batches(
            _lint_batch,
            displays,
            jobs,
            initializer=_init,
            initargs=(*init, scripts.sharing if scripts is not None else None),
            on_crash=_crashed,
            started=scripts.start if scripts is not None else None,
        )
        for index, one in enumerate(linted, 1):
            if index == len(displays) and scripts is not None:  # every file is in: nothing is asked any more
                scripts.close()
                scripts = None
            yield one
    finally:
        if scripts is not None:
            scripts.close()


def _shared_scripts(displays: list[str], workers: int) -> Any:
    """How the run's processes share the shell scripts they read, when there are files to share them and
    shellcheck to read them; ``workers`` processes lint the files."""
    if len(displays) < 2:
        return None
    from worker_lint.dataos import shellcheck

    if shellcheck.binary() is None:
        return None
    from worker_lint.dataos import shared_scripts

    try:
        return shared_scripts.Run(workers)
    except OSError:  # no temporary folder: each process reads its scripts itself
        return None


def _lint_batch(displays: list[str]) -> list[Linted]:
    """Files linted one after the other, the shell scripts among them read for the whole run.

    Starting shellcheck costs several times what reading a script does, so a
    file whose script nobody has read yet is linted with that check put aside,
    and the script asked for (``shared_scripts``), to be read while the other
    files are linted; each such file's check is resumed once its scripts are
    answered.
    """
    assert _STATE is not None
    project = _STATE.project
    if len(displays) < 2 or not _STATE.sharing:  # nothing to share a shellcheck with
        return [_linted(_lint_one(display)) for display in displays]
    from worker_lint.dataos import shared_scripts

    linted: list[_Started] = []
    waiting: dict[int, set[tuple[str, str]]] = {}  # the files whose checks wait for scripts, by index
    for index, display in enumerate(displays):
        project.waiting_for = []
        try:
            linted.append(_lint_one(display))
        finally:
            scripts, project.waiting_for = set(project.waiting_for), None
        if scripts:
            for dialect, script in scripts:
                shared_scripts.ask(script, dialect)
            waiting[index] = scripts
    unanswered = set().union(*waiting.values())
    for answered in shared_scripts.answers(unanswered) if waiting else ():
        unanswered -= answered
        for index in [i for i, scripts in waiting.items() if not scripts & unanswered]:
            del waiting[index]
            linted[index] = _linted(linted[index])
    return [_linted(one) for one in linted]


def _linted(started: _Started) -> Linted:
    """A file's result, its checks that waited resumed."""
    from worker_lint.run.engine import Suspended

    display, result, refers, digest = started
    if isinstance(result, Suspended):
        result = result.resume()
    return display, result, refers, digest


def _crashed(display: str) -> Linted:
    """The result of a file whose worker process died on it, twice: reported, never retried in this process."""
    from worker_lint.run.engine import file_problem

    return (
        display,
        FileResult(
            [
                file_problem(
                    display,
                    "WL900",
                    "the process checking this file died (a crash in the YAML parser, or out of memory);"
                    " the file was not checked; please report it",
                )
            ]
        ),
        [],
        None,
    )


def _survey_one(display: str, max_size: int, cache: ResultCache, settings: Settings) -> _Survey:
    """Look at one file: taken from the cache when it is unchanged, else read for its key and kind."""
    info = None
    if cache.enabled:
        try:
            info = os.lstat(display)
            if stat.S_ISLNK(info.st_mode):
                info = os.stat(display)  # its target's state; never trusted unread, the link must be judged
            else:
                entry = cache.unchanged(display, info)
                if entry is not None:
                    return _Survey(display, info, entry.key, entry.stack, entry)
        except OSError:
            info = None  # reading it says why
    data = read_manifest(Path(display), max_size, _project_of(display, settings))
    if isinstance(data, Finding):
        from worker_lint.run.engine import file_problem

        return _Survey(display, problem=FileResult([file_problem(display, data.code, data.message)]))
    # A Bundle's and a Data Product's result depend on the files they name, and a suppression comment's on
    # the run's selection.
    types = _file_kinds(data)
    if not (cache.enabled and _DIRECTIVE not in data and not types & _NAMING):
        return _Survey(display, info, None, "stack" in types)
    digest = content_digest(data)
    return _Survey(display, info, cache.key_for_digest(display, digest), "stack" in types, digest=digest)


def _project_of(display: str, settings: Settings) -> Callable[[], Path]:
    """The folder a symbolic link among the linted files must not lead out of (asked only of links)."""

    def project() -> Path:
        from worker_lint.dataos.bundle import project_root

        return project_root(display, settings)

    return project


def _file_kinds(data: bytes) -> set[str]:
    # imported here: a run answered from the cache reads no file and never needs the YAML parser it loads
    from worker_lint.dataos.resource import file_kinds

    return file_kinds(data)


def _survey_buffer(display: str, data: bytes | Finding) -> _Survey:
    """An in-memory file: never cached, since no stat of the disk can vouch for it later."""
    if isinstance(data, Finding):
        from worker_lint.run.engine import file_problem

        return _Survey(display, problem=FileResult([file_problem(display, data.code, data.message)]))
    return _Survey(display, stack="stack" in _file_kinds(data))


def stack_dir_files(settings: Settings) -> list[str]:
    """The Stack definitions in the configured `stack-dirs`, which are not linted themselves."""
    from worker_lint.run.files import yaml_files_under

    found = []
    for folder in settings.stack_dirs:
        for path in yaml_files_under(folder):
            data = read_or_none(path, settings.max_file_size)
            if data is not None and "stack" in _file_kinds(data):
                found.append(str(path))
    return found


def _init(
    settings: Settings,
    stacks: list[str],
    buffers: dict[str, bytes],
    unsaved: dict[str, bytes] | None = None,
    scripts: Sharing | None = None,
) -> None:
    """Per process: the run's settings, its Stack definitions, the files given in memory, and how the
    run's processes share the shell scripts they read."""
    global _STATE
    from worker_lint.checks.context import Project
    from worker_lint.run.engine import prescan_stacks

    by_path = {Path(os.path.realpath(name)): data for name, data in (unsaved or {}).items()}
    project = Project(settings, unsaved=by_path)
    prescan_stacks(stacks, settings, project, buffers)
    if scripts is not None:
        from worker_lint.dataos import shared_scripts

        shared_scripts.share(scripts)
    _STATE = _State(settings, project, buffers, by_path, scripts is not None)


def _lint_one(display: str) -> _Started:
    """One file linted (its result ``Suspended`` when its checks wait for scripts: ``_lint_batch`` resumes it)."""
    from worker_lint.run.engine import file_problem, start_text

    assert _STATE is not None
    settings = _STATE.settings
    data: bytes | Finding | None = _STATE.buffers.get(display)
    if data is None:
        data = _unsaved(display)
    if data is None:
        data = read_manifest(Path(display), settings.max_file_size, _project_of(display, settings))
    if isinstance(data, Finding):
        return display, FileResult([file_problem(display, data.code, data.message)]), [], None
    project = _STATE.project
    project.pending.clear()
    project.reads.clear()
    # A file's trees hold no reference cycles worth collecting while it is checked, and the
    # collector's passes over millions of fresh nodes cost a third of a big file's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = start_text(data, display, _STATE.settings, project)
    finally:
        if collecting:
            gc.enable()
    refers = list(project.pending)
    project.pending.clear()
    if project.reads and isinstance(result, FileResult):  # a Bundle, which has no scripts to wait for
        result = result._replace(references=tuple(sorted(map(str, project.reads))))
        project.reads.clear()
    # the digest of the bytes linted: the cache keeps, and a fix applies to, the result of these bytes only
    return display, result, refers, content_digest(data)


def _unsaved(display: str) -> bytes | None:
    """An open document's contents, when a file a Bundle names is open in the editor."""
    assert _STATE is not None
    if not _STATE.unsaved:
        return None
    return _STATE.unsaved.get(Path(os.path.realpath(display)))


def _digest(paths: list[str], max_size: int, buffers: Mapping[str, bytes | Finding] = MappingProxyType({})) -> str:
    """Stack definitions change other files' results: the cache holds for these contents only."""
    h = blake2b(digest_size=32)
    for p in sorted(paths):
        given = buffers.get(p)
        data = given if isinstance(given, bytes) else read_or_none(Path(p), max_size)
        h.update(os.fsencode(p) + b"\0" + (data if data is not None else b"-"))
    return h.hexdigest()


def _display(path: Path) -> str:
    from worker_lint.core.paths import relative

    return relative(os.path.realpath(path))
