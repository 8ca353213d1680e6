"""Text to documents: ruamel.yaml's C-backed composer, then plain data built from the same nodes.

The composer keeps a start and end mark on every node, so positions come from
the tree; the data the schemas and checks read is built here from that tree
with YAML 1.2 semantics, as the DataOS platform reads manifests: ``yes`` and
``on`` stay strings, ``010`` is ten, timestamps stay strings.  Problems the
YAML layer can see (syntax errors, duplicate keys, complex keys, aliases that
would expand without bound) become findings, never exceptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from worker_lint.core.diagnostic import Finding, JsonPath, Span
from worker_lint.core.settings import Limits
from worker_lint.document.guard import precheck
from worker_lint.document.loader import CANONICAL_TAGS as _CANONICAL_TAGS
from worker_lint.document.loader import Loader as _Loader
from worker_lint.document.positions import is_merge_key, node_span, point_span

_TAG = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset({_TAG + "seq", _TAG + "map", _TAG + "omap", _TAG + "pairs", _TAG + "set"})


class BraceKey(NamedTuple):
    """A key written `{{name}}` or `{{name: value}}`: YAML reads a collection, the shape of an old-style placeholder.

    Such a key is not reported as a complex key (WL006): the checks say what it is.
    """

    #: the mapping that holds it
    path: JsonPath
    #: the braces as written
    token: str
    span: Span


@dataclass
class Document:
    index: int
    root: Node
    data: Any
    #: True when the data could not be built safely (alias bomb, cycle, depth)
    truncated: bool = False
    #: what the YAML layer saw in this document (duplicate keys, tags, complex keys)
    findings: list[Finding] = field(default_factory=list)
    #: keys written as `{{...}}` placeholders, which are not reported as complex keys
    brace_keys: list[BraceKey] = field(default_factory=list)


@dataclass
class ParseResult:
    documents: list[Document] = field(default_factory=list)
    #: stream-level problems: syntax errors, which end the stream
    findings: list[Finding] = field(default_factory=list)


def parse(text: str, limits: Limits | None = None) -> ParseResult:
    """Compose every document of a YAML stream and build its plain data."""
    limits = limits or Limits()
    # the C composer recurses on the C stack: nesting too deep must be refused before it runs
    blocked = precheck(text, limits)
    if blocked is not None:
        return ParseResult(findings=[blocked])
    result = ParseResult()
    # only anchors can make a document expand; most streams have none, so one look spares every document
    anchored = "&" in text
    composed, error = _compose(text)
    if isinstance(error, MarkedYAMLError) and _rescuable(error, text):
        from worker_lint.document import goyaml  # only for streams libyaml refuses: keeps the clean run's imports

        composed, error = goyaml.recompose(text)
    if error is not None:
        # The error is a result here, not something to unwind: its traceback's frames hold this
        # frame and so the text, a reference cycle that would keep every text parsed with an error.
        error.__traceback__ = None
    for index, node in composed:
        findings: list[Finding] = []
        builder = _Builder(text, limits, findings, anchored)
        data = builder.build(node)
        result.documents.append(Document(index, node, data, builder.truncated, findings, builder.brace_keys))
    if isinstance(error, MarkedYAMLError):
        result.findings.append(_syntax_finding(error, text))
    elif isinstance(error, ReaderError):
        result.findings.append(_character_finding(error, text))
    elif error is not None:
        result.findings.append(Finding("WL001", (), f"YAML cannot be parsed: {error}", span=Span(1, 1, 1, 2)))
    if text.startswith("%") or "\n%" in text or "\\/" in text:
        # a directive or a `\/` escape: libyaml accepts some that DataOS's parser refuses
        from worker_lint.document import goyaml

        stopped = {f.span.line for f in result.findings if f.span is not None}  # a version libyaml refuses too
        result.findings[:0] = [
            f
            for f in goyaml.refusals(text, [node for _, node in composed])
            if f.span is None or f.span.line not in stopped
        ]
    return result


def _compose(text: str) -> tuple[list[tuple[int, Node]], BaseException | None]:
    """The root node of every document up to the first error, with its index, and that error."""
    composed: list[tuple[int, Node]] = []
    loader = _Loader(text)
    try:
        index = 0
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
            except (YAMLError, RecursionError, ValueError) as exc:
                return composed, exc
            if node is not None:
                composed.append((index, node))
            index += 1
    finally:
        loader.dispose()
        # The loader refers to itself as its own parser, composer, constructor and resolver: without
        # this, every file would leave a reference cycle for the garbage collector to find.
        loader.__dict__.clear()
    return composed, None


_GO_READS_ON = ("found unexpected ':'", "second occurrence", "found unknown escape character")


def _rescuable(error: MarkedYAMLError, text: str) -> bool:
    """Whether libyaml stopped where DataOS's Go parser reads on (see worker_lint.document.goyaml)."""
    if error.problem not in _GO_READS_ON:
        return False
    from worker_lint.document import goyaml

    return goyaml.rescuable(error, text)


def _syntax_finding(exc: MarkedYAMLError, text: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    line0, col0 = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.split("\n")
    if line0 >= len(lines):
        # libyaml puts the end of a stream without a final line break on a line of its own
        line0, col0 = len(lines) - 1, len(lines[-1])
    at_char = lines[line0][col0 : col0 + 1]
    if at_char == "?":
        from worker_lint.document import goyaml

        explained = goyaml.explain(exc, text)
        if explained is not None:
            return explained
    if at_char == "\t":
        message = "a tab character cannot indent YAML; indent with spaces"
    else:
        message = f"YAML syntax error: {problem}"
        if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
            message += f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
    return Finding("WL001", (), message, span=point_span(text, line0, col0))


def _character_finding(exc: ReaderError, text: str) -> Finding:
    """A character YAML does not allow in a file (a raw control character), where it is.

    libyaml's reader gives no line or column, only a byte offset into the
    UTF-8 text, and its message runs over two lines; the character is the
    first of its kind in the text, since the reader stops at the first one.
    """
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    offset = text.find(chr(code))
    if offset == -1:  # cannot happen while the reader stops at the first one; the byte offset then
        offset = len(text.encode("utf-8")[: max(exc.position, 0)].decode("utf-8", errors="ignore"))
    line0 = text.count("\n", 0, offset)
    column0 = offset - (text.rfind("\n", 0, offset) + 1)
    shown = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return Finding(
        "WL001",
        (),
        f"the {kind} `{shown}` (U+{code:04X}) is not allowed in a YAML file; remove it, or"
        f" write it as the escape `{shown}` inside a double-quoted string",
        span=Span(line0 + 1, column0 + 1, line0 + 1, column0 + 2),
    )


class _Builder:
    """Builds plain data from one composed document, reporting what YAML-level rules see."""

    def __init__(self, text: str, limits: Limits, findings: list[Finding], anchored: bool = True) -> None:
        self.text = text
        self.anchored = anchored
        self.limits = limits
        self.findings = findings
        self.brace_keys: list[BraceKey] = []
        self.truncated = False
        self._built: dict[int, Any] = {}
        self._in_progress: set[int] = set()
        self._tagged: set[int] = set()

    def build(self, root: Node) -> Any:
        if self.anchored and self._expanded_size(root) > self.limits.max_nodes:
            self.truncated = True
            self.findings.append(
                Finding(
                    "WL010",
                    (),
                    f"aliases in this document expand to more than {self.limits.max_nodes:,} nodes"
                    " (an alias bomb); it was not expanded or checked",
                    span=node_span(root, self.text),
                )
            )
            return None
        try:
            return self._node(root, (), 0)
        except _Abort:
            self.truncated = True
            return None

    def _expanded_size(self, root: Node) -> int:
        """Node count after alias expansion, computed without expanding (memoised per node)."""
        sizes: dict[int, int] = {}
        stack: list[tuple[Node, bool]] = [(root, False)]
        on_stack: set[int] = set()
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                on_stack.discard(key)
                total = 1
                for child in _children(node):
                    total += sizes.get(id(child), 0)
                    if total > self.limits.max_nodes:
                        break
                sizes[key] = total
                continue
            if key in sizes or key in on_stack:
                continue  # a cycle is reported when the data is built
            on_stack.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
        return sizes.get(id(root), 0)

    def _node(self, node: Node, path: JsonPath, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        key = id(node)
        if self.anchored and key in self._built:
            return self._built[key]  # an alias: share the value, never copy it
        if id(node.ctag) not in _PLAIN_COLLECTION_TAGS and key not in self._tagged and not _plain_collection(node):
            self._tagged.add(key)
            kind = "list" if isinstance(node, SequenceNode) else "mapping"
            self.findings.append(
                Finding(
                    "WL005",
                    path,
                    f"tag `{_short_tag(str(node.tag))}` is not something DataOS reads; the value is treated as"
                    f" the plain {kind} it contains",
                    span=node_span(node, self.text),
                )
            )
        if key in self._in_progress:
            self.findings.append(
                Finding(
                    "WL010",
                    path,
                    "this alias refers to a node that contains it (a recursive alias); it cannot be expanded",
                    span=node_span(node, self.text),
                )
            )
            raise _Abort
        if depth >= self.limits.max_depth:
            self.findings.append(
                Finding(
                    "WL010",
                    path,
                    f"nesting deeper than {self.limits.max_depth} levels; the document was not checked",
                    span=node_span(node, self.text),
                )
            )
            raise _Abort
        if not self.anchored:
            # without an anchor no node is met twice: no alias to share a value with, no cycle to stop
            return self._collection(node, path, depth)
        self._in_progress.add(key)
        value = self._collection(node, path, depth)
        self._in_progress.discard(key)
        self._built[key] = value
        return value

    def _collection(self, node: Node, path: JsonPath, depth: int) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        assert isinstance(node, SequenceNode)
        out: list[Any] = []
        for i, item in enumerate(node.value):
            # most items are scalars of a common tag: converted here, without two calls for each
            convert = _CONVERTERS.get(id(item.ctag)) if isinstance(item, ScalarNode) else None
            out.append(convert(item.value) if convert is not None else self._node(item, path + (i,), depth + 1))
        return out

    def _mapping(self, node: MappingNode, path: JsonPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        first_key: dict[str, Node] = {}
        seen_times: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.value == "<<" and is_merge_key(key_node):  # most keys are not `<<`
                for source in _merge_sources(value_node):
                    value = self._node(source, path, depth + 1)
                    if isinstance(value, dict):
                        for k, v in value.items():
                            merged.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                found = _complex_key(node, key_node, path, self.text)
                if isinstance(found, BraceKey):
                    self.brace_keys.append(found)
                else:
                    self.findings.append(found)
                continue
            name = key_node.value
            first = first_key.setdefault(name, key_node)
            if first is not key_node:
                from worker_lint.core.fix import UNSAFE, delete_entry, spec

                times = seen_times.get(name, 1)
                earlier = times - 1  # the entry this one overrides
                seen_times[name] = times + 1
                self.findings.append(
                    Finding(
                        "WL002",
                        path + (name,),
                        f"duplicate key `{name}` (first defined on line {first.start_mark.line + 1}); YAML keeps only the"
                        " last value, so remove or rename one",
                        span=node_span(key_node, self.text),
                        fixes=(
                            spec(
                                "Remove the earlier entry, which YAML ignores",
                                UNSAFE,
                                delete_entry(path + (name,), occurrence=earlier),
                            ),
                        ),
                    )
                )
            # most values are scalars of a common tag: converted here, without two calls for each
            convert = _CONVERTERS.get(id(value_node.ctag)) if isinstance(value_node, ScalarNode) else None
            out[name] = (
                convert(value_node.value) if convert is not None else self._node(value_node, path + (name,), depth + 1)
            )
        if merged:
            for k, v in merged.items():
                out.setdefault(k, v)
        return out

    def _scalar(self, node: ScalarNode, path: JsonPath) -> Any:
        convert = _CONVERTERS.get(id(node.ctag))
        if convert is not None:
            return convert(node.value)
        tag, text = str(node.tag), node.value
        if not tag.startswith(_TAG) or tag[len(_TAG) :] not in _SCALAR_TAGS:
            if tag != "!":
                self.findings.append(
                    Finding(
                        "WL005",
                        path,
                        f"tag `{_short_tag(tag)}` is not something DataOS reads; the value is treated as"
                        " the plain string it contains",
                        span=node_span(node, self.text),
                    )
                )
            return text
        convert = _SCALAR_TAGS[tag[len(_TAG) :]]
        if node.ctag is _CANONICAL_TAGS.get(tag):
            _CONVERTERS[id(node.ctag)] = convert
        return convert(text)


#: identities of the shared tag objects of untagged lists and mappings (see _Loader.resolve)
_PLAIN_COLLECTION_TAGS: set[int] = set()


def _plain_collection(node: Node) -> bool:
    """Whether a collection carries a standard tag; remembers the shared tag object when it does."""
    if node.tag not in _COLLECTION_TAGS:
        return False
    if node.ctag is _CANONICAL_TAGS.get(node.tag):
        _PLAIN_COLLECTION_TAGS.add(id(node.ctag))
    return True


class _Abort(Exception):
    pass


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _merge_sources(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node]


def _complex_key(parent: MappingNode, key_node: Node, path: JsonPath, text: str) -> Finding | BraceKey:
    span = node_span(key_node, text)
    inner = key_node.value if isinstance(key_node, MappingNode) else None
    if inner and len(inner) == 1 and isinstance(inner[0][0], ScalarNode) and inner[0][1].tag == _TAG + "null":
        # `{{name}}` reads as a flow mapping whose key is a flow mapping
        if parent.flow_style and len(parent.value) == 1:
            span = node_span(parent, text)
        return BraceKey(path, "{{" + str(inner[0][0].value) + "}}", span)
    if (
        isinstance(key_node, MappingNode)
        and key_node.flow_style
        and parent.flow_style
        and len(parent.value) == 1
        and parent.start_mark.line == parent.end_mark.line
    ):
        # `{{name: value}}`: a placeholder written with a colon in it
        return BraceKey(path, text[parent.start_mark.index : parent.end_mark.index], node_span(parent, text))
    return Finding(
        "WL006",
        path,
        "a mapping key must be a plain scalar, not a collection; DataOS manifests use string keys",
        span=span,
    )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


#: an integer wider than this stays text, as a decimal one past Python's 4,300-digit int()/str() limit
#: already does: a 0x/0o/0b one has no such limit, and str() or repr() of it anywhere (a schema message)
#: would raise (14,000 bits is about 4,215 digits)
_MAX_INT_BITS = 14_000


def _int(text: str) -> int | str:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    body = digits.lstrip("+-")
    try:
        if body.startswith(("0x", "0X")):
            value = int(body[2:], 16)
        elif body.startswith(("0o", "0O")):
            value = int(body[2:], 8)
        elif body.startswith(("0b", "0B")):
            value = int(body[2:], 2)
        else:
            value = int(body, 10)  # YAML 1.2: a leading zero is decimal, `010` is ten
    except ValueError:
        return text
    return text if value.bit_length() > _MAX_INT_BITS else sign * value


def _float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(lowered)
    except ValueError:
        return text


_SCALAR_TAGS: dict[str, Any] = {
    "str": str,
    "int": _int,
    "float": _float,
    "bool": lambda text: text.lower() == "true",
    "null": lambda text: None,
    "timestamp": str,  # kept as written, so `type: string` holds for dates
    "binary": str,
    "value": str,
}


#: converters by the identity of a shared, resolved tag object (filled as tags are first seen)
_CONVERTERS: dict[int, Any] = {}
