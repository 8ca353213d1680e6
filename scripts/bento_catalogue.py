"""Generate `schemas/bento/catalogue.json`, the Bento component catalogue worker-lint ships.

Run from the project root, with the Bento sources beside the checkout:

    python3 scripts/bento_catalogue.py [--shared ../shared]

It reads three things and writes one compact file:

- `bento/bento.schema.json`: Bento's own generated JSON Schema (warpstreamlabs/bento, MIT), the
  source of every component and the types of its fields;
- `bento/components/<kind>/<name>.md`: Bento's generated reference pages, which add what the schema
  lacks: the required fields (`# No default (required)` in the full config block), each enum's
  options (`Options: ...`), the structure of fields the schema leaves open (a `switch` case), and
  the components the schema does not list (scanners, a few cloud components);
- `reference/dataos-bento/`: the DataOS documentation's Bento pages, for DataOS's own components
  (`plugin` with `type: dataos_depot`, `dataos_kafka`, `dataos_sql_raw`), written in `DATAOS` below
  after those pages, since they have no schema.

The catalogue's encoding (read by `worker_lint/dataos/bento.py`) keeps the file small:

- a scalar type is a letter: `s` string, `b` boolean, `i` integer, `n` number, `a` anything;
- `@kind` is a component of that kind (`@processor`);
- `["l", T]` is a list of T, `["m", T]` a mapping of names to T, `["e", [options]]` a string
  with those options;
- `{"f": {field: T}, "r": [required], "o": 1}` is an object (`o`: open, other fields allowed);
- `"#N"` is `defs[N]`, a subtree that occurs more than once (TLS, batching policies ...).

The licence notice of Bento is copied beside the catalogue, as its licence asks.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

#: component kinds: where the schema lists them, and the folder of their reference pages
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "input": (("input",), "inputs"),
    "output": (("output",), "outputs"),
    "processor": (("pipeline", "processors", "[]"), "processors"),
    "cache": (("cache_resources", "[]"), "caches"),
    "rate_limit": (("rate_limit_resources", "[]"), "rate_limits"),
    "buffer": (("buffer",), "buffers"),
    "metrics": (("metrics",), "metrics"),
    "tracer": (("tracer",), "tracers"),
    "scanner": ((), "scanners"),
}

#: fields the schema and pages type as a bare object or array but that hold components; a field
#: named `processors` holding a list, and a page's `Type: input` or `output`, are found without this
COMPONENT_FIELDS: dict[tuple[str, str], dict[str, Any]] = {
    ("input", "broker"): {"inputs": ["l", "@input"]},
    ("input", "sequence"): {"inputs": ["l", "@input"]},
    ("input", "dynamic"): {"inputs": ["m", "@input"]},
    ("output", "broker"): {"outputs": ["l", "@output"]},
    ("output", "dynamic"): {"outputs": ["m", "@output"]},
}

#: components whose whole body is a component or a list of them
COMPONENT_BODIES: dict[tuple[str, str], Any] = {
    ("output", "fallback"): ["l", "@output"],
    ("output", "reject_errored"): "@output",
    ("processor", "catch"): ["l", "@processor"],
    ("processor", "try"): ["l", "@processor"],
    ("processor", "for_each"): ["l", "@processor"],
    ("processor", "processors"): ["l", "@processor"],
}

#: the page types, as catalogue types
PAGE_TYPES: dict[str, Any] = {
    "string": "s",
    "bool": "b",
    "int": "i",
    "float": "n",
    "object": {"f": {}},
    "array": ["l", "a"],
    "unknown": "a",
    "scanner": "@scanner",
    "input": "@input",
    "output": "@output",
    "list of `string`": ["l", "s"],
    "map of `string`": ["m", "s"],
    "two-dimensional array": ["l", ["l", "s"]],
}

#: page types that say more than the schema can: they replace the schema's type of the field
PAGE_DECIDES = frozenset({"two-dimensional array", "list of `string`", "map of `string`", "scanner", "input", "output"})

SCHEMA_TYPES = {"string": "s", "boolean": "b", "integer": "i", "number": "n"}


def dataos_components(kinds: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """DataOS's own components, as its Bento pages write them (reference/dataos-bento)."""
    # components/output/fastbase_depot.md: "Arbitrary output plugin block. When `type` is
    # `dataos_depot`, messages are written to a DataOS Depot endpoint"; the recipes add more fields
    plugin = {"f": {"type": "s", "address": "s", "metadata": {"f": {}, "o": 1}}, "r": ["address"], "o": 1}
    # bento_on_dataos.md: `dataos_kafka` takes a Depot `address` where `kafka` takes `addresses`
    kafka = json.loads(json.dumps(kinds["output"]["kafka"]))
    kafka["f"]["address"] = "s"
    kafka["r"] = [r for r in kafka.get("r", []) if r not in ("addresses", "topic")] + ["address"]
    # components/processors/sql_raw.md: `dataos_sql_raw` takes a Depot `address` instead of a DSN
    sql_raw = json.loads(json.dumps(kinds["processor"]["sql_raw"]))
    sql_raw["f"]["address"] = "s"
    sql_raw["r"] = [r for r in sql_raw.get("r", []) if r not in ("driver", "dsn")] + ["address"]
    return {"output": {"plugin": plugin, "dataos_kafka": kafka}, "processor": {"dataos_sql_raw": sql_raw}}


# ---------------------------------------------------------------- the schema


def from_schema(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if "items" in node:
        kind = "array"  # a few fields are typed `integer` with `items`: the pages say they are lists
    if kind in SCHEMA_TYPES:
        return SCHEMA_TYPES[kind]
    if kind == "array":
        items = node.get("items")
        return ["l", from_schema(items) if isinstance(items, dict) and items else "a"]
    if kind == "object":
        props = node.get("properties") or {}
        return {"f": {name: from_schema(sub) for name, sub in sorted(props.items())}}
    return "a"


def schema_components(schema: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    node: Any = schema
    for step in where:
        node = node["items"] if step == "[]" else node["properties"][step]
    return {name: from_schema(sub) for name, sub in sorted(node.get("properties", {}).items())}


# ---------------------------------------------------------------- the pages

FIELD_HEADING = re.compile(r"^### `([^`]+)`\s*$")
TYPE_LINE = re.compile(r"^Type: (.+?)\s*$")
OPTIONS_LINE = re.compile(r"^Options: (.+)\.\s*$")


def page_fields(text: str) -> list[tuple[str, str, list[str] | None]]:
    """(path, type, options) of every `### `path`` section of a reference page."""
    out: list[tuple[str, str, list[str] | None]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        heading = FIELD_HEADING.match(line)
        if not heading:
            continue
        kind, options = None, None
        for follow in lines[i + 1 : i + 40]:
            if follow.startswith("### ") or follow.startswith("## "):
                break
            if kind is None and (m := TYPE_LINE.match(follow)):
                kind = m.group(1).strip().strip("`") if m.group(1).count("`") == 2 else m.group(1).strip()
            if options is None and (m := OPTIONS_LINE.match(follow)):
                options = re.findall(r"`([^`]*)`", m.group(1))
        if kind is not None:
            out.append((heading.group(1), kind, options))
    return out


def page_required(text: str, name: str) -> list[tuple[str, ...]]:
    """Paths under the component marked `# No default (required)` in the page's full config block."""
    blocks = re.findall(r"```yml\n# (?:All config|Config) fields, showing default values\n(.*?)```", text, re.S)
    if not blocks:
        return []
    required: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    for line in blocks[-1].splitlines():
        m = re.match(r"^( *)([A-Za-z0-9_]+):", line)
        if not m:
            continue
        indent, key = len(m.group(1)), m.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        keys = [k for _, k in stack]
        if name not in keys or "# No default (required)" not in line:
            continue
        path = tuple(keys[keys.index(name) + 1 :])
        if path:
            required.append(path)
    return required


def split_path(path: str) -> list[str]:
    """`tls.client_certs[].cert` -> `tls`, `client_certs`, `[]`, `cert`; `[].check` -> `[]`, `check`."""
    parts: list[str] = []
    for piece in path.split("."):
        while piece.endswith("[]"):
            if piece[:-2]:
                parts.append(piece[:-2])
            piece = ""
            parts.append("[]")
        if piece:
            parts.append(piece)
    return parts


def place(body: Any, parts: list[str], leaf: Any, decides: bool = False) -> Any:
    """``body`` with the field at ``parts`` typed ``leaf`` where the schema left it open (or ``decides``)."""
    if not parts:
        # the page decides what kind of value the field holds; the schema may add the structure
        if leaf == "a" or (not decides and _shape(body) == _shape(leaf) and _structured(body)):
            return body
        return leaf
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if not (isinstance(body, list) and body[0] == "l"):
            body = ["l", "a"]
        item = body[1]
        if not rest:
            return ["l", place(item, [], leaf, decides)]
        return ["l", place(item if isinstance(item, dict) else {"f": {}}, rest, leaf, decides)]
    if head == "<name>":
        value = body[1] if isinstance(body, list) and body[0] == "m" else {"f": {}}
        return ["m", place(value, rest, leaf, decides)]
    if not isinstance(body, dict):
        body = {"f": {}}
    fields = body.setdefault("f", {})
    fields[head] = place(fields.get(head, "a"), rest, leaf, decides)
    return body


def _shape(spec: Any) -> str:
    if isinstance(spec, dict):
        return "o"
    if isinstance(spec, list):
        return "s" if spec[0] == "e" else spec[0]
    return str(spec)


def _structured(spec: Any) -> bool:
    if isinstance(spec, dict):
        return bool(spec.get("f"))
    if isinstance(spec, list) and spec[0] in ("l", "m"):
        return spec[1] != "a"
    return spec != "a"


def set_enum(body: Any, parts: list[str], options: list[str]) -> Any:
    if not parts:
        return ["e", options] if body == "s" else body
    head, rest = parts[0], parts[1:]
    if head in ("[]", "<name>") and isinstance(body, list):
        return [body[0], set_enum(body[1], rest, options)]
    if isinstance(body, dict) and head in body.get("f", {}):
        body["f"][head] = set_enum(body["f"][head], rest, options)
    return body


def set_required(body: Any, path: tuple[str, ...]) -> None:
    for step in path[:-1]:
        if not (isinstance(body, dict) and step in body.get("f", {})):
            return
        body = body["f"][step]
    if isinstance(body, dict) and path[-1] in body.get("f", {}):
        body.setdefault("r", [])
        if path[-1] not in body["r"]:
            body["r"].append(path[-1])


def components_of(body: Any) -> Any:
    """Fields named `processors` that hold a list are lists of processors, at any depth."""
    if isinstance(body, dict):
        for name, sub in body.get("f", {}).items():
            if name == "processors" and isinstance(sub, list) and sub[0] == "l":
                body["f"][name] = ["l", "@processor"]
            else:
                body["f"][name] = components_of(sub)
    elif isinstance(body, list) and body[0] in ("l", "m"):
        return [body[0], components_of(body[1])]
    return body


# ---------------------------------------------------------------- compaction


def intern(catalogue: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[Any]]:
    """Replace every subtree that occurs more than once (and is worth it) by `#N` into a table."""
    counts: dict[str, int] = {}

    def count(spec: Any) -> None:
        if isinstance(spec, (dict, list)):
            key = json.dumps(spec, sort_keys=True)
            counts[key] = counts.get(key, 0) + 1
            for sub in spec.get("f", {}).values() if isinstance(spec, dict) else spec[1:]:
                count(sub)

    for components in catalogue.values():
        for spec in components.values():
            count(spec)
    defs: list[Any] = []
    index: dict[str, str] = {}

    def replace(spec: Any) -> Any:
        if not isinstance(spec, (dict, list)):
            return spec
        if isinstance(spec, dict):
            inner: Any = dict(spec, f={k: replace(v) for k, v in spec.get("f", {}).items()})
            if not inner["f"]:
                del inner["f"]
        else:
            inner = [spec[0]] + [spec[1] if spec[0] == "e" else replace(spec[1])]
        key = json.dumps(spec, sort_keys=True)
        if counts.get(key, 0) > 1 and len(key) > 40:
            if key not in index:
                index[key] = f"#{len(defs)}"
                defs.append(inner)
            return index[key]
        return inner

    return {k: {n: replace(s) for n, s in comps.items()} for k, comps in catalogue.items()}, defs


# ---------------------------------------------------------------- the whole


def build(shared: Path) -> dict[str, Any]:
    schema = json.loads((shared / "bento" / "bento.schema.json").read_text(encoding="utf-8"))
    pages = shared / "bento" / "components"
    kinds: dict[str, dict[str, Any]] = {}
    for kind, (where, folder) in KINDS.items():
        components = schema_components(schema, where) if where else {}
        for page in sorted((pages / folder).glob("*.md")):
            name = page.stem
            if name == "about":
                continue
            text = page.read_text(encoding="utf-8")
            body = components.get(name, {"f": {}})
            for path, page_type, options in page_fields(text):
                parts = split_path(path)
                if page_type in PAGE_TYPES:
                    leaf = json.loads(json.dumps(PAGE_TYPES[page_type]))
                    body = place(body, parts, leaf, page_type in PAGE_DECIDES)
                if options:
                    body = set_enum(body, parts, options)
            for path in page_required(text, name):
                set_required(body, path)
            components[name] = body
        for name, body in components.items():
            body = COMPONENT_BODIES.get((kind, name), body)
            if isinstance(body, dict):
                for field, spec in COMPONENT_FIELDS.get((kind, name), {}).items():
                    body.setdefault("f", {})[field] = spec
            components[name] = components_of(body)
        kinds[kind] = dict(sorted(components.items()))
    for kind, extra in dataos_components(kinds).items():
        kinds[kind].update(extra)
    compact, defs = intern(kinds)
    return {
        "about": (
            "Bento's components and their fields, generated by scripts/bento_catalogue.py from Bento's"
            " JSON Schema and reference pages (warpstreamlabs/bento, MIT: see LICENSE-bento) and the"
            " DataOS documentation's Bento pages. Do not edit by hand."
        ),
        "kinds": compact,
        "defs": defs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--shared", type=Path, default=root.parent / "shared", help="the folder holding bento/")
    parser.add_argument("--out", type=Path, default=root / "schemas" / "bento")
    args = parser.parse_args(argv)
    catalogue = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(catalogue, separators=(",", ":"), sort_keys=False) + "\n"
    (args.out / "catalogue.json").write_text(text, encoding="utf-8")
    shutil.copyfile(args.shared / "bento" / "LICENSE", args.out / "LICENSE-bento")
    counts = ", ".join(f"{len(v)} {k}" for k, v in catalogue["kinds"].items())
    print(f"wrote {args.out / 'catalogue.json'} ({len(text):,} bytes): {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
