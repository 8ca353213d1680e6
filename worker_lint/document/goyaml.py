"""The platform's verdict on a YAML stream where libyaml and go-yaml part ways.

DataOS and ``dataos-ctl`` are Go programs and read manifests with go-yaml, a
port of libyaml with fixes of its own.  The fast path composes with libyaml
(ruamel.yaml's C composer); this module is reached only when libyaml refuses a
stream for a reason go-yaml does not share, or when the text holds one of the
constructs go-yaml refuses and libyaml accepts.  The differences were found by
the conformance harness in ``conformance/`` (go-yaml v3 and v2 as an oracle):

* go-yaml keeps a ``:`` that is not followed by a space inside an unquoted
  value in ``[...]`` or ``{...}`` (``[localhost:9092]``, ``{url: http://x:8080}``);
  libyaml stops at it.
* go-yaml lets an anchor be defined twice (the later one wins); ruamel.yaml's C
  composer refuses the second.
* go-yaml reads ``\\'`` in a double-quoted string as ``'``; libyaml refuses it.
* go-yaml refuses ``\\/`` in a double-quoted string and any ``%YAML`` directive
  but ``%YAML 1.1``, both of which libyaml accepts.
* go-yaml ends an unquoted value inside ``[...]`` at a ``?``; libyaml reports
  the same stop, which is explained here in the platform's terms.

Streams go-yaml reads are re-read with libyaml's own parser (so every other
rule of the grammar stays libyaml's, which go-yaml shares) with the offending
characters replaced by stand-ins of the same length, so every position stays
exact, and ruamel.yaml's Python composer, which lets an anchor be redefined;
the stand-ins are swapped back in the composed values.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from ruamel.yaml import tokens
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.loader import SafeLoader
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import Resolver

from worker_lint.core.diagnostic import Finding, Span
from worker_lint.document.loader import Loader

try:
    from ruamel.yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    from ruamel.yaml.loader import SafeLoader as _CParser

CODE = "WL004"
PARSER = "DataOS reads YAML with a Go parser (go-yaml)"

_COLON = "found unexpected ':'"
_ESCAPE = "found unknown escape character"
_DUPLICATE_ANCHOR = "second occurrence"


def rescuable(exc: MarkedYAMLError, text: str) -> bool:
    """Whether libyaml stopped for a reason go-yaml does not share."""
    mark = exc.problem_mark
    if mark is None:
        return False
    if exc.problem == _COLON or exc.problem == _DUPLICATE_ANCHOR:
        return True
    return exc.problem == _ESCAPE and text[mark.index : mark.index + 2] == "\\'"


class _EventLoader(Composer, _CParser):  # type: ignore[misc]
    """libyaml's parser under ruamel.yaml's Python composer, which lets an anchor be redefined as go-yaml does."""

    max_depth = 0

    def __init__(self, text: str) -> None:
        _CParser.__init__(self, text)
        self._parser = self
        Composer.__init__(self, loader=self)
        self._resolver = Resolver(loadumper=self)
        self.warn_double_anchors = False


def recompose(text: str) -> tuple[list[tuple[int, Node]], BaseException | None]:
    """The documents of ``text`` as go-yaml reads them, and the error that ends the stream (None when it parses).

    Every stop of libyaml go-yaml does not share is replaced by a stand-in of
    the same length and the stream read again, until it parses or stops for a
    reason go-yaml shares.  The first few stops are replaced one by one; the
    next one has every other found by one scan of the stream, so a stream is
    read at most `_MAX_READS` times, whatever its size or number of stops.
    """

    colon = _stand_in(text)
    work = text
    quotes: list[int] = []
    loader: Any = Loader
    stops = 0
    for _ in range(_MAX_READS):
        composed, error = _compose(loader, work)
        if not isinstance(error, MarkedYAMLError) or error.problem_mark is None:
            break
        pos = error.problem_mark.index
        if error.problem == _COLON and work[pos : pos + 1] == ":":
            stops += 1
            work = _replace_colons(work, pos, colon) if stops != _ONE_BY_ONE else _prescan(work, colon, quotes)
        elif error.problem == _ESCAPE and work[pos : pos + 2] == "\\'":
            stops += 1
            if stops != _ONE_BY_ONE:
                work = _replace_quote(work, pos)
                quotes.append(pos)
            else:
                work = _prescan(work, colon, quotes)
        elif error.problem == _DUPLICATE_ANCHOR and loader is not _EventLoader:
            loader = _EventLoader
        else:
            break
    if work is not text:
        _restore([node for _, node in composed], colon, sorted(quotes))
    return composed, error


#: stops replaced one by one, each with a read of the stream, before the rest are found by one scan
_ONE_BY_ONE = 8
#: reads of one stream at most: the stops one by one, twice (before the scan, and after a scan that
#: stopped early), and the change of composer for a redefined anchor
_MAX_READS = 2 * _ONE_BY_ONE + 2


class _GoScanner(SafeLoader):
    """ruamel.yaml's Python scanner with go-yaml's ``\\'`` escape: it reads on where go-yaml does."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.ESCAPE_REPLACEMENTS = {**SafeLoader.ESCAPE_REPLACEMENTS, "'": "'"}


def _prescan(work: str, colon: str, quotes: list[int]) -> str:
    """``work`` with every stop go-yaml does not share replaced, found in one pass; their `\\'` added to ``quotes``.

    The stops are the ``:`` of an unquoted value in ``[...]`` or ``{...}``
    and the ``\\'`` escape in a double-quoted string.  ruamel.yaml's Python
    scanner keeps such a ``:`` in the value, as go-yaml does, and reads that
    escape when told of it; its tokens only say where the values are, and
    libyaml still reads the result.  A scanner error ends the pass with what
    was found before it.
    """
    starts = (tokens.FlowSequenceStartToken, tokens.FlowMappingStartToken)
    ends = (tokens.FlowSequenceEndToken, tokens.FlowMappingEndToken)
    scanner = _GoScanner(work)
    flow = 0
    chars = list(work)
    try:
        while True:
            token = scanner.get_token()
            if token is None or isinstance(token, tokens.StreamEndToken):
                break
            if isinstance(token, starts):
                flow += 1
            elif isinstance(token, ends):
                flow -= 1
            elif not isinstance(token, tokens.ScalarToken):
                continue
            elif token.style == '"':
                _replace_quotes(chars, token.start_mark.index, token.end_mark.index, quotes)
            elif flow > 0 and token.plain:
                for i in range(token.start_mark.index, token.end_mark.index):
                    if chars[i] == ":" and (i + 1 >= len(chars) or chars[i + 1] not in " \t\r\n"):
                        chars[i] = colon
    except (YAMLError, RecursionError, ValueError):
        pass
    finally:
        scanner.dispose()
        scanner.__dict__.clear()
    return "".join(chars)


def _replace_quote(work: str, pos: int) -> str:
    """``work`` with the ``\\'`` at ``pos`` read as ``\\e`` (ESC, which no YAML text holds raw; restored later)."""
    return work[: pos + 1] + "e" + work[pos + 2 :]


def _replace_quotes(chars: list[str], start: int, end: int, quotes: list[int]) -> None:
    """Every ``\\'`` of the double-quoted string ``chars[start:end]`` read as ``\\e``; where each was, in ``quotes``."""
    i = start + 1
    while i < end - 1:
        if chars[i] == "\\":
            if chars[i + 1] == "'":
                chars[i + 1] = "e"
                quotes.append(i)
            i += 2  # the escaped character, whatever it is, is not the start of another escape
        else:
            i += 1


def _replace_colons(work: str, pos: int, colon: str) -> str:
    """``work`` with the ``:`` at ``pos`` replaced, and every later one of the same unquoted value.

    go-yaml ends an unquoted value in ``[...]`` at ``,?[]{}``, a space or a
    line break, and reads a ``:`` before any other character as part of it:
    `dataos://depot:collection/dataset` needs one re-read, not two.
    """
    chars = list(work[pos : pos + 4096])
    for i, ch in enumerate(chars):
        if ch in ",?[]{} \t\r\n":
            break
        if ch == ":" and (i + 1 >= len(chars) or chars[i + 1] not in " \t\r\n"):
            chars[i] = colon
    return work[:pos] + "".join(chars) + work[pos + len(chars) :]


def _compose(loader_class: Any, text: str) -> tuple[list[tuple[int, Node]], BaseException | None]:
    loader = loader_class(text)
    out: list[tuple[int, Node]] = []
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                out.append((index, node))
            index += 1
    except (YAMLError, RecursionError, ValueError) as exc:
        return out, exc
    finally:
        loader.dispose()
        loader.__dict__.clear()
    return out, None


def _stand_in(text: str) -> str:
    for code in range(0xE000, 0xF900):  # a private-use character the text does not hold
        ch = chr(code)
        if ch not in text:
            return ch
    return "\ufffd"  # pragma: no cover - a text holding all 6,400 private-use characters


def _restore(roots: list[Node], colon: str, quotes: list[int]) -> None:
    """Put back what the stand-ins replaced, in every scalar of the documents read (``quotes`` sorted)."""
    for node in _scalars(roots):
        value = node.value
        if colon in value:
            value = value.replace(colon, ":")
        if quotes and node.style == '"' and _holds(quotes, node.start_mark.index, node.end_mark.index):
            value = value.replace("\x1b", "'")
        node.value = value


def _holds(positions: list[int], start: int, end: int) -> bool:
    """Whether one of the sorted ``positions`` is in ``[start, end)``."""
    i = bisect_left(positions, start)
    return i < len(positions) and positions[i] < end


_YAML_DIRECTIVE = re.compile(r"^%YAML[ \t]+([^ \t\n#]+)", re.MULTILINE)


def refusals(text: str, roots: list[Node]) -> list[Finding]:
    """Findings for what libyaml accepted in ``text`` and go-yaml refuses."""
    out: list[Finding] = []
    if text.startswith("%") or "\n%" in text:
        spans = [(root.start_mark.index, root.end_mark.index) for root in roots]
        for m in _YAML_DIRECTIVE.finditer(text):
            if any(start <= m.start() < end for start, end in spans):
                continue  # a line of a multi-line value, not a directive
            version = m.group(1)
            try:
                major, minor = (int(part) for part in version.split("."))
            except ValueError:
                continue  # libyaml has already refused it
            if (major, minor) != (1, 1):
                out.append(
                    Finding(
                        CODE,
                        (),
                        f"`%YAML {version}`: {PARSER} that accepts only `%YAML 1.1` and refuses"
                        ' this file ("found incompatible YAML document"); remove the directive',
                        span=_span(text, m.start(), m.end() - m.start()),
                    )
                )
    if "\\/" in text:
        for node in _scalars(roots):
            if node.style != '"':
                continue
            source = text[node.start_mark.index : node.end_mark.index]
            i = source.find("\\")
            while i != -1:
                if source[i + 1 : i + 2] == "/":
                    out.append(
                        Finding(
                            CODE,
                            (),
                            f"`\\/` in a double-quoted string: {PARSER} that does not know this"
                            " escape and refuses the file; write `/` without the backslash",
                            span=_span(text, node.start_mark.index + i, 2),
                        )
                    )
                i = source.find("\\", i + 2)
    out.sort(key=lambda f: (f.span.line, f.span.column) if f.span else (0, 0))
    return out


def explain(exc: MarkedYAMLError, text: str) -> Finding | None:
    """The platform's reason when libyaml stopped at a ``?`` inside an unquoted value in ``[...]`` or ``{...}``."""
    mark = exc.problem_mark
    problem = exc.problem or ""
    if mark is None or not problem.startswith("did not find expected ','"):
        return None
    pos = mark.index
    if text[pos : pos + 1] != "?" or text[pos + 1 : pos + 2] in ("", " ", "\t", "\n", "\r"):
        return None
    brackets = "`[...]`" if problem.endswith("']'") else "`{...}`"
    return Finding(
        CODE,
        (),
        f"{PARSER} that does not allow `?` in an unquoted value inside {brackets}: quote the"
        " value, or write the list as a block",
        span=_span(text, pos, 1),
    )


def _scalars(roots: list[Node]) -> list[ScalarNode]:
    out: list[ScalarNode] = []
    seen: set[int] = set()
    stack: list[Any] = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            out.append(node)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for pair in node.value:
                stack.extend(pair)
    return out


def _span(text: str, index: int, width: int) -> Span:
    line_start = text.rfind("\n", 0, index) + 1
    line = text.count("\n", 0, index) + 1
    column = index - line_start + 1
    return Span(line, column, line, column + max(width, 1))
