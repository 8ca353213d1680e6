"""WL133: a projected Python file whose `template` is not valid Python.

`use.projection.projections.files[]` writes each item's `template` into the
pod as the file `name`; a `.py` file there is a program the Worker runs (a
verification script), and a syntax error in it fails in the pod, minutes after
the apply.  The template is compiled as Python (nothing runs), with its
placeholders blanked (``dataos.program_text``); a template holding a Liquid tag
is rendered before it is written, so it is not read.  Other file names are not
guessed at.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding, Within
from worker_lint.dataos import program_text, templating

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

CODE = "WL133"

#: filled in before the file is written: read as a name
_FILLED = frozenset(
    {
        templating.DOC_PLACEHOLDER,
        templating.LOWER_PLACEHOLDER,
        templating.APPLY_VARIABLE,
        templating.MALFORMED,
        templating.BRACE_TEMPLATE,
    }
)
#: a template with these is rendered by a template engine first: what the file will hold is unknown
_RENDERED = frozenset({templating.TAG_TEMPLATE})


@check(CODE, kinds={"worker"})
def python_projection(res: Resource, ctx: Context) -> Iterator[Finding]:
    files = res.get(res.body_key, "use", "projection", "projections", "files")
    if not isinstance(files, list):
        return
    for index, item in enumerate(files):
        if not isinstance(item, dict):
            continue
        name, template = item.get("name"), item.get("template")
        if not isinstance(name, str) or not name.endswith(".py") or not isinstance(template, str):
            continue
        path = (res.body_key, "use", "projection", "projections", "files", index, "template")
        finding = _syntax_error(name, template, path)
        if finding is not None:
            yield finding


def _syntax_error(name: str, template: str, path: tuple[str | int, ...]) -> Finding | None:
    if program_text.has_kind(template, _RENDERED):
        return None
    program = program_text.blank(template, _FILLED)
    nul = program.text.find("\0")
    if nul >= 0:  # every Python refuses it: as a syntax error from 3.12 (and 3.11.7), as a ValueError before
        line = program.text.count("\n", 0, nul) + 1
        column = nul - program.text.rfind("\n", 0, nul)
        refused = SyntaxError("source code cannot contain null bytes", (name, line, column, None, line, column + 1))
        return _report(name, program, refused, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (`"\d"`) are not errors, and must not reach stderr
            compile(program.text, name, "exec", dont_inherit=True)
    except SyntaxError as error:
        return _report(name, program, error, path)
    except (ValueError, MemoryError, RecursionError):
        return None  # what the compiler cannot take in (nesting beyond its limits) is not said to be wrong
    return None


def _report(
    name: str, program: program_text.Program, error: SyntaxError, path: tuple[str | int, ...]
) -> Finding | None:
    text = program.text
    start = program_text.line_offset(text, error.lineno or 1, error.offset or 1)
    stop = start + 1
    if error.end_lineno is not None and error.end_offset is not None:
        stop = max(program_text.line_offset(text, error.end_lineno, error.end_offset), start + 1)
    if program.at_blank(start):
        return None  # at a placeholder: what it is filled with decides, not what stands in for it here
    start = min(start, max(len(text) - 1, 0))  # the end of the file (an unclosed bracket): its last character
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    where = f" (line {error.lineno} of the file)" if error.lineno else ""
    message = (
        f"`{name}` is not valid Python (as Python {version} reads it): {error.msg}{where};"
        " fix the code, or the pod fails when it runs it"
    )
    return Finding(CODE, path, message, within=Within(start, min(stop, max(len(text), start + 1))))
