"""What the JSON Schema cannot tell an editor: where a reference leads, what may be written there, the outline.

Positions go through the parser's node tree, as diagnostics do: an offset names a JSON path
(``bundle.resources[2].dependencies[0]``), and a path names a node and its span.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from worker_lint.core.diagnostic import JsonPath
from worker_lint.core.settings import Settings
from worker_lint.document.parse import Document, parse

if TYPE_CHECKING:
    from worker_lint.dataos.product_refs import Manifest


class Target(NamedTuple):
    """A place to go: a file, and offsets into worker-lint's text of it (None for the file's start)."""

    path: Path
    start: int | None = None
    end: int | None = None


@dataclass
class Symbol:
    name: str
    kind: str  # "object", "key", "array", "module"
    start: int
    end: int
    name_start: int
    name_end: int
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)


class Parsed(NamedTuple):
    text: str
    documents: list[Document]


def parsed(text: str) -> Parsed:
    return Parsed(text, parse(text).documents)


# -- offsets to paths ------------------------------------------------------------------------------------------------


def _contains(node: Node, offset: int) -> bool:
    return bool(node.start_mark.index <= offset <= node.end_mark.index)


def path_at(documents: list[Document], offset: int) -> tuple[Document, JsonPath, Node, bool] | None:
    """The document, JSON path and node at ``offset``; the flag says the offset is on a mapping key."""
    for doc in documents:
        if not _contains(doc.root, offset):
            continue
        path: JsonPath = ()
        node = doc.root
        while True:
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and _contains(key, offset) and offset < key.end_mark.index + 1:
                        return doc, (*path, str(key.value)), key, True
                    if _contains(value, offset) and not (
                        isinstance(value, ScalarNode) and value.value == "" and value.start_mark.index != offset
                    ):
                        path, node = (*path, str(key.value)), value
                        break
                else:
                    return doc, path, node, False
            elif isinstance(node, SequenceNode):
                for index, item in enumerate(node.value):
                    if _contains(item, offset):
                        path, node = (*path, index), item
                        break
                else:
                    return doc, path, node, False
            else:
                return doc, path, node, False
    return None


def node_at(root: Node, path: JsonPath) -> Node | None:
    from worker_lint.document.positions import find

    _, node, depth = find(root, path)
    return node if depth == len(path) else None


def _value(data: Any, path: JsonPath) -> Any:
    from worker_lint.document.positions import value_at

    return value_at(data, path)


def _recognised(data: Any) -> Any:
    from worker_lint.dataos.resource import classify

    return classify(data)


def _kind(data: Any) -> str | None:
    found = _recognised(data)
    return found.kind if found else None


def _body_key(data: Any, kind: str) -> str:
    """The section holding the body, as the checks read it (``resource.body_key``)."""
    from worker_lint.dataos.resource import body_key

    found = _recognised(data)
    return body_key(data, kind, found.version if found else None) if isinstance(data, dict) else kind


def _items() -> tuple[str, ...]:
    from worker_lint.dataos.bundle import ITEMS

    return tuple(map(str, ITEMS))


# -- go to definition ------------------------------------------------------------------------------------------------


def definition(
    doc_path: Path, source: Parsed, offset: int, settings: Settings, stack_sources: list[tuple[Path, str]]
) -> Target | None:
    """Where the reference at ``offset`` leads: a Bundle's file or resource item, a dag step, a Stack definition,
    the manifest a Data Product's `ref` names."""
    found = path_at(source.documents, offset)
    if found is None:
        return None
    doc, path, node, on_key = found
    if on_key or not isinstance(node, ScalarNode) or not isinstance(doc.data, dict):
        return None
    kind = _kind(doc.data)
    value = str(node.value)
    if path[:2] == _items() and len(path) >= 4 and isinstance(path[2], int):
        return _bundle_reference(doc_path, doc, path[3:], value, settings)
    if kind == "workflow" and _is_dag_dependency(path):
        return _dag_step(doc_path, doc, path[0], value)
    if kind == "data" and path[-1:] == ("ref",):
        return _product_reference(doc_path, value, settings)
    if len(path) == 2 and path[1] == "stack" and kind is not None:
        return _stack_definition(value, stack_sources)
    return None


def _bundle_reference(doc_path: Path, doc: Document, rest: JsonPath, value: str, settings: Settings) -> Target | None:
    """A Bundle item's `file:` leads to the file; a `dependencies` or `resourceId` value to the item of that id."""
    if rest == ("file",):
        return _bundle_file(doc_path, value, settings)
    if (len(rest) == 2 and rest[0] == "dependencies") or (
        len(rest) == 3 and rest[0] == "dependencyConditions" and rest[2] == "resourceId"
    ):
        return _bundle_item(doc_path, doc, value)
    return None


def _is_dag_dependency(path: JsonPath) -> bool:
    """A Workflow dag step's `dependencies` (or `depends`) entry: `<body>.dag[i].dependencies[j]`."""
    return len(path) >= 4 and path[1] == "dag" and isinstance(path[2], int) and path[3] in ("dependencies", "depends")


def _product_reference(doc_path: Path, value: str, settings: Settings) -> Target | None:
    """The `name` of the project's manifest a Data Product's `ref` names (the one of its version first)."""
    from worker_lint.dataos import product_refs
    from worker_lint.dataos.bundle import project_root

    ref = product_refs.parse_reference(value)
    if ref is None:
        return None
    root = project_root(str(doc_path), settings)
    found = product_refs.named(product_refs.project_manifests(root, settings.max_file_size, {}), ref)
    found.sort(key=lambda manifest: manifest.version != ref.version)  # stable: the walk's order otherwise
    for manifest in found:
        target = _named_manifest(manifest, settings.max_file_size)
        if target is not None:
            return target
    return None


def _named_manifest(manifest: Manifest, max_size: int) -> Target | None:
    """The `name` of ``manifest`` in its file; the file's start when the parser cannot read it."""
    from worker_lint.document.reading import read_or_none

    data = read_or_none(manifest.path, max_size)
    if data is None:
        return None
    for doc in parse(data.decode("utf-8", errors="replace")).documents:
        recognised = _recognised(doc.data)
        if recognised == (manifest.kind, manifest.version) and doc.data.get("name") == manifest.name:
            node = node_at(doc.root, ("name",))
            if node is not None:
                return Target(manifest.path, node.start_mark.index, node.end_mark.index)
    return Target(manifest.path)


def _bundle_file(doc_path: Path, value: str, settings: Settings) -> Target | None:
    from worker_lint.dataos import bundle

    if bundle.looks_templated(value):
        return None
    # looked for where the lint looks (beside the Bundle, the working directory, the root): the file it read
    resolution = bundle.place(str(doc_path), settings, {}).resolve(value)
    return Target(resolution.found) if resolution.found is not None else None


def _bundle_item(doc_path: Path, doc: Document, wanted: str) -> Target | None:
    items = _value(doc.data, _items())
    if not isinstance(items, list):
        return None
    for index, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == wanted:
            node = node_at(doc.root, (*_items(), index, "id"))
            if node is not None:
                return Target(doc_path, node.start_mark.index, node.end_mark.index)
    return None


def _dag_step(doc_path: Path, doc: Document, body: str | int, wanted: str) -> Target | None:
    dag = _value(doc.data, (body, "dag"))
    if not isinstance(dag, list):
        return None
    for index, step in enumerate(dag):
        if isinstance(step, dict) and step.get("name") == wanted:
            node = node_at(doc.root, (body, "dag", index, "name"))
            if node is not None:
                return Target(doc_path, node.start_mark.index, node.end_mark.index)
    return None


def _stack_definition(value: str, sources: list[tuple[Path, str]]) -> Target | None:
    from worker_lint.dataos.stack_ref import parse_stack_ref

    ref = parse_stack_ref(value)
    name = ref.name if ref is not None else value.split(":")[0].split("+")[0]
    for path, name_start, name_end, defined in _stack_definitions(sources):
        if defined == name:
            return Target(path, name_start, name_end)
    return None


def _stack_definitions(sources: list[tuple[Path, str]]) -> Iterator[tuple[Path, int, int, str]]:
    """(file, offsets of the definition's `name`, stack name) for each Stack definition in ``sources``."""
    for path, text in sources:
        if "stack" not in text:
            continue
        for doc in parse(text).documents:
            if not isinstance(doc.data, dict) or _kind(doc.data) != "stack":
                continue
            body = _body_key(doc.data, "stack")
            name = _value(doc.data, (body, "name"))
            node = node_at(doc.root, (body, "name")) or node_at(doc.root, ("name",))
            if isinstance(name, str) and node is not None:
                yield path, node.start_mark.index, node.end_mark.index, name


def stack_sources(settings: Settings, own: tuple[Path, str], open_documents: dict[Path, str]) -> list[tuple[Path, str]]:
    """Where Stack definitions may be: the document itself, then the configured `stack-dirs` (open ones as typed)."""
    from worker_lint.document.reading import read_or_none
    from worker_lint.run.files import yaml_files_under

    sources = [own]
    for folder in settings.stack_dirs:
        for file in yaml_files_under(folder):
            real = Path(os.path.realpath(file))
            text = open_documents.get(real)
            if text is None:
                data = read_or_none(file, settings.max_file_size)
                text = data.decode("utf-8", errors="replace") if data is not None else None
            if text is not None:
                sources.append((file, text))
    return sources


def custom_stack_names(sources: list[tuple[Path, str]]) -> list[str]:
    return list(dict.fromkeys(name for _, _, _, name in _stack_definitions(sources)))


# -- completion ------------------------------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s*(\S*)$")
_ITEM_LINE = re.compile(r"^(\s*)-\s*(\S*)$")
_PARENT = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s*(?:#.*)?$")


class Completion(NamedTuple):
    label: str
    kind: str  # "stack", "id", "step", "timezone", "component", "field"
    detail: str = ""


def completion_context(lines: list[str], line: int, before: str) -> tuple[str, str] | None:
    """``(what, typed)``: the key whose value is being written (``stack``, ``timezone``, ...) and its prefix.

    Read from the text rather than the tree: while a value is being typed the document often does
    not parse.  A list item (`- `) takes its key from the nearest less-indented line above.
    """
    match = _KEY_LINE.match(before)
    if match is not None:
        return match.group(2), match.group(3)
    item = _ITEM_LINE.match(before)
    if item is None:
        return None
    indent = len(item.group(1))
    for previous in range(line - 1, -1, -1):
        text = lines[previous]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        width = len(text) - len(text.lstrip())
        if width < indent or (width == indent and not text.lstrip().startswith("-")):
            parent = _PARENT.match(text)
            return (parent.group(2), item.group(2)) if parent else None
    return None


def completions(key: str, last_good: Parsed | None, stack_names: list[str]) -> list[Completion]:
    """What may be written as the value of ``key`` in this document."""
    if key == "stack":
        return _stacks(stack_names)
    if key in ("timezone", "timeZone"):
        import zoneinfo

        return [Completion(zone, "timezone") for zone in sorted(zoneinfo.available_timezones())]
    if key in ("dependencies", "depends", "resourceId") and last_good is not None:
        return _references(last_good)
    return []


def _stacks(stack_names: list[str]) -> list[Completion]:
    """The custom Stack definitions found, then the built-in stacks they do not shadow."""
    from worker_lint.dataos.stacks import builtin_stacks

    custom = [Completion(name, "stack", "custom Stack definition") for name in stack_names]
    builtin = [
        Completion(name, "stack", "built-in stack")
        for name in dict.fromkeys(e.name for e in builtin_stacks() if e.renamed_to is None)
        if name not in stack_names
    ]
    return custom + builtin


def _references(last_good: Parsed) -> list[Completion]:
    """What a dependency may name: a Bundle's resource ids, a Workflow's dag steps."""
    out: list[Completion] = []
    for doc in last_good.documents:
        kind = _kind(doc.data) if isinstance(doc.data, dict) else None
        if kind == "bundle":
            for item in _value(doc.data, _items()) or ():
                if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
                    out.append(Completion(str(item["id"]), "id", "Bundle resource"))
        elif kind == "workflow":
            dag = _value(doc.data, (_body_key(doc.data, "workflow"), "dag"))
            for step in dag if isinstance(dag, list) else ():
                if isinstance(step, dict) and isinstance(step.get("name"), str):
                    out.append(Completion(step["name"], "step", "dag step"))
    return list({c.label: c for c in out}.values())


# -- outline ---------------------------------------------------------------------------------------------------------


def symbols(source: Parsed) -> list[Symbol]:
    """Per document: its top-level keys, the body's sections under the body key, a Bundle's resources by id."""
    out: list[Symbol] = []
    for doc in source.documents:
        if not isinstance(doc.root, MappingNode):
            continue
        kind = _kind(doc.data) if isinstance(doc.data, dict) else None
        body = _body_key(doc.data, kind) if kind else None
        for key, value in doc.root.value:
            if not isinstance(key, ScalarNode):
                continue
            symbol = _symbol(str(key.value), key, value)
            if kind == "bundle" and key.value == "bundle" and isinstance(value, MappingNode):
                symbol.children = [
                    _bundle_resources(k, v) if k.value == "resources" else _symbol(str(k.value), k, v)
                    for k, v in value.value
                    if isinstance(k, ScalarNode)
                ]
            elif key.value == body and isinstance(value, MappingNode):
                symbol.children = [_symbol(str(k.value), k, v) for k, v in value.value if isinstance(k, ScalarNode)]
            out.append(symbol)
    return out


def _symbol(name: str, key: Node, value: Node) -> Symbol:
    kind = "object" if isinstance(value, MappingNode) else "array" if isinstance(value, SequenceNode) else "key"
    detail = str(value.value) if isinstance(value, ScalarNode) else ""
    return Symbol(
        name,
        kind,
        key.start_mark.index,
        max(value.end_mark.index, key.end_mark.index),
        key.start_mark.index,
        key.end_mark.index,
        detail[:80],
    )


def _bundle_resources(key: Node, value: Node) -> Symbol:
    symbol = _symbol("resources", key, value)
    if isinstance(value, SequenceNode):
        for index, item in enumerate(value.value):
            name, at = f"[{index}]", item
            if isinstance(item, MappingNode):
                for k, v in item.value:
                    if isinstance(k, ScalarNode) and k.value == "id" and isinstance(v, ScalarNode):
                        name, at = str(v.value), v
            symbol.children.append(
                Symbol(
                    name,
                    "module",
                    item.start_mark.index,
                    item.end_mark.index,
                    at.start_mark.index,
                    at.end_mark.index,
                    "Bundle resource",
                )
            )
    return symbol
