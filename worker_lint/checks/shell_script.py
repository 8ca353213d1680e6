"""WL134, WL135: the shell script a container runs (`sh -c "..."`), checked with shellcheck.

A container Worker whose `command` and leading `arguments` are a shell given
`-c` (`sh -c`, `bash -c`, `/bin/sh -ec`, `/usr/bin/env bash -c`) runs the next
word as a script (``dataos.shell_command``), in the dialect the command names.
A script the shell cannot parse (shellcheck's SC1xxx errors) fails the pod at
start-up: an error (WL134); shellcheck's other findings are warnings (WL135),
its code and page in the message, as actionlint reports them for `run:` steps.
The rule option `ignore` of WL135 lists the SC codes not reported.

Documentation placeholders are blanked first (``dataos.program_text``);
`${VAR}` apply-time variables are left as the shell sees them.  A finding at a
placeholder is about what fills it, and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding, Within
from worker_lint.dataos import program_text, templating
from worker_lint.dataos.shell_command import ShellScript, find_script

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.program_text import Program
    from worker_lint.dataos.resource import Resource
    from worker_lint.dataos.shellcheck import Comment

SYNTAX_ERROR = "WL134"
SHELLCHECK = "WL135"

#: filled in before the container starts: a word to the shell
_FILLED = frozenset({templating.DOC_PLACEHOLDER, templating.MALFORMED})
#: shellcheck's note that only accompanies a parse error ("the mentioned syntax error was in this ...")
_NOTE = 1009
#: its general parse errors ("couldn't parse this ...", "fix any mentioned problems and try again"): shown
#: only when no specific one says what is wrong (one cause, one diagnostic)
_GENERAL = frozenset({1072, 1073})


def start_shellcheck(res: Resource, ctx: Context) -> None:
    """Have shellcheck start on the script now, to read it while the other checks run (not when the run's
    processes share their scripts' reading: ``dataos.shared_scripts``)."""
    found = _script(res, ctx)
    if found is not None and ctx.project.waiting_for is None:
        from worker_lint.dataos import shellcheck

        shellcheck.start(found[1].text, found[0].dialect)


@check(SYNTAX_ERROR, SHELLCHECK, kinds={"worker"}, prepare=start_shellcheck)
def shell_script(res: Resource, ctx: Context) -> Iterator[Finding]:
    script = _script(res, ctx)
    if script is None:
        return
    found, program = script
    from worker_lint.dataos import shellcheck  # only a Worker that runs a shell script needs it

    waiting_for = ctx.project.waiting_for
    if waiting_for is not None:
        from worker_lint.dataos import shared_scripts

        if not shared_scripts.known(program.text, found.dialect):
            waiting_for.append((found.dialect, program.text))  # read with the run's other scripts, then resumed
            return
    comments = shellcheck.check(program.text, found.dialect)
    if not comments:
        return
    ignored = _codes(ctx.option(SHELLCHECK, "ignore", []))
    errors = {c.code for c in comments if _parse_error(c)}
    hidden = {_NOTE} | (_GENERAL if errors - _GENERAL else set()) if errors else set()
    path = (res.body_key, "stackSpec", found.field, found.item)
    for comment in comments:
        if comment.code in ignored or comment.code in hidden:
            continue
        start = program_text.line_offset(program.text, comment.line, comment.column)
        stop = program_text.line_offset(program.text, comment.end_line, comment.end_column)
        stop = max(stop, start + 1)
        if program.at_blank(start):
            continue
        start = min(start, max(len(program.text) - 1, 0))  # at the end of the script: its last character
        error = _parse_error(comment)
        code = SYNTAX_ERROR if error else SHELLCHECK
        message = (
            f"{found.dialect} script: SC{comment.code}: {_sentence(comment.message)}"
            f" (see https://www.shellcheck.net/wiki/SC{comment.code})"
        )
        if error:
            message += "; the shell refuses the script when the container starts"
        yield Finding(code, path, message, within=Within(start, min(stop, max(len(program.text), start + 1))))


def _script(res: Resource, ctx: Context) -> tuple[ShellScript, Program] | None:
    """The script a container Worker runs, if it runs one, with its placeholders blanked: found once, by
    the prepare= hook or else by the check."""
    key = ("shell_script", res.prefix)
    if key in ctx.prepared:
        found: tuple[ShellScript, Program] | None = ctx.prepared[key]
        return found
    found = ctx.prepared[key] = _find_script(res)
    return found


def _find_script(res: Resource) -> tuple[ShellScript, Program] | None:
    body = res.body
    if body is None:
        return None
    stack = body.get("stack")
    # most Workers run another stack, which the stack's text says before its name is read out of it
    if not isinstance(stack, str) or "container" not in stack or _stack_name(stack) != "container":
        return None
    spec = body.get("stackSpec")
    if not isinstance(spec, dict):
        return None
    found = find_script(spec.get("command"), spec.get("arguments"))
    if found is None or not found.script.strip():
        return None
    return found, program_text.blank(found.script, _FILLED)


def _parse_error(comment: Comment) -> bool:
    return comment.level == "error" and comment.code < 2000


def _stack_name(stack: str) -> str:
    """`container` of `container:1.0` or `container+python:1.0`."""
    return stack.partition(":")[0].partition("+")[0].strip()


def _codes(configured: Any) -> frozenset[int]:
    """The SC codes of the `ignore` option: `SC2086`, `sc2086` or `2086`."""
    codes: set[int] = set()
    for item in configured if isinstance(configured, list) else []:
        text = str(item).strip().upper().removeprefix("SC")
        if text.isdigit():
            codes.add(int(text))
    return frozenset(codes)


def _sentence(message: str) -> str:
    return message.rstrip(".")
