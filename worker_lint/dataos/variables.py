"""Apply-time variables: collect them from the command line, and render a document as dataos-ctl would.

Rendering notes what it could not do (an undefined variable, a substitution
that is no longer one YAML value); the checks report those.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

import click
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import JsonPath, Span
from worker_lint.dataos.dotenv import DotenvError, parse_dotenv
from worker_lint.dataos.templating import Token, substitute
from worker_lint.document.positions import is_merge_key, substring_span

_NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Undefined(NamedTuple):
    """An apply-time variable used in a key or value and defined nowhere."""

    path: JsonPath
    #: the variable as written (`${REPLICAS}`) and its name (`REPLICAS`)
    written: str
    name: str
    at: Literal["key", "value"]
    #: the variable's span inside a key (positions narrow a value's by ``written``)
    span: Span | None


class Unreadable(NamedTuple):
    """A plain key or value that, substituted, is no longer a single YAML value."""

    path: JsonPath
    rendered: str
    at: Literal["key", "value"]
    span: Span | None


class Rendering(NamedTuple):
    """What rendering a document could not do."""

    undefined: list[Undefined]
    unreadable: list[Unreadable]


def load_variables(vars: list[str] | tuple[str, ...], env_file: str | None, use_env: bool) -> dict[str, str]:
    """The variables to substitute: the environment, then the env file, then each `--var`, later ones winning.

    Raises ``click.UsageError`` for a `--var` that is not `KEY=VALUE`, an env
    file that cannot be read, or a line of it that is not `KEY=VALUE`.
    """
    values: dict[str, str] = dict(os.environ) if use_env else {}
    if env_file is not None:
        from worker_lint.core.settings import DEFAULT_MAX_FILE_SIZE
        from worker_lint.document.reading import ReadError, read_bytes

        try:
            text = read_bytes(env_file, DEFAULT_MAX_FILE_SIZE).decode("utf-8-sig")
        except ReadError as exc:
            raise click.UsageError(f"--env-file {env_file}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise click.UsageError(f"--env-file {env_file}: not UTF-8 text ({exc.reason})") from exc
        try:
            values.update(parse_dotenv(text, env_file))
        except DotenvError as exc:
            raise click.UsageError(f"--env-file {exc}") from exc
    for item in vars:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--var expects KEY=VALUE, got {item!r}")
        if not _NAME.match(key):
            raise click.UsageError(f"--var {item!r}: {key!r} is not a variable name (letters, digits and _)")
        values[key] = value
    return values


def render(root: Node, data: Any, variables: Mapping[str, str], text: str | None = None) -> tuple[Any, Rendering]:
    """``data`` with every apply-time variable substituted, and what could not be (undefined variables...).

    Substitution follows dataos-ctl: textual, before YAML typing.  A plain
    scalar is typed again after substitution (``replicas: ${REPLICAS}`` with
    ``REPLICAS=3`` becomes the integer 3), a quoted or block scalar stays a
    string, and a substituted key renames the key.  ``data`` is not modified;
    paths in the returned data are the document's own, so findings on the
    rendered data land on the original positions.  ``text`` (the document's
    source) lets findings on keys point at the variable itself.
    """
    renderer = _Renderer(variables, text)
    if data is None:
        return data, renderer.noted
    rendered = copy.deepcopy(data)  # keeps the sharing that aliases create
    rendered = renderer.value(root, rendered, ())
    return rendered, renderer.noted


class _Renderer:
    def __init__(self, variables: Mapping[str, str], text: str | None) -> None:
        self.variables = dict(variables)
        self.text = text
        self.noted = Rendering([], [])
        self._seen: set[int] = set()  # collection nodes already rendered (aliases share one object)
        self._reported: set[int] = set()  # scalar nodes whose undefined variables were reported
        self._broken_nodes: set[int] = set()
        #: each scalar node's rendered value, by where it stands: an alias is rendered (and typed) once, not
        #: once per use (a long value used by thousands of aliases cost time quadratic in the document)
        self._scalars: dict[tuple[int, str], Any] = {}

    def value(self, node: Node, value: Any, path: JsonPath) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node, value, path, at="value")
        if id(node) in self._seen:
            return value
        self._seen.add(id(node))
        if isinstance(node, SequenceNode) and isinstance(value, list):
            for i, item in enumerate(node.value):
                if i < len(value):
                    value[i] = self.value(item, value[i], path + (i,))
        elif isinstance(node, MappingNode) and isinstance(value, dict):
            self.mapping(node, value, path)
        return value

    def mapping(self, node: MappingNode, value: dict[str, Any], path: JsonPath) -> None:
        own: set[str] = set()
        renames: dict[str, Any] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if is_merge_key(key_node):
                merges.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            if not isinstance(key_node, ScalarNode) or key_node.value not in value:
                continue
            key = key_node.value
            own.add(key)
            value[key] = self.value(value_node, value[key], path + (key,))
            new_key = self.scalar(key_node, key, path + (key,), at="key")
            if new_key != key:
                renames[key] = new_key
        # Keys merged in with `<<` keep the value their source node renders to.
        for source in merges:
            if not isinstance(source, MappingNode):
                continue
            for key_node, value_node in source.value:
                if isinstance(key_node, ScalarNode) and key_node.value not in own and key_node.value in value:
                    own.add(key_node.value)
                    value[key_node.value] = self.value(value_node, value[key_node.value], path + (key_node.value,))
        if renames:
            items = [(renames.get(k, k), v) for k, v in value.items()]
            value.clear()
            for k, v in items:
                value[k if isinstance(k, str) else str(k)] = v

    def scalar(self, node: ScalarNode, value: Any, path: JsonPath, at: str) -> Any:
        if "$" not in node.value:
            return value
        key = (id(node), at)
        if key not in self._scalars:
            self._scalars[key] = self._render_scalar(node, value, path, at)
        return self._scalars[key]

    def _render_scalar(self, node: ScalarNode, value: Any, path: JsonPath, at: str) -> Any:
        source = node.value
        rendered, missing = substitute(source, self.variables)
        if id(node) not in self._reported:
            # An aliased or merged scalar is reported once, where it is written.
            self._reported.add(id(node))
            for token in _unique(missing):
                self.noted.undefined.append(self._undefined(node, token, path, at))
        if rendered == source:
            return value
        if node.style:  # '' or None for a plain scalar
            return rendered  # quoted and block scalars stay strings whatever they hold
        return self._retype(node, rendered, path, at)

    def _retype(self, node: ScalarNode, rendered: str, path: JsonPath, at: str) -> Any:
        from worker_lint.document.parse import parse  # late: parse is the heavier module

        result = parse(rendered)
        docs = result.documents
        if not docs:
            if result.findings:
                return self._broken(node, rendered, path, at)
            return None  # an empty value or only a comment: YAML null
        typed = docs[0].data
        flow = rendered.lstrip().startswith(("[", "{"))
        if result.findings or len(docs) > 1 or (isinstance(typed, (dict, list)) and not flow):
            return self._broken(node, rendered, path, at)
        if at == "key" and not isinstance(typed, str):
            return rendered  # a key is a name: DataOS reads `1: x` as the key "1"
        return typed

    def _broken(self, node: ScalarNode, rendered: str, path: JsonPath, at: str) -> str:
        if id(node) in self._broken_nodes:
            return rendered
        self._broken_nodes.add(id(node))
        side: Literal["key", "value"] = "key" if at == "key" else "value"
        self.noted.unreadable.append(Unreadable(path, rendered, side, self._key_span(node, None, at)))
        return rendered

    def _undefined(self, node: ScalarNode, token: Token, path: JsonPath, at: str) -> Undefined:
        written = node.value[token.start : token.end]
        side: Literal["key", "value"] = "key" if at == "key" else "value"
        return Undefined(path, written, token.name, side, self._key_span(node, written, at))

    def _key_span(self, node: ScalarNode, needle: str | None, at: str) -> Span | None:
        # positions.resolve narrows `substring` inside values only; a key's span is computed here.
        if at != "key" or self.text is None or needle is None:
            return None
        return substring_span(node, needle, self.text)


def _unique(tokens: list[Token]) -> list[Token]:
    seen: set[str] = set()
    out: list[Token] = []
    for token in tokens:
        if token.name not in seen:
            seen.add(token.name)
            out.append(token)
    return out
