"""Inline suppression: `# worker-lint: disable[-next-line|-file][=WL201,...] [-- reason]` comments.

Directives are found by scanning the raw lines, as yamllint does, but only
real YAML comments count: the YAML scanner's tokens say where quoted and
block scalars lie, so a ``#`` inside a string (or a whole "comment" line
inside a ``|`` block of SQL) is text, not a directive.  Such a look-alike gets
WL052 instead of silently doing nothing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Diagnostic, Finding, Span

if TYPE_CHECKING:
    from worker_lint.core.fix import FixSpec

UNUSED = "WL050"
INVALID = "WL051"
IN_SCALAR = "WL052"
OWN_CODES = (UNUSED, INVALID, IN_SCALAR)

_MARKER = "worker-lint:"
_START = lazy_re.compile(r"#[ \t]*worker-lint:")
_ACTION = lazy_re.compile(r"(disable-next-line|disable-file|disable)\b[ \t]*(=?)[ \t]*(.*)$")
#: a built-in rule's code or a policy's (`ORG001`)
_CODE = lazy_re.compile(r"^[A-Z]+[0-9]{3,}$")
#: a comment inside a directive's comment ends it: `# worker-lint: disable=WL201  # note`
_NESTED = lazy_re.compile(r"[ \t]#(?=[ \t]|$)")


@dataclass
class Directive:
    action: str  # "disable", "disable-next-line" or "disable-file"
    line: int  # where the comment is
    span: Span  # the directive's text, for WL050
    codes: dict[str, Span]  # code -> where it is written; empty means every rule
    reason: str | None
    target: int | None  # the line it covers; None for the whole file (or nothing to cover)
    own_line: bool
    used: set[str] = field(default_factory=set)  # codes it suppressed; "*" for a blanket one

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.codes and diagnostic.code not in self.codes:
            return False
        if self.action == "disable-file":
            return True
        return self.target is not None and diagnostic.span.line == self.target


@dataclass
class Scan:
    directives: list[Directive]
    findings: list[Finding]  # WL051 and WL052, found while reading the comments


def apply(
    text: str,
    diagnostics: Sequence[Diagnostic],
    selected: Callable[[str], bool] | None = None,
    known_codes: Collection[str] | None = None,
) -> tuple[list[Diagnostic], list[Diagnostic], list[Finding]]:
    """Split ``diagnostics`` into kept and suppressed, and report the directives' own problems.

    Suppressed diagnostics carry the directive's reason in
    ``suppression_reason`` (None when it gave none).  The findings are WL050
    for a directive, or a code in it, that suppressed nothing, WL051 for a
    malformed directive and WL052 for a directive that sits inside a string.
    ``selected`` says which codes this run reports: a directive's code that is
    not selected cannot be judged unused, and a blanket directive is judged
    only when every code in ``known_codes`` is selected (or no ``selected`` is
    given).  ``known_codes`` also lets WL051 name unknown codes.
    """
    if _MARKER not in text:  # nearly every file: no scan at all
        return list(diagnostics), [], []
    scan = scan_directives(text, known_codes)
    kept, suppressed = _split(diagnostics, scan.directives)
    lines = text.split("\n")
    findings = _unused(scan.directives, selected, known_codes, skip=OWN_CODES, lines=lines)
    own = _filter_own(scan.findings + findings, scan.directives)
    # Directives that name the suppression rules themselves are judged last, once those findings exist.
    own += _unused(scan.directives, selected, known_codes, only=OWN_CODES, lines=lines)
    own.sort(key=lambda f: (f.span.line, f.span.column, f.code) if f.span else (0, 0, f.code))
    return kept, suppressed, own


def _split(diagnostics: Iterable[Diagnostic], directives: list[Directive]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    kept: list[Diagnostic] = []
    suppressed: list[Diagnostic] = []
    # A line's own directive gives the reason before a file-wide one does.
    ordered = sorted(directives, key=lambda d: d.action == "disable-file")
    for diagnostic in diagnostics:
        reason: str | None = None
        hit = False
        for directive in ordered:
            if directive.covers(diagnostic):
                directive.used.add(diagnostic.code if directive.codes else "*")
                if not hit:
                    reason = directive.reason
                hit = True
        if hit:
            suppressed.append(diagnostic._replace(suppression_reason=reason))
        else:
            kept.append(diagnostic)
    return kept, suppressed


def _filter_own(findings: list[Finding], directives: list[Directive]) -> list[Finding]:
    """Drop WL05x findings that a directive naming that code covers (a blanket one never does)."""
    out = []
    for finding in findings:
        line = finding.span.line if finding.span else 0
        covering = [
            d for d in directives if finding.code in d.codes and (d.action == "disable-file" or d.target == line)
        ]
        for directive in covering:
            directive.used.add(finding.code)
        if not covering:
            out.append(finding)
    return out


def _unused(
    directives: list[Directive],
    selected: Callable[[str], bool] | None,
    known: Collection[str] | None,
    skip: Collection[str] = (),
    only: Collection[str] | None = None,
    lines: list[str] | None = None,
) -> list[Finding]:
    findings = []
    for directive in directives:
        if not directive.codes:
            if only is not None or directive.used or not _judge_blanket(selected, known):
                continue
            findings.append(
                Finding(
                    UNUSED,
                    (),
                    _unused_message(directive, None),
                    span=directive.span,
                    fixes=_removal(directive, None, lines),
                )
            )
            continue
        for code, span in directive.codes.items():
            if code in directive.used or code in skip or (only is not None and code not in only):
                continue
            if selected is not None and not selected(code):
                continue
            if known is not None and code not in known:
                continue  # WL051 already says the code is unknown
            whole = len(directive.codes) == 1
            findings.append(
                Finding(
                    UNUSED,
                    (),
                    _unused_message(directive, code),
                    span=directive.span if whole else span,
                    fixes=_removal(directive, None if whole else span, lines),
                )
            )
    return findings


def _removal(directive: Directive, code: Span | None, lines: list[str] | None) -> tuple[FixSpec, ...]:
    """Remove the directive (the whole line when it is alone on it), or one code and its comma from its list."""
    if lines is None or not 1 <= directive.line <= len(lines):
        return ()
    from worker_lint.core.fix import SAFE, replace_span, spec

    line = lines[directive.line - 1].rstrip("\r")
    n = directive.line
    if code is not None:
        after = re.match(r"[ \t]*,[ \t]*", line[code.end_column - 1 :])
        if after:
            region = Span(n, code.column, n, code.end_column + after.end())
        else:
            before = re.search(r"[ \t]*,[ \t]*$", line[: code.column - 1])
            if before is None:
                return ()
            region = Span(n, before.start() + 1, n, code.end_column)
        return (spec("Remove the unused code from the suppression comment", SAFE, replace_span(region, "")),)
    span = directive.span
    rest = line[span.end_column - 1 :]
    if directive.own_line and not rest.strip():
        region = Span(n, 1, n + 1, 1)
    elif directive.own_line:
        region = Span(n, span.column, n, span.end_column + len(rest) - len(rest.lstrip(" \t")))
    else:
        start = len(line[: span.column - 1].rstrip(" \t"))
        region = Span(n, start + 1, n, span.end_column)
    return (spec("Remove the unused suppression comment", SAFE, replace_span(region, "")),)


def _judge_blanket(selected: Callable[[str], bool] | None, known: Collection[str] | None) -> bool:
    if selected is None:
        return True
    return known is not None and all(selected(code) for code in known)


def _unused_message(directive: Directive, code: str | None) -> str:
    where = {"disable": "on this line", "disable-file": "in this file"}.get(
        directive.action, f"on line {directive.target}" if directive.target else "after this comment"
    )
    if code is None:
        message = f"this suppression comment suppressed nothing: no diagnostic is reported {where}; remove it"
    else:
        message = f"`{code}` is not reported {where}, so disabling it does nothing; remove it from the comment"
    if directive.action == "disable" and directive.own_line:
        message += "; a `disable` comment on a line of its own covers only that line: use `disable-next-line`"
    return message


# -- reading the comments -----------------------------------------------------------------------------------------


def scan_directives(text: str, known_codes: Collection[str] | None = None) -> Scan:
    """Every directive in real comments, plus WL051/WL052 findings for malformed and misplaced ones."""
    scalars = _Scalars(text)
    lines = text.split("\n")
    directives: list[Directive] = []
    findings: list[Finding] = []
    offset = 0
    for number, line in enumerate(lines, start=1):
        line_offset = offset
        offset += len(line) + 1
        if _MARKER not in line:
            continue
        comment_at = scalars.comment_start(line, line_offset)
        for match in _START.finditer(line):
            column = match.start()
            if comment_at is not None and column >= comment_at:
                parsed = _parse(line, number, column, lines, known_codes)
                (directives if isinstance(parsed, Directive) else findings).append(parsed)  # type: ignore[arg-type]
                break
            kind = scalars.kind_at(line_offset + column)
            if kind is not None:
                end = column + 1 + len(_NESTED.split(line[column + 1 :], 1)[0].rstrip())
                end = min(end, scalars.content_end(line_offset + column) - line_offset)
                findings.append(
                    Finding(
                        IN_SCALAR,
                        (),
                        f"this `# worker-lint:` text is inside a {kind}, so it is"
                        " part of the value and suppresses nothing; put the comment on a line"
                        " outside the value",
                        span=Span(number, column + 1, number, end + 1),
                    )
                )
                break
    return Scan(directives, findings)


class _Scalars:
    """Character ranges of quoted and block scalars, from the YAML scanner, and how far it got.

    After a syntax error the scanner stops; beyond that point every ``#``
    after whitespace is taken for a comment, which is right outside strings.
    """

    def __init__(self, text: str) -> None:
        # The scanner alone: a full loader names itself as its own parser, composer and resolver,
        # a reference cycle that would keep libyaml's buffers for every text until a collection.
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
        from ruamel.yaml.error import YAMLError

        self.starts: list[int] = []
        self.ends: list[int] = []
        self.kinds: list[str] = []
        self.scanned_to = len(text) + 1
        loader = CParser(text)
        try:
            while loader.check_token():
                token = loader.get_token()
                style = getattr(token, "style", None)
                if style in ("|", ">", '"', "'"):
                    self.starts.append(token.start_mark.index)
                    self.ends.append(token.end_mark.index)
                    self.kinds.append("block scalar" if style in ("|", ">") else "quoted string")
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.scanned_to = mark.index if mark is not None else 0
        finally:
            loader.dispose()

    def kind_at(self, offset: int) -> str | None:
        """``"block scalar"`` or ``"quoted string"`` when ``offset`` lies inside one; otherwise None."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.kinds[i]
        return None

    def content_end(self, offset: int) -> int:
        """Where the text of the scalar holding ``offset`` ends: before a closing quote."""
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.ends[i] - (1 if self.kinds[i] == "quoted string" else 0)

    def comment_start(self, line: str, line_offset: int) -> int | None:
        """The column (0-based) where the line's YAML comment starts, if it has one."""
        for match in re.finditer(r"(?:^|(?<=[ \t]))#", line):
            absolute = line_offset + match.start()
            if absolute >= self.scanned_to or self.kind_at(absolute) is None:
                return match.start()
        return None


def _parse(
    line: str, number: int, column: int, lines: list[str], known_codes: Collection[str] | None
) -> Directive | Finding:
    body_start = line.index(_MARKER, column) + len(_MARKER)
    body = _NESTED.split(line[body_start:], 1)[0]
    end_column = body_start + len(body.rstrip())
    span = Span(number, column + 1, number, end_column + 1)
    reason: str | None = None
    head = body
    cut = re.search(r"[ \t]--(?:[ \t]|$)", body)
    if cut is not None:
        head, reason = body[: cut.start()], body[cut.end() :].strip() or None
    match = _ACTION.match(head.strip())
    if match is None:
        word = head.strip().split("=")[0].split()[0] if head.strip() else ""
        hint = _did_you_mean_action(word)
        return Finding(
            INVALID,
            (),
            f"`{word or '(nothing)'}` is not a worker-lint directive; write `disable`,"
            f" `disable-next-line` or `disable-file`{hint}",
            span=span,
        )
    action, equals, rest = match.groups()
    codes_text = rest.strip()
    if codes_text and not equals:
        return Finding(INVALID, (), f"write `{action}={codes_text.replace(' ', '')}`: codes follow an `=`", span=span)
    if equals and not codes_text:
        return Finding(
            INVALID,
            (),
            f"no rule codes after `{action}=`; list codes such as `WL201`, or drop the `=` to disable every rule",
            span=span,
        )
    codes: dict[str, Span] = {}
    search_from = body_start + (line[body_start:].index("=") + 1 if equals else 0)
    for raw in codes_text.split(",") if codes_text else ():
        code = raw.strip()
        at = line.find(code, search_from) if code else search_from
        search_from = at + len(code)
        code_span = Span(number, at + 1, number, at + len(code) + 1)
        if not _CODE.match(code):
            return Finding(INVALID, (), f"`{code}` is not a rule code such as `WL201`", span=code_span)
        if known_codes is not None and code not in known_codes:
            return Finding(INVALID, (), f"`{code}` is not a worker-lint rule code", span=code_span)
        codes.setdefault(code, code_span)
    own_line = not line[:column].strip()
    target: int | None = number
    if action == "disable-file":
        target = None
    elif action == "disable-next-line":
        target = _next_content_line(lines, number)
    return Directive(action, number, span, codes, reason, target, own_line)


def _next_content_line(lines: list[str], number: int) -> int | None:
    """The next line that is neither blank nor only a comment (1-based), if any."""
    for index in range(number, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index + 1
    return None


def _did_you_mean_action(word: str) -> str:
    from worker_lint.core.suggest import closest

    if word == "enable":
        return " (each directive covers one line or the file, so there is nothing to enable)"

    close = closest(word, ["disable", "disable-next-line", "disable-file"])
    return f" (did you mean `{close[0]}`?)" if close else ""
