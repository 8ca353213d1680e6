"""The Bundles among some files, read as the run reads them, and what each one names.

Two commands need a Bundle as a whole rather than its diagnostics: `worker-lint graph` draws its
dependency graph (and the Data Products it builds), and `check --changed-since` lints the Bundles that name a changed file. Both read
a file with the run's reader and parser, recognise a Bundle with `classify`, and take its items,
edges, cycles and `file:` resolution from ``dataos.bundle``, as the Bundle checks do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from worker_lint.core.diagnostic import Finding
from worker_lint.core.settings import Settings
from worker_lint.dataos import bundle
from worker_lint.dataos.resource import Resource, classify, file_kinds
from worker_lint.document.reading import read_manifest


def read_bundles(display: str, settings: Settings) -> list[Resource]:
    """The Bundle documents of one file; none for a file that cannot be read, decoded or parsed (`check` says why)."""
    return read_resources(display, settings, "bundle")


def read_resources(display: str, settings: Settings, wanted: str) -> list[Resource]:
    """The documents of one file of type ``wanted`` (`bundle`, `data`); none for a file that cannot be read."""
    # a link leading out of the project is not followed, as when the file is linted
    data = read_manifest(Path(display), settings.max_file_size, lambda: bundle.project_root(display, settings))
    if isinstance(data, Finding) or wanted not in file_kinds(data, frozenset({wanted})):
        return []
    from worker_lint.document.parse import parse
    from worker_lint.document.source import decode

    text = decode(data).text
    if text is None:
        return []
    found = []
    for document in parse(text, settings.limits).documents:
        kind = None if document.truncated else classify(document.data)
        if kind is not None and kind.kind == wanted:
            found.append(Resource(document.data, document.root, (), kind.kind, kind.version, text))
    return found


def named_files(display: str, res: Resource, settings: Settings, roots: dict[Path, Path]) -> list[Path]:
    """The files the Bundle's items name in `file:`, as the lint finds them inside its project; for a value
    that names no file, every place it was looked for (a file deleted there is one the Bundle still names)."""
    where = bundle.place(display, settings, roots)
    out: list[Path] = []
    for _item, value in bundle.file_values(res):
        found = where.resolve(value)
        out.extend([found.found] if found.found is not None else found.tried)
    return out


# --- the dependency graph ------------------------------------------------------------------------------------


@dataclass
class Node:
    """One resource of a Bundle: its id (None when it has none), its type when known, and its `file:` as written."""

    id: str | None
    type: str | None
    file: str | None


@dataclass
class Link:
    """``target`` is applied before ``source``, which waits for it; ``conditions`` say what it waits for."""

    source: str
    target: str
    conditions: list[str] = field(default_factory=list)
    #: the link lies on a dependency cycle (WL403): no resource on it can ever be applied
    cyclic: bool = False


@dataclass
class BundleGraph:
    name: str | None
    path: str
    nodes: list[Node]
    links: list[Link]
    version: str | None = None


@dataclass
class Product:
    """A Data Product and the Bundle that builds it: its `resource.ref`, and that Bundle's graph when one is drawn."""

    name: str | None
    path: str
    #: the `ref` of its `resource` as written (`bundle:v1beta:sales-360-bundle`), None when it has none
    ref: str | None
    #: the index among the graphs drawn of the Bundle the ref names (same name and version), None when none is
    bundle: int | None = None


def product_of(display: str, res: Resource, graphs: list[BundleGraph]) -> Product:
    """A Data Product spec and, among ``graphs``, the Bundle its `resource.ref` names."""
    from worker_lint.dataos.product_refs import parse_reference

    written = res.get(res.body_key, "data", "resource", "ref")
    ref = parse_reference(written)
    built_by = None
    if ref is not None and ref.kind == "bundle":
        built_by = next((i for i, g in enumerate(graphs) if (g.name, g.version) == (ref.name, ref.version)), None)
    name = res.get("name")
    return Product(
        name if isinstance(name, str) else None, display, written if isinstance(written, str) else None, built_by
    )


def graph_of(display: str, res: Resource, settings: Settings, roots: dict[Path, Path]) -> BundleGraph:
    """The Bundle's resources and the orderings between them: `dependencies` and `dependencyConditions` alike."""
    items = bundle.items(res)
    where = bundle.place(display, settings, roots)
    cache: dict[Path, bundle.ReferencedFile] = {}
    nodes = [_node(item, where, settings, cache) for item in items]
    by_id = {item.id: item for item in reversed(items) if item.id is not None}  # the first of a duplicate id
    edges = bundle.edges(items)
    looping = _on_cycles([item.id for item in items if item.id is not None], edges)
    links = [
        Link(
            edge.source,
            edge.target,
            _conditions(by_id[edge.source], edge.target),
            cyclic=(edge.source, edge.target) in looping,
        )
        for edge in edges
    ]
    name = res.get("name")
    return BundleGraph(name if isinstance(name, str) else None, display, nodes, links, res.version)


def _node(
    item: bundle.Item,
    where: bundle.Place,
    settings: Settings,
    cache: dict[Path, bundle.ReferencedFile],
) -> Node:
    value = item.data.get("file")
    written = value if isinstance(value, str) and value.strip() else None
    spec = item.data.get("spec")
    kind = classify(spec) if isinstance(spec, dict) else None
    if kind is not None:
        return Node(item.id, kind.kind, written)
    if written is None or bundle.looks_templated(written):
        return Node(item.id, None, written)
    found = where.resolve(written).found
    if found is None:
        return Node(item.id, None, written)
    loaded = bundle.load_referenced(found, cache, settings.max_file_size, settings.limits)
    types = list(dict.fromkeys(kind for kind, _version in loaded.kinds))
    return Node(item.id, ", ".join(types) or None, written)


def _conditions(item: bundle.Item, target: str) -> list[str]:
    """What ``item`` waits for on ``target``: `status is active`, `runtime contains running`."""
    out = []
    for _path, cond in item.conditions():
        if cond.get("resourceId") != target:
            continue
        for key, tests in cond.items():
            if key == "resourceId" or not isinstance(tests, dict):
                continue
            for test, values in tests.items():
                shown = values if isinstance(values, list) else [values]
                out.append(f"{key} {test} {', '.join(str(v) for v in shown)}")
    return out


def _on_cycles(nodes: Iterable[str], edges: list[bundle.Edge]) -> set[tuple[str, str]]:
    """The edges that lie on a cycle: both ends in one strongly connected component (Tarjan's, iteratively,
    so that a long chain does not reach the recursion limit)."""
    adjacency: dict[str, list[str]] = {}
    for edge in edges:
        adjacency.setdefault(edge.source, []).append(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(adjacency.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            step = next(pending, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(adjacency.get(step, ()))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return {(e.source, e.target) for e in edges if component.get(e.source) == component.get(e.target)}
