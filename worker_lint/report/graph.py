"""Bundles' dependency graphs as pictures: Mermaid (`flowchart`, as GitHub renders it in Markdown) and DOT (graphviz).

Each Bundle is a cluster of its own; each resource a node labelled with its id, type and `file:`.
An arrow goes from a resource to the one that waits for it, in the order the Bundle applies them,
labelled with the `dependencyConditions` it waits on; an arrow on a dependency cycle (WL403) is
drawn red and dashed. A Data Product is a node beside them, with an arrow from the Bundle its
`resource.ref` names when that Bundle is drawn too (same name and version). Every text from a manifest passes through ``safe_text.escape`` first, so a
label holds no control character, then the format's own quoting.
"""

from __future__ import annotations

from collections.abc import Sequence

from worker_lint.core.safe_text import escape
from worker_lint.run.bundles import BundleGraph, Link, Node, Product

FORMATS = ("mermaid", "dot")
#: how an arrow on a cycle is drawn
_CYCLE_COLOUR = "#d62728"


def render(name: str, graphs: Sequence[BundleGraph], products: Sequence[Product] = ()) -> str:
    return mermaid(graphs, products) if name == "mermaid" else dot(graphs, products)


def _product_lines(product: Product) -> list[str]:
    lines = [product.name or "(no name)", "Data Product", product.path]
    if product.ref is not None:
        lines.append(f"resource: {product.ref}" + ("" if product.bundle is not None else " (not drawn)"))
    return [escape(line) for line in lines]


def _node_lines(node: Node) -> list[str]:
    lines = [node.id if node.id is not None else "(no id)"]
    lines.append(node.type if node.type is not None else "type unknown")
    if node.file is not None:
        lines.append(f"file: {node.file}")
    return [escape(line) for line in lines]


def _title(graph: BundleGraph) -> str:
    return escape(f"{graph.name or '(no name)'} ({graph.path})")


def _keys(graph: BundleGraph, number: int) -> tuple[list[str], dict[str, str]]:
    """Each node's identifier in the picture (`b0_r1`), and the identifier of each resource id (its first node)."""
    keys = [f"b{number}_r{i}" for i in range(len(graph.nodes))]
    by_id: dict[str, str] = {}
    for key, node in zip(keys, graph.nodes):
        if node.id is not None:
            by_id.setdefault(node.id, key)
    return keys, by_id


# --- Mermaid -------------------------------------------------------------------------------------------------

#: characters Mermaid reads inside a quoted label, written as its entity codes
_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text)


def mermaid(graphs: Sequence[BundleGraph], products: Sequence[Product] = ()) -> str:
    out = ["flowchart LR"]
    cyclic: list[int] = []
    count = 0
    for number, graph in enumerate(graphs):
        keys, by_id = _keys(graph, number)
        out.append(f'    subgraph b{number}["{_mermaid_text(_title(graph))}"]')
        for key, node in zip(keys, graph.nodes):
            label = "<br/>".join(_mermaid_text(line) for line in _node_lines(node))
            out.append(f'        {key}["{label}"]')
        for link in graph.links:
            label = "<br/>".join(_mermaid_text(escape(c)) for c in link.conditions)
            arrow = "-.->" if link.cyclic else "-->"
            shown = f'|"{label}"|' if label else ""
            out.append(f"        {by_id[link.target]} {arrow}{shown} {by_id[link.source]}")
            if link.cyclic:
                cyclic.append(count)
            count += 1
        out.append("    end")
    for number, product in enumerate(products):
        label = "<br/>".join(_mermaid_text(line) for line in _product_lines(product))
        out.append(f'    p{number}(["{label}"])')
        if product.bundle is not None:
            out.append(f"    b{product.bundle} --> p{number}")  # the Bundle as a whole builds it
    if cyclic:
        out.append(f"    linkStyle {','.join(map(str, cyclic))} stroke:{_CYCLE_COLOUR},color:{_CYCLE_COLOUR}")
    return "\n".join(out) + "\n"


# --- DOT -----------------------------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    """A DOT quoted string's content: `\\` and `"` escaped (a backslash would otherwise start `\\n` or `\\l`)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def dot(graphs: Sequence[BundleGraph], products: Sequence[Product] = ()) -> str:
    out = [
        "digraph bundles {",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for number, graph in enumerate(graphs):
        keys, by_id = _keys(graph, number)
        out.append(f"    subgraph cluster_b{number} {{")
        out.append(f'        label="{_dot_text(_title(graph))}";')
        for key, node in zip(keys, graph.nodes):
            label = "\\n".join(_dot_text(line) for line in _node_lines(node))
            out.append(f'        {key} [label="{label}"];')
        for link in graph.links:
            attributes = _dot_link(link)
            out.append(f"        {by_id[link.target]} -> {by_id[link.source]}{attributes};")
        out.append("    }")
    out.extend(_dot_products(graphs, products))
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_products(graphs: Sequence[BundleGraph], products: Sequence[Product]) -> list[str]:
    """Each Data Product's node, and an arrow to it from its Bundle's cluster (DOT draws arrows between nodes
    only: from the cluster's first resource, clipped at the cluster's edge; an empty Bundle has none to draw)."""
    out = []
    for number, product in enumerate(products):
        label = "\\n".join(_dot_text(line) for line in _product_lines(product))
        out.append(f'    p{number} [label="{label}", shape=box, style="rounded,bold"];')
        if product.bundle is not None and graphs[product.bundle].nodes:
            out.append(f"    b{product.bundle}_r0 -> p{number} [ltail=cluster_b{product.bundle}];")
    if any("ltail" in line for line in out):
        out.insert(0, "    compound=true;")  # arrows clipped at a cluster's edge
    return out


def _dot_link(link: Link) -> str:
    attributes = []
    if link.conditions:
        attributes.append('label="' + "\\n".join(_dot_text(escape(c)) for c in link.conditions) + '"')
    if link.cyclic:
        attributes.append(f'color="{_CYCLE_COLOUR}", fontcolor="{_CYCLE_COLOUR}", style=dashed, penwidth=2')
    return f" [{', '.join(attributes)}]" if attributes else ""
