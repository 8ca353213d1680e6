"""Path globs for `exclude` and `per-file-ignores`: anchored to a base folder, `**` across folders."""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path


def anchor(pattern: str, base: Path) -> str:
    """Make a user's glob absolute, relative to ``base`` (the configuration's folder, or the current one).

    As in ``.gitignore``: a pattern with a ``/`` in it (other than a trailing
    one) is anchored to ``base``; one without matches a file or folder of that
    name at any depth below ``base``.  A pattern that names a folder matches
    everything inside it (see :func:`matches`).
    """
    anchored = _anchor(pattern, base)
    try:
        _compile(anchored)  # a glob that cannot match is a usage error now, not a failure per file later
    except InvalidGlob as exc:
        raise InvalidGlob(pattern, exc.problem) from None
    return anchored


def _anchor(pattern: str, base: Path) -> str:
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
    return _compile(anchored).matches(_absolute(path).split("/"))


def _absolute(path: Path | str) -> str:
    return Path(os.path.normpath(os.path.abspath(path))).as_posix()


def _escape(text: str) -> str:
    """Quote glob metacharacters in a literal folder name, so `/work/[x]` stays literal."""
    return re.sub(r"([*?\[])", r"[\1]", text)


class InvalidGlob(ValueError):
    """A glob no path can be matched against (an empty `[]`, a reversed range `[z-a]`)."""

    def __init__(self, pattern: str, problem: str) -> None:
        super().__init__(f"invalid glob `{pattern}`: {problem}")
        self.pattern = pattern
        self.problem = problem


class _Glob:
    """A glob as its folder-name parts: `**` alone matches any number of folders, any other part exactly one.

    Matching runs the parts over the path's folder names as a set of positions
    (one pass, every prefix of the path tried at once), never a regular
    expression over the whole path: one with several `.*`s backtracks in time
    exponential in their number (17 `**/` in a row took 16 s on one path).
    """

    __slots__ = ("parts",)

    def __init__(self, parts: list[re.Pattern[str] | None]) -> None:
        #: None for `**`, else the part's own pattern
        self.parts = parts

    def matches(self, names: list[str]) -> bool:
        """Whether the path ``names`` (split at `/`, so the first is empty) or one of its folders matches."""
        parts, end = self.parts, len(self.parts)
        states = self._closure({0})
        for depth, name in enumerate(names):
            following: set[int] = set()
            for i in states:
                if i == end:
                    continue
                part = parts[i]
                if part is None:
                    following.add(i)  # `**` takes this folder too
                elif part.fullmatch(name):
                    following.add(i + 1)
            if not following:
                return False
            states = self._closure(following)
            # the whole path, or a folder of it (never the bare root `/`)
            if end in states and depth >= 1:
                return True
        return False

    def _closure(self, states: set[int]) -> set[int]:
        """``states`` and every position reached by letting a `**` take no folder."""
        out = set(states)
        todo = list(states)
        while todo:
            i = todo.pop()
            if i < len(self.parts) and self.parts[i] is None and i + 1 not in out:
                out.add(i + 1)
                todo.append(i + 1)
        return out


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> _Glob:
    """Translate a glob, part by part: ``*`` and ``?`` stay inside one folder, a ``**`` part crosses folders.

    Consecutive ``**`` parts are one (they match the same paths).  Inside a
    part, ``**`` is a ``*``, as in ``.gitignore``.
    """
    parts: list[re.Pattern[str] | None] = []
    for text in pattern.split("/"):
        if text == "**":
            if not parts or parts[-1] is not None:
                parts.append(None)
            continue
        parts.append(_part(text, pattern))
    return _Glob(parts)


#: `(?>...)` is in `re` from Python 3.11; before, a lookahead that captures and a backreference to it
#: hold the same place just as firmly (what `fnmatch` itself did on those versions)
_HAS_ATOMIC_GROUPS = sys.version_info >= (3, 11)


def _atomic(source: str, number: int) -> str:
    return f"(?>{source})" if _HAS_ATOMIC_GROUPS else f"(?=(?P<g{number}>{source}))(?P=g{number})"


def _part(text: str, pattern: str) -> re.Pattern[str]:
    """One folder name's pattern; stars become atomic lazy groups, as `fnmatch` makes them.

    ``a*b*c`` as ``a[^/]*b[^/]*c`` backtracks in polynomial time on a long
    name; ``a(?>.*?b).*c`` settles each star at the first place the text
    after it fits, which is always as good as any later one.
    """
    pieces: list[list[str]] = [[]]  # the fixed-width pieces between stars
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "*":
            while i < n and text[i] == "*":
                i += 1
            pieces.append([])
            continue
        if c == "?":
            pieces[-1].append(".")
        elif c == "[":
            end = text.find("]", i + 2 if text[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                pieces[-1].append(re.escape(c))
                i += 1
                continue
            body = text[i + 1 : end]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            if not body:
                raise InvalidGlob(
                    pattern, "`[]` is a set of no characters, which nothing matches (write `[[]` for a literal `[`)"
                )
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            pieces[-1].append(f"[^{body}]" if negate else f"[{body}]")
            i = end + 1
            continue
        else:
            pieces[-1].append(re.escape(c))
        i += 1
    fixed = ["".join(piece) for piece in pieces]
    if len(fixed) == 1:
        source = fixed[0]
    else:
        source = fixed[0] + "".join(_atomic(f".*?{f}", n) for n, f in enumerate(fixed[1:-1])) + ".*" + fixed[-1]
    try:
        return re.compile(source, re.DOTALL)
    except re.error as exc:  # a reversed range, `[z-a]`
        raise InvalidGlob(pattern, exc.msg) from None
