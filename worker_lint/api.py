"""The Python API: lint files and in-memory contents through the very pipeline the command line uses.

Paths, standard input (``--stdin-filename``) and an editor's unsaved buffers all go through
``run.runner.run``: the same bytes under the same name get the same diagnostics whichever way
they come in, with the same Stack definitions, configuration and Bundle references.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from worker_lint.config import Resolver
from worker_lint.core.diagnostic import FileResult, Finding
from worker_lint.core.settings import Settings
from worker_lint.run import runner
from worker_lint.run.files import collect
from worker_lint.run.parallel import Jobs


def lint(
    paths: Iterable[str] = (),
    *,
    buffers: Mapping[str, bytes | str | Finding] | None = None,
    settings: Settings | Resolver | None = None,
    jobs: Jobs = 1,
    cache_dir: Path | None = None,
    collected: bool = False,
    unsaved: Mapping[str, bytes | str] | None = None,
) -> Iterator[tuple[str, FileResult]]:
    """Lint the files under ``paths`` and the contents in ``buffers`` (by the path to report them under).

    Yields ``(display path, result)`` for each file, then for each file their Bundles name.
    A buffer stands for its file: a file that is both given and buffered is linted once, from memory.
    ``collected`` says ``paths`` are already the files to lint (folders expanded, exclusions applied).

    ``settings`` is one Settings for every file, or a :class:`~worker_lint.config.Resolver` that
    finds each file's configuration from its own folder (a buffer's from the folder of the name
    it is given), as the command line does.  Files are then linted in groups of one
    configuration each, in the order of each group's first file, Bundle references after
    their group; a file is linted once however many groups' Bundles name it.

    ``unsaved`` holds an editor's open documents by path: read instead of the disk where a Bundle
    names them, and not linted unless they are among the files or buffers.
    """
    given = {name: data.encode("utf-8") if isinstance(data, str) else data for name, data in (buffers or {}).items()}
    found = list(paths) if collected else collect(list(paths), settings or Settings()) if paths else []
    files = [*given, *(f for f in found if f not in given)]
    open_documents = {
        name: data.encode("utf-8") if isinstance(data, str) else data for name, data in (unsaved or {}).items()
    }
    if not isinstance(settings, Resolver):
        options = runner.Options(jobs=jobs, cache_dir=cache_dir, buffers=given, unsaved=open_documents)
        yield from runner.run(files, settings or Settings(), options)
        return
    groups: dict[int, tuple[Settings, list[str]]] = {}
    for name in files:  # every configuration is read before anything is linted: a broken one fails the run first
        chosen = settings.for_file(name)
        groups.setdefault(id(chosen), (chosen, []))[1].append(name)
    seen = {Path(os.path.realpath(f)) for f in files} if len(groups) > 1 else None
    for chosen, members in groups.values():
        options = runner.Options(
            jobs=jobs,
            cache_dir=cache_dir,
            seen=seen,
            unsaved=open_documents,
            buffers={name: given[name] for name in members if name in given},
        )
        yield from runner.run(members, chosen, options)
