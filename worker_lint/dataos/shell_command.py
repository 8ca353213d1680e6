"""The shell script a container runs, found in its `command` and `arguments` as the shell reads its argv.

A container stackSpec's `command` is the entrypoint and `arguments` its
arguments, one list item per word: `[sh, -c, "script"]`, `[/bin/sh]` with
`["-ec", "script"]`, `[/usr/bin/env, bash, -c, "script"]`.  The shell takes
its options (`-e`, `-o pipefail`, `-x`, clusters such as `-euc`) and, with
`-c`, the first word that is not an option as its script; without `-c` that
word is a script file, which is not in the manifest.
"""

from __future__ import annotations

from typing import NamedTuple

#: the shells shellcheck reads, by the name the command gives, and the dialect it is read as
DIALECTS = {"sh": "sh", "ash": "sh", "dash": "dash", "bash": "bash", "ksh": "ksh"}

#: long options that take the next word as their value
_WITH_VALUE = frozenset({"--rcfile", "--init-file"})


class ShellScript(NamedTuple):
    """A script and where it is: the index of its word in the joined `command` + `arguments`."""

    dialect: str
    script: str
    #: the script's word: "command" or "arguments", and its item in that list
    field: str
    item: int


def find_script(command: object, arguments: object) -> ShellScript | None:
    """The `-c` script of a shell command line, or None when the command is not a shell given one."""
    words: list[tuple[str, str, int]] = []  # (word, field, index)
    for field, value in (("command", command), ("arguments", arguments)):
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            return None  # a wrong shape is the schema's to report
        words.extend((word, field, index) for index, word in enumerate(value))
    position = 0
    if words and _base(words[0][0]) in ("env", "busybox"):
        position = 1
        while position < len(words) and words[position][0].startswith("-"):
            position += 1  # `env -i bash -c ...`
    if position >= len(words):
        return None
    dialect = DIALECTS.get(_base(words[position][0]))
    if dialect is None:
        return None
    given_c = False
    position += 1
    while position < len(words):
        word = words[position][0]
        if word == "--":
            position += 1
            break
        if word in _WITH_VALUE:
            position += 2
            continue
        if word[:1] in ("-", "+") and len(word) > 1:
            short = not word.startswith("--")
            if word[0] == "-" and short and "c" in word[1:]:
                given_c = True
            # a cluster ending in `o` or `O` (`-euo pipefail`) takes the next word as that option's value
            position += 2 if short and word[-1] in "oO" else 1
            continue
        break
    if not given_c or position >= len(words):
        return None
    _, field, index = words[position]
    return ShellScript(dialect, words[position][0], field, index)


def _base(word: str) -> str:
    return word.rstrip("/").rsplit("/", 1)[-1]
