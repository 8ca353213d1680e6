"""Path globs for `exclude` and `per-file-ignores`: anchored to a base folder, `**` across folders."""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path


def anchor(pattern: str, base: Path) -> str:
    """Make a user's glob absolute, relative to ``base`` (the configuration's folder, or the current one).

    As in ``.gitignore``: a pattern with a ``/`` in it (other than a trailing
    one) is anchored to ``base``; one without matches a file or folder of that
    name at any depth below ``base``.  A pattern that names a folder matches
    everything inside it (see :func:`matches`).
    """
    text = pattern.strip().replace("\\", "/")
    stripped = text.rstrip("/")
    root = _escape(_absolute(base)).rstrip("/")
    if stripped == root or stripped.startswith(root + "/"):
        return stripped  # already absolute inside base (a glob this module anchored before)
    if "/" not in stripped:
        return f"{root}/**/{stripped}"
    return f"{root}/{stripped.lstrip('/')}"


def matches(path: Path | str, anchored: str) -> bool:
    """True when ``path`` (made absolute) or one of its folders matches the anchored glob."""
    target = _absolute(path)
    regex = _compile(anchored)
    if regex.fullmatch(target):
        return True
    parent = target
    while True:
        cut = parent.rfind("/")
        if cut <= 0:
            return False
        parent = parent[:cut]
        if regex.fullmatch(parent):
            return True


def _absolute(path: Path | str) -> str:
    return Path(os.path.normpath(os.path.abspath(path))).as_posix()


def _escape(text: str) -> str:
    """Quote glob metacharacters in a literal folder name, so `/work/[x]` stays literal."""
    return re.sub(r"([*?\[])", r"[\1]", text)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    """Translate a glob to a regex: ``*`` and ``?`` stay inside one folder, ``**`` crosses folders."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
                continue
            body = pattern[i + 1:end]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[^/{body}]" if negate else f"(?!/)[{body}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))
