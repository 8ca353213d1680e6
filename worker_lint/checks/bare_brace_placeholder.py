"""WL303: an old-style `{{name}}` placeholder written bare, which YAML reads as a mapping, not as text.

Two places show one: a key the parser built as a collection (the document's
``brace_keys``), and, once a syntax error has stopped the parser, the raw
lines past the last document it read (``{{dataos:type:resource}}`` makes a
whole stream unparsable).  The placeholder is the one cause of the shape the
value has: the finding hides the missing-field, name and shape errors there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check, stream_check
from worker_lint.checks.schema_keywords import MISSING_FIELD, SHAPE_CODES
from worker_lint.core.diagnostic import Finding, Span

if TYPE_CHECKING:
    from worker_lint.checks.context import Context, Stream
    from worker_lint.dataos.resource import Resource

_INVALID_NAME = "WL106"
_SYNTAX_ERROR = "WL001"


@check("WL303", kinds=None, hides={MISSING_FIELD, _INVALID_NAME, *SHAPE_CODES})
def bare_brace_placeholder(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.prefix or ctx.document is None:
        return  # the document's keys, reported once, with the document's own resource
    for key in ctx.document.brace_keys:
        yield Finding("WL303", key.path, _message(key.token), span=key.span)


@stream_check("WL303")
def placeholders_past_syntax_error(stream: Stream) -> Iterator[Finding]:
    """The bare placeholders no check sees: those past the line where a syntax error stopped the parser."""
    if "{{" not in stream.text or not any(error.code == _SYNTAX_ERROR for error in stream.errors):
        return
    from worker_lint.dataos.templating import bare_brace_spans

    for line, column, end, token in bare_brace_spans(stream.text):
        if line > stream.after:
            yield Finding("WL303", (), _message(token), span=Span(line, column, line, end))


def _message(token: str) -> str:
    return (
        f"`{token}` is a template placeholder that was never filled in; YAML reads bare braces as a mapping,"
        " so replace it with a real value"
    )
