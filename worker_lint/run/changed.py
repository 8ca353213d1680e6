"""`check --changed-since REF`: the files changed since a git revision, and the Bundles that name them.

Changed means committed since REF (from where the current branch left it: their merge base),
staged, unstaged or untracked, as git reports it with the same hardening as every other git
command of a run (`files.GIT_SAFETY`: the tree's own hooks and fsmonitor never run). A Bundle
whose `file:` names a changed file (deleted ones included: the Bundle is what breaks) is linted
too, and so is a Bundle naming that Bundle, and so on; nothing else is.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from worker_lint.core.paths import repo_top
from worker_lint.core.settings import Settings
from worker_lint.run.bundles import named_files, read_bundles
from worker_lint.run.files import GIT_SAFETY, git_env


class ChangedSinceError(Exception):
    """REF cannot be compared with: no repository, no git, or no such revision. A usage error."""


def changed_since(ref: str, folder: Path) -> set[Path]:
    """The resolved paths of the files of ``folder``'s repository changed since ``ref``, deleted ones included."""
    top = repo_top(folder)
    if top is None:
        raise ChangedSinceError(f"--changed-since needs a git repository, and {folder} is not inside one")
    commit = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if commit is None:
        raise ChangedSinceError(f"--changed-since: `{ref}` is not a revision of the repository at {top}")
    base = _git(top, "merge-base", commit, "HEAD") or commit  # unrelated histories: compare with REF itself
    listed = [
        _git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", base, "--"),
        _git(top, "ls-files", "--others", "--exclude-standard", "-z"),
    ]
    if listed[0] is None or listed[1] is None:
        raise ChangedSinceError(f"--changed-since: git could not list the changes since `{ref}` in {top}")
    real_top = Path(os.path.realpath(top))
    return {real_top / name for output in listed if output for name in output.split("\0") if name}


def _git(top: Path, *args: str) -> str | None:
    """Standard output of a git command in ``top`` with its last line break removed; None when it fails."""
    try:
        done = subprocess.run(
            ["git", *GIT_SAFETY, "-C", str(top), *args], capture_output=True, check=False, env=git_env()
        )
    except OSError:
        raise ChangedSinceError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        return None
    return os.fsdecode(done.stdout).removesuffix("\n")


def select(files: Sequence[str], changed: set[Path], settings_of: Callable[[str], Settings]) -> list[str]:
    """Among ``files`` (what the run would lint), the changed ones and the Bundles that name one, transitively."""
    real = {display: Path(os.path.realpath(display)) for display in files}
    chosen = {display for display, path in real.items() if path in changed}
    roots: dict[Path, Path] = {}
    names: dict[str, set[Path]] = {}  # each Bundle file's named files, resolved
    for display in files:
        settings = settings_of(display)
        named = {
            Path(os.path.realpath(path))
            for res in read_bundles(display, settings)
            for path in named_files(display, res, settings, roots)
        }
        if named:
            names[display] = named
    reached = changed | {real[display] for display in chosen}
    grew = True
    while grew:  # a Bundle naming a chosen Bundle is chosen in turn
        grew = False
        for display, named in names.items():
            if display not in chosen and named & reached:
                chosen.add(display)
                reached.add(real[display])
                grew = True
    return [display for display in files if display in chosen]
