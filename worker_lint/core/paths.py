"""How a path is shown: relative to a folder when it lies inside it, absolute otherwise, always with `/`.

Messages, reports, baselines and the cache all name files; naming them one way keeps a
diagnostic's path the same in every report and across machines.
"""

from __future__ import annotations

import os
from pathlib import Path


def relative(path: str | Path, base: str | Path | None = None, *, climb: bool = False) -> str:
    """``path`` relative to ``base`` (the working directory by default) when inside it, else absolute.

    With ``climb``, a path outside ``base`` is relative too (`../x.yaml`): a baseline beside a
    sub-folder names files so on every machine. Standard input keeps its name (`<stdin>`).
    """
    text = os.fspath(path)
    if text.startswith("<") and text.endswith(">"):
        return text
    absolute = os.path.abspath(text)
    folder = os.path.abspath(base) if base is not None else os.getcwd()
    try:
        shown = os.path.relpath(absolute, folder)
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()
    if not climb and (shown == os.pardir or shown.startswith(os.pardir + os.sep)):
        return Path(absolute).as_posix()
    return Path(shown).as_posix()


_TOPS: dict[Path, Path | None] = {}


def repo_top(folder: Path) -> Path | None:
    """The closest folder at or above ``folder`` holding `.git` (a folder, or a file in worktrees)."""
    folder = Path(os.path.abspath(folder))
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
