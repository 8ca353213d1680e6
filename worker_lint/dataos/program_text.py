"""The program a manifest carries in a string (a shell script, a Python file), as its interpreter will read it.

Documentation placeholders (`${{worker-name}}`) are filled in before the
program runs, so a checker must not read them as code: each is replaced by
underscores of the same length (a word to a shell, a name to Python), as
actionlint does with `${{ }}` in a workflow's `run:`.  The replacement keeps
every offset, so what the checker reports about the program is at the same
offset in the value, and ``Finding.within`` places it in the file.
"""

from __future__ import annotations

from typing import NamedTuple

from worker_lint.dataos import templating


class Program(NamedTuple):
    """A value with its placeholders blanked, and where they were (a finding there is about the placeholder)."""

    text: str
    blanked: tuple[tuple[int, int], ...]

    def at_blank(self, offset: int) -> bool:
        """Whether ``offset`` is in a blanked placeholder or next to it: a finding there is about what fills it.

        A finding that only spans one (`[[ -n ${{name}} ]]`) is about the construct around it, and stands.
        """
        return any(first - 1 <= offset <= end for first, end in self.blanked)


def blank(text: str, kinds: frozenset[str]) -> Program:
    """``text`` with the templating tokens of ``kinds`` replaced by same-length underscores (line breaks kept)."""
    tokens = [t for t in templating.scan(text) if t.kind in kinds]
    if not tokens:
        return Program(text, ())
    out: list[str] = []
    position = 0
    for token in tokens:
        out.append(text[position : token.start])
        out.append("".join("\n" if c == "\n" else "_" for c in text[token.start : token.end]))
        position = token.end
    out.append(text[position:])
    return Program("".join(out), tuple((t.start, t.end) for t in tokens))


def has_kind(text: str, kinds: frozenset[str]) -> bool:
    """Whether ``text`` holds a templating token of ``kinds`` (a Liquid tag: the program is rendered first)."""
    return any(t.kind in kinds for t in templating.scan(text))


def line_offset(text: str, line: int, column: int) -> int:
    """The offset in ``text`` of a 1-based line and column, as interpreters report positions (clamped)."""
    start = 0
    for _ in range(max(line, 1) - 1):
        brk = text.find("\n", start)
        if brk == -1:
            return len(text)
        start = brk + 1
    brk = text.find("\n", start)
    line_end = len(text) if brk == -1 else brk
    return min(start + max(column, 1) - 1, line_end)
