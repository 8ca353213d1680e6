"""Paths to lint: expand folders to YAML files, drop excluded and git-ignored ones."""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from worker_lint.config import is_excluded
from worker_lint.settings import Settings

YAML_SUFFIXES = (".yaml", ".yml")
#: folders never worth walking into, whatever the configuration says
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
                          ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", ".worker-lint-cache"})


def collect(paths: Sequence[str | Path], settings: Settings, respect_gitignore: bool = True) -> list[Path]:
    """The files to lint, in a stable order.

    A folder is walked for ``*.yaml``/``*.yml`` files, hidden ones and
    dependency folders (`node_modules`, virtual environments) aside; `exclude` globs apply to
    folders, walked files and files named explicitly alike, so a pre-commit run
    (which names every file) honours them.  Files that ``.gitignore`` excludes
    are skipped when found by walking, never when named explicitly.  ``-``
    (standard input) and paths that do not exist are passed through for the
    caller to read or report.
    """
    out: list[Path] = []
    walked: list[Path] = []
    for item in paths:
        path = Path(item)
        if str(item) == "-" or not path.exists():
            out.append(path)
        elif path.is_dir():
            if not is_excluded(path, settings):
                walked += _walk(path, settings)
        elif not is_excluded(path, settings):
            out.append(path)
    if respect_gitignore and walked:
        ignored = git_ignored(walked)
        walked = [p for p in walked if p not in ignored]
    seen: set[Path] = set()
    unique = []
    for path in out + walked:
        if path not in seen:
            seen.add(path)
            unique.append(path)
    return unique


def _walk(top: Path, settings: Settings) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(top):
        base = Path(folder)
        # Hidden files and folders (`.github/`, `.pre-commit-config.yaml`, this tool's own configuration)
        # are never DataOS manifests; they are linted only when named.
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")
                         and not is_excluded(base / d, settings))
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES) and not name.startswith(".") and not is_excluded(base / name, settings):
                found.append(base / name)
    return sorted(found)


def git_ignored(paths: Iterable[Path]) -> set[Path]:
    """The paths git would ignore, asked of ``git check-ignore`` once per repository.

    Tracked files are never reported (git's own rule).  Outside a repository,
    or without git installed, nothing is ignored.
    """
    import subprocess  # only a folder walk inside a repository asks git

    by_repo: dict[Path, list[Path]] = {}
    for path in paths:
        top = repo_top(Path(os.path.abspath(path)).parent)
        if top is not None:
            by_repo.setdefault(top, []).append(path)
    ignored: set[Path] = set()
    for top, members in by_repo.items():
        absolute = {os.path.abspath(p): p for p in members}
        payload = "\0".join(absolute) + "\0"
        try:
            done = subprocess.run(["git", "-C", str(top), "check-ignore", "--stdin", "-z"], input=payload.encode(),
                                  capture_output=True, check=False)
        except OSError:
            return set()
        if done.returncode not in (0, 1):  # 128: not a repository after all, or a path outside it
            continue
        for name in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
            if name:
                original = absolute.get(os.path.abspath(os.path.join(top, name)))
                if original is not None:
                    ignored.add(original)
    return ignored


_TOPS: dict[Path, Path | None] = {}


def repo_top(folder: Path) -> Path | None:
    """The closest folder at or above ``folder`` holding `.git` (a folder, or a file in worktrees)."""
    if folder in _TOPS:
        return _TOPS[folder]
    visited = []
    top: Path | None = None
    for candidate in (folder, *folder.parents):
        if candidate in _TOPS:
            top = _TOPS[candidate]
            break
        visited.append(candidate)
        if (candidate / ".git").exists():
            top = candidate
            break
    for candidate in visited:
        _TOPS[candidate] = top
    return top
