"""WL300, WL301, WL302, WL304, WL307: template placeholders left in any key or value of a resource."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from worker_lint.checks import check
from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Finding, JsonPath, Span
from worker_lint.dataos import templating as t
from worker_lint.dataos.resource import Resource, classify
from worker_lint.document.positions import describe, substring_span

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.core.fix import FixSpec

_BENTO_SECTIONS = frozenset({"bento", "benthos"})  # the legacy per-stack section of v1 workers
_PROJECTION_KEYS = frozenset({"projection", "projections"})
#: a lower-case `${name}` whose upper-case form is a valid apply-time variable name
_LOWER_VARIABLE = lazy_re.compile(r"\$\{[a-z_][a-z0-9_]*\}")
#: `{{` or `{%`, the openings of Go and Liquid templates
_BRACE_PAIR = lazy_re.compile(r"\{[{%]")
#: what a collection's source must hold for a string under it to be reported: what the scanner
#: reports (see _may_hold_placeholder), a `\` (a double-quoted escape can write any of them) or
#: a `*` (an alias, whose strings are written elsewhere)
_SOURCE_OF_INTEREST = lazy_re.compile(r"\$(?!\{!)|<|\{\{|\{%|\\|\*")


class _Where(NamedTuple):
    """What the strings under a node are read by, which decides which braces are legitimate."""

    bento: bool = False  # a Bento config: `${{x}}` is Bento's escape for a literal `${x}`
    template: bool = False  # rendered by a stack (Go text/template) or a projection (Liquid)


@check("WL300", "WL301", "WL302", "WL304", "WL307", kinds=None)
def unfilled_placeholder(res: Resource, ctx: Context) -> Iterator[Finding]:
    if not _may_hold_placeholder(res.text):
        return  # most files hold nothing but Bento's `${!...}` interpolations, if anything: nothing to walk
    skip = _inline_resources(res)
    written = _Written(res.text)
    seen: set[int] = set()
    # An explicit stack rather than recursion: this check visits every node of every file.
    todo: list[tuple[Node, JsonPath, _Where]] = [(res.node, (), _Where(template=res.kind == "stack"))]
    while todo:
        node, path, where = todo.pop()
        if id(node) in seen or id(node) in skip:
            continue  # an alias is reported where its anchor is written; inline resources are linted on their own
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if _interesting(node.value):
                yield from _tokens(res, node, path, where, at="value")
        elif written.plain(node):
            continue  # nothing under it to report: most of a file that holds placeholders at all
        elif isinstance(node, SequenceNode):
            todo.extend(
                (item, path + (i,), where)
                for i, item in reversed(list(enumerate(node.value)))
                if not written.plain(item)  # passed over before its path is made: the walk would pass it over
            )
        elif isinstance(node, MappingNode):
            children: list[tuple[Node, JsonPath, _Where]] = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    continue  # a collection as key is a parse finding already
                key = key_node.value
                if "$" in key or "<" in key or "{{" in key or "{%" in key:  # _interesting, inline: every key
                    at = path + (key,)
                    split = _split_placeholder(res, key_node, value_node, at, where)
                    if split is not None:
                        yield split
                        continue
                    yield from _tokens(res, key_node, at, where, at="key")
                elif written.plain(value_node):
                    continue  # as for a sequence's items: most values of a file that holds placeholders
                else:
                    at = path + (key,)
                # most keys change nothing, and the `stack` beside them matters only to a `stackSpec`
                inside = _enter(where, key, node) if key in _ENTERING or key.lower().endswith("template") else where
                children.append((value_node, at, inside))
            todo.extend(reversed(children))


def _may_hold_placeholder(text: str) -> bool:
    """Whether ``text`` holds anything the scanner could report: `<`, `{{`, `{%`, or a `$` not opening `${!`.

    Counted with substring searches, faster than one pattern for all of it:
    every `${!` (Bento's interpolation) holds one `$` and one `{`, so more `$`
    than `${!` is a `$` of another kind, and a text whose every `{` is in a
    `${!` has no `{{` or `{%`.  Most texts have no `$` at all, and are spared
    the counting.
    """
    if "<" in text:
        return True
    if "$" in text:
        interpolations = text.count("${!")
        if text.count("$") > interpolations:
            return True
        if text.count("{") <= interpolations:
            return False
    # one pattern for both pairs: it skips to each `{` where two substring searches read the text twice
    return _BRACE_PAIR.search(text) is not None


class _Written:
    """Where in the text the strings worth scanning are written, to pass over collections that hold none."""

    def __init__(self, text: str) -> None:
        # the marks do not count a byte order mark, so offsets past one would not line up: read everything
        self._offsets = None if "\ufeff" in text else [m.start() for m in _SOURCE_OF_INTEREST.finditer(text)]

    def plain(self, node: Node) -> bool:
        """Whether the source of ``node`` holds nothing a string under it could be reported for."""
        if self._offsets is None:
            return False
        i = bisect_left(self._offsets, node.start_mark.index)
        return i == len(self._offsets) or self._offsets[i] >= node.end_mark.index


def _interesting(text: object) -> bool:
    return isinstance(text, str) and ("$" in text or "<" in text or "{{" in text or "{%" in text)


#: the keys :func:`_enter` looks at by name (it also looks at every key ending in `template`)
_ENTERING = frozenset({"stackSpec", *_BENTO_SECTIONS, *_PROJECTION_KEYS})


def _enter(where: _Where, key: str, mapping: MappingNode) -> _Where:
    if (
        key == "stackSpec" and (stack := _stack_name(mapping)) is not None and stack.startswith(("bento", "benthos"))
    ) or key in _BENTO_SECTIONS:
        where = where._replace(bento=True)
    if key in _PROJECTION_KEYS or key.lower().endswith("template"):
        # envVarsTemplate, filesTemplate, template, resourceTemplate, configFileTemplate, ...
        where = where._replace(template=True)
    return where


def _stack_name(node: MappingNode) -> str | None:
    """The stack name (`bento` of `bento+python:3.0`) when this mapping has a `stack` scalar."""
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "stack" and isinstance(value_node, ScalarNode):
            return str(value_node.value).strip().lower()
    return None


def _tokens(res: Resource, node: ScalarNode, path: JsonPath, where: _Where, at: str) -> Iterator[Finding]:
    text = node.value
    if not isinstance(text, str):
        return
    reported: set[str] = set()
    for token in t.scan(text, bento=where.bento):
        written = text[token.start : token.end]
        message = _message(token, written, res.prefix + path, where, at)
        if message is None or written in reported:
            continue
        reported.add(written)  # the same placeholder twice in one string has one span: report it once
        code, message_text = message
        if at == "key":
            # positions narrows `substring` inside a value only, so a key's span is computed here.
            yield Finding(code, path, message_text, at="key", span=substring_span(node, written, res.text))
        else:
            fixes: tuple[FixSpec, ...] = ()
            if code == "WL301" and _LOWER_VARIABLE.fullmatch(written):
                from worker_lint.core.fix import UNSAFE, replace_in_value, spec

                # upper-case is what the apply-time variable is called only if someone defines it so: unsafe
                fixes = (spec(f"Write `{written.upper()}`", UNSAFE, replace_in_value(path, written, written.upper())),)
            yield Finding(code, path, message_text, substring=written, fixes=fixes)


def _message(
    token: t.Token, written: str, full_path: JsonPath, where: _Where, at: str, note: str = ""
) -> tuple[str, str] | None:
    target = "a real key" if at == "key" else f"a real value for `{describe(full_path)}`"
    filled = f"never filled in{note}"
    kind = token.kind
    if kind == t.DOC_PLACEHOLDER:
        return "WL300", f"`{written}` is a template placeholder that was {filled}; replace it with {target}"
    if where.template and kind != t.MALFORMED:
        return None  # a stack or projection template: its own syntax, rendered later
    if kind == t.LOWER_PLACEHOLDER:
        return "WL301", (
            f"`{written}` looks like a template placeholder that was {filled}; replace it with"
            f" {target} (apply-time variables are upper-case, like `${{REPLICAS}}`)"
        )
    if kind == t.ANGLE_PLACEHOLDER:
        return "WL302", f"`{written}` looks like a template placeholder that was {filled}; replace it with {target}"
    if kind == t.MALFORMED:
        if where.template and not written.startswith("${{"):
            return None
        if written.startswith("${{"):
            fixed = "${{" + token.name + "}}"
            return "WL304", (
                f"`{written}` looks like a template placeholder with a missing closing brace; replace it"
                f" with {target} (the complete placeholder would be `{fixed}`)"
            )
        return "WL304", (
            f"`{written}` is missing its closing brace, so it is neither a variable nor text;"
            f" write `${{{token.name}}}` or replace it with {target}"
        )
    if kind == t.BRACE_TEMPLATE:
        return "WL307", (
            f"`{written}` looks like a template placeholder that was never filled in; only Stack"
            f" definitions and projection templates are rendered, so replace it with {target}"
        )
    return None  # apply-time variables, Bento interpolations and escapes are legitimate


def _split_placeholder(
    res: Resource, key_node: ScalarNode, value_node: Node, path: JsonPath, where: _Where
) -> Finding | None:
    """`${{key: value}}` or `${alpha: beta}` written as a value: YAML splits it at `: ` into a key and a value.

    Reported once, over both halves, as the placeholder it was meant to be.
    """
    key = key_node.value
    if not (
        key.startswith("${")
        and "}" not in key
        and isinstance(value_node, ScalarNode)
        and not value_node.style
        and isinstance(value_node.value, str)
        and value_node.value.endswith("}")
        and key_node.start_mark.line == value_node.end_mark.line
    ):
        return None
    written = res.text[key_node.start_mark.index : value_node.end_mark.index]
    tokens = t.scan(written, bento=where.bento)
    if len(tokens) != 1 or tokens[0].end != len(written):
        return None
    message = _message(
        tokens[0],
        written,
        res.prefix + path[:-1],
        where,
        "value",
        note=" (YAML split it at `: ` into a key and a value)",
    )
    if message is None:
        return None
    code, text = message
    start = key_node.start_mark
    span = Span(start.line + 1, start.column + 1, start.line + 1, start.column + 1 + len(written))
    return Finding(code, path, text, at="key", span=span)


def _inline_resources(res: Resource) -> set[int]:
    """Nodes of resources inlined in a Bundle's `resources[].spec`: the engine lints those as resources."""
    if res.kind != "bundle":
        return set()
    from worker_lint.dataos.bundle import ITEMS

    items = res.get(*ITEMS)
    if not isinstance(items, list):
        return set()
    out: set[int] = set()
    for i, item in enumerate(items):
        if isinstance(item, dict) and classify(item.get("spec")) is not None:
            node = res.node_at(*ITEMS, i, "spec")
            if node is not None:
                out.add(id(node))
    return out
