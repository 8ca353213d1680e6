"""docs/reference-coverage.md: every schema property has a row, every row points at something real and is tested."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from worker_lint.checks import schema_keywords

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "reference-coverage.md"
SCHEMAS = ROOT / "schemas"
#: schema files that describe no manifest field (lookup tables, the tool's own configuration)
_NOT_FIELDS = {"index.json", "stacks/index.json", "worker-lint-config.schema.json"}
_CELL = re.compile(r"(?<!\\)\|")


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line)[1:-1]]
        assert len(cells) == 7, line
        rows.append(dict(zip(("field", "reference", "type", "required", "values", "checked", "test"), cells)))
    return rows


ROWS = _rows()


def _pointers(cell: str) -> list[tuple[str, str]]:
    return [tuple(ref.split("#", 1)) for ref in re.findall(r"`([^`#]+\.json#[^`]*)`", cell)]  # type: ignore[misc]


def _resolve(rel: str, pointer: str) -> Any:
    node: Any = json.loads((SCHEMAS / rel).read_text(encoding="utf-8"))
    for part in [p for p in pointer.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _schema_properties() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(rel: str, node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    for name, sub in value.items():
                        here = f"{pointer}/properties/{name.replace('~', '~0').replace('/', '~1')}"
                        found.add((rel, here))
                        walk(rel, sub, here)
                elif key in ("$defs", "definitions", "patternProperties") and isinstance(value, dict):
                    for name, sub in value.items():
                        walk(rel, sub, f"{pointer}/{key}/{name.replace('~', '~0').replace('/', '~1')}")
                elif key in (
                    "items",
                    "additionalProperties",
                    "if",
                    "then",
                    "else",
                    "not",
                    "contains",
                    "unevaluatedProperties",
                ) and isinstance(value, dict):
                    walk(rel, value, f"{pointer}/{key}")
                elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
                    for i, sub in enumerate(value):
                        walk(rel, sub, f"{pointer}/{key}/{i}")

    for path in sorted(SCHEMAS.rglob("*.json")):
        rel = path.relative_to(SCHEMAS).as_posix()
        if rel not in _NOT_FIELDS:
            walk(rel, json.loads(path.read_text(encoding="utf-8")), "")
    return found


def test_every_schema_property_has_a_row() -> None:
    listed = {ref for row in ROWS for ref in _pointers(row["checked"])}
    assert sorted(_schema_properties() - listed) == []


def test_every_row_points_at_something_that_exists() -> None:
    problems = []
    for row in ROWS:
        pointers = _pointers(row["checked"])
        if not pointers and "checks/" not in row["checked"]:
            problems.append((row["field"], "checked nowhere"))
        for rel, pointer in pointers:
            try:
                _resolve(rel, pointer)
            except (OSError, KeyError, IndexError, ValueError):
                problems.append((row["field"], f"{rel}#{pointer}"))
        for module in re.findall(r"`(checks/[\w/]+\.py)`", row["checked"]):
            if not (ROOT / "worker_lint" / module).is_file():
                problems.append((row["field"], module))
        match = re.fullmatch(r"`(tests/[\w/]+\.py)::(\w+)`", row["test"])
        if match is None:
            problems.append((row["field"], f"no test: {row['test']}"))
            continue
        test_file = ROOT / match[1]
        if not test_file.is_file() or f"def {match[2]}(" not in test_file.read_text(encoding="utf-8"):
            problems.append((row["field"], row["test"]))
    assert problems == []
    assert len(ROWS) >= 200


_SAMPLES: list[tuple[str, Any]] = [
    ("array", [[1]]),
    ("object", {"x": 1}),
    ("string", "x"),
    ("number", 1.5),
    ("boolean", True),
    ("null", None),
]


def _types(rel: str, node: Any, depth: int = 0) -> set[str] | None:
    """The JSON types a definition allows, following `$ref`s; None when it does not restrict the type."""
    if not isinstance(node, dict) or depth > 8:
        return None
    if "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        if target:
            candidate = (rel.rsplit("/", 1)[0] + "/" + target) if "/" in rel else target
            rel = candidate if (SCHEMAS / candidate).is_file() else target
        return _types(rel, _resolve(rel, pointer), depth + 1)
    if "const" in node:
        return {"string"} if isinstance(node["const"], str) else None
    kind = node.get("type")
    if kind is None and "enum" in node:
        return {"string"} if all(isinstance(v, str) for v in node["enum"]) else None
    if kind is None and "anyOf" in node:
        found: set[str] = set()
        for branch in node["anyOf"]:
            branch_types = _types(rel, branch, depth + 1)
            if branch_types is None:
                return None
            found |= branch_types
        return found
    if kind is None:
        return None
    return set(kind) if isinstance(kind, list) else {kind}


def _wrong_value(allowed: set[str]) -> Any:
    widened = allowed | ({"integer"} if "number" in allowed else set())
    for name, value in _SAMPLES:
        if name not in widened and not (name == "number" and "integer" in widened and float(value).is_integer()):
            return value
    raise AssertionError(f"no value outside {allowed}")


def _validate(rel: str, pointer: str, value: Any) -> list[Any]:
    return schema_keywords.findings({"$ref": f"file:///worker-lint/schemas/{rel}#{pointer}"}, value)


_TYPED = [
    pytest.param(row, id=row["field"] + "@" + _pointers(row["checked"])[0][0])
    for row in ROWS
    if row["test"].endswith("::test_documented_type_is_enforced`")
]
_FREE = [
    pytest.param(row, id=row["field"] + "@" + _pointers(row["checked"])[0][0])
    for row in ROWS
    if row["test"].endswith("::test_free_fields_accept_any_value`")
]


@pytest.mark.parametrize("row", _TYPED)
def test_documented_type_is_enforced(row: dict[str, str]) -> None:
    rel, pointer = _pointers(row["checked"])[0]
    allowed = _types(rel, _resolve(rel, pointer))
    assert allowed, f"{row['field']} is documented as {row['type']} but its schema does not restrict the type"
    findings = _validate(rel, pointer, _wrong_value(allowed))
    assert findings, f"{row['field']}: a value of another type than {row['type']} is not reported"


@pytest.mark.parametrize("row", _FREE)
def test_free_fields_accept_any_value(row: dict[str, str]) -> None:
    rel, pointer = _pointers(row["checked"])[0]
    assert _types(rel, _resolve(rel, pointer)) is None
    for _, value in _SAMPLES:
        assert _validate(rel, pointer, value) == [], (row["field"], value)
