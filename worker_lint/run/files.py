"""Paths to lint: expand folders to YAML files, drop excluded and git-ignored ones."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from worker_lint.config import Resolver, is_excluded
from worker_lint.core.paths import repo_top
from worker_lint.core.settings import Settings

YAML_SUFFIXES = (".yaml", ".yml")
#: folders never worth walking into, whatever the configuration says
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".worker-lint-cache",
    }
)


def collect(paths: Sequence[str | Path], settings: Settings | Resolver, respect_gitignore: bool = True) -> list[str]:
    """The files to lint, as the paths to show for them, in a stable order.

    A folder is walked for ``*.yaml``/``*.yml`` files, hidden ones and
    dependency folders (`node_modules`, virtual environments) aside; `exclude` globs apply to
    folders, walked files and files named explicitly alike, so a pre-commit run
    (which names every file) honours them.  Files that ``.gitignore`` excludes
    are skipped when found by walking, never when named explicitly.  ``-``
    (standard input) and paths that do not exist are passed through for the
    caller to read or report.  Paths are strings throughout: a folder of
    thousands of files is walked without a Path object per file.  With a Resolver, each
    path's `exclude` globs are its own folder's configuration's.
    """
    settings_of: Callable[[str], Settings]
    if isinstance(settings, Resolver):
        settings_of = settings.for_folder
    else:
        fixed = settings
        settings_of = lambda _folder: fixed  # noqa: E731
    out: list[str] = []
    walked: list[str] = []
    for item in paths:
        path = str(item)
        if path == "-" or not os.path.exists(path):
            out.append(str(Path(path)) if path != "-" else path)
        elif os.path.isdir(path):
            if not is_excluded(path, settings_of(path)):
                walked += _walk(path, settings_of)
        elif not is_excluded(path, settings_of(os.path.dirname(path))):
            out.append(str(Path(path)))
    if respect_gitignore and walked:
        ignored = git_ignored(walked)
        walked = [p for p in walked if p not in ignored]
    return list(dict.fromkeys(out + walked))


def _walk(top: str, settings_of: Callable[[str], Settings]) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(top):
        base = str(Path(folder))  # spelt as Path spells it, like the named files
        settings = settings_of(base)  # the configuration of this folder's files and sub-folders
        excluding = bool(settings.exclude)
        # Hidden files and folders (`.github/`, `.pre-commit-config.yaml`, this tool's own configuration)
        # are never DataOS manifests; they are linted only when named.
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and not d.startswith(".")
            and not (excluding and is_excluded(os.path.join(base, d), settings))
        )
        for name in files:
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                path = os.path.join(base, name) if base != "." else name
                if not (excluding and is_excluded(path, settings)):
                    found.append(path)
    # in the order of the paths' parts, as Path objects sort: `a/b.yaml` before `a-b/c.yaml`
    return sorted(found, key=lambda path: path.split(os.sep))


def yaml_files_under(folder: str | Path) -> list[Path]:
    """Every YAML file under ``folder`` (one of the configured `stack-dirs`), in a stable order.

    A folder that changes while it is walked ends no run: an entry that
    vanishes or cannot be listed meanwhile is passed over.  Links to folders
    are not followed, so the walk neither loops nor leaves ``folder``.
    """
    found = [Path(top, name) for top, _dirs, files in os.walk(folder) for name in files if name.endswith(YAML_SUFFIXES)]
    return sorted(found)


#: The tree being linted may be a stranger's, with its own `.git/config`: nothing in it that runs a command may
#: apply.  `core.fsmonitor` is run by any command that reads the index, check-ignore among them; hooks and
#: remote helpers are never needed to read ignore rules.
GIT_SAFETY = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "protocol.allow=never",
    "-c",
    "core.untrackedCache=false",
    "--no-optional-locks",
)


def git_env() -> dict[str, str]:
    env = dict(os.environ)  # the user's own settings are trusted; only the tree's are not
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    return env


def git_ignored(paths: Iterable[str]) -> set[str]:
    """The paths git would ignore, asked of ``git check-ignore`` once per repository.

    Tracked files are never reported (git's own rule).  Outside a repository,
    or without git installed, nothing is ignored.
    """
    import subprocess  # only a folder walk inside a repository asks git

    by_repo: dict[Path, dict[str, str]] = {}
    tops: dict[str, Path | None] = {}
    for path in paths:
        absolute = os.path.abspath(path)
        folder = os.path.dirname(absolute)
        if folder not in tops:
            tops[folder] = repo_top(Path(folder))
        top = tops[folder]
        if top is not None:
            by_repo.setdefault(top, {})[absolute] = path
    ignored: set[str] = set()
    for top, originals in by_repo.items():
        payload = b"".join(os.fsencode(path) + b"\0" for path in originals)  # a name need not be UTF-8
        try:
            done = subprocess.run(
                ["git", *GIT_SAFETY, "-C", str(top), "check-ignore", "--stdin", "-z"],
                input=payload,
                capture_output=True,
                check=False,
                env=git_env(),
            )
        except OSError:
            return set()
        if done.returncode not in (0, 1):  # 128: not a repository after all, or a path outside it
            continue
        for name in os.fsdecode(done.stdout).split("\0"):
            if name:
                original = originals.get(os.path.abspath(os.path.join(top, name)))
                if original is not None:
                    ignored.add(original)
    return ignored
