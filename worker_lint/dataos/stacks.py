"""What the linter knows about stacks: built-in entries from ``schemas/stacks/index.json`` and custom Stack definitions.

A Worker's `stack` names a stack; this module answers whether that stack is
known, whether it runs as a Worker, and which JSON Schema validates the
Worker's `stackSpec`.  Custom Stack manifests (``type: stack``) found in the
linted paths or configured stack directories are added to a run's
:class:`StackRegistry` and take precedence over the built-in entries.
"""

from __future__ import annotations

import functools
import json
import os
import re
from typing import Any, NamedTuple

from worker_lint.core.data import data_dir
from worker_lint.core.diagnostic import JsonPath
from worker_lint.dataos.resource import Resource
from worker_lint.dataos.stack_ref import StackRef, parse_stack_ref
from worker_lint.dataos.templating import is_templated

#: A schema as :func:`worker_lint.dataos.schema.errors` takes it: a file under ``schemas/`` or the schema itself.
SchemaRef = Any


class SchemaProblem(NamedTuple):
    """Why a Stack definition's `jsonSchema` cannot validate anything."""

    message: str
    #: the line of the schema's text the problem is on, when it is one
    substring: str | None = None


class StackInfo(NamedTuple):
    """One known stack: a built-in index entry or a custom Stack definition."""

    name: str
    flavor: str | None
    version: str | None
    worker: bool
    #: file name under ``schemas/`` (built-in) or the parsed ``jsonSchema`` (custom); None when there is none
    schema: SchemaRef
    #: where the knowledge comes from, for messages
    origin: str
    runs_as: tuple[str, ...] = ()
    custom: bool = False
    #: the name that replaced this one on the platform, for a retired built-in name
    renamed_to: str | None = None

    @property
    def family(self) -> str:
        return self.name if self.flavor is None else f"{self.name}+{self.flavor}"


@functools.cache
def builtin_stacks() -> tuple[StackInfo, ...]:
    """The entries of ``schemas/stacks/index.json``."""
    raw = json.loads((data_dir("schemas") / "stacks" / "index.json").read_text(encoding="utf-8"))
    entries = []
    for item in raw["stacks"]:
        schema = item.get("schema")
        origin = f"built-in schema `{schema}`" if schema else "built-in stack list"
        entries.append(
            StackInfo(
                item["name"],
                item.get("flavor"),
                item.get("version"),
                bool(item["worker"]),
                schema,
                origin,
                tuple(item.get("runsAs", ())),
                renamed_to=item.get("renamedTo"),
            )
        )
    return tuple(entries)


def _version_key(version: str | None) -> tuple[tuple[int, str], ...]:
    """``"3.0"`` and ``"3"`` compare equal; None sorts first.

    Each number is kept as (length, digits) without its leading zeros, which
    orders as the number does with no int(): a version comes from the manifest,
    and int() refuses 4,300 digits.  ASCII digits only (``\\d`` takes `٣`).
    """
    if version is None:
        return ()
    parts = [(len(p), p) for p in (d.lstrip("0") for d in re.findall(r"[0-9]+", version))]
    while parts and parts[-1] == (0, ""):
        parts.pop()
    return tuple(parts)


@functools.cache
def _builtin_by_name() -> dict[str, tuple[StackInfo, ...]]:
    """The built-in entries by stack name, in their order: every Worker's stack is looked up, by name first."""
    by_name: dict[str, list[StackInfo]] = {}
    for entry in builtin_stacks():
        by_name.setdefault(entry.name, []).append(entry)
    return {name: tuple(entries) for name, entries in by_name.items()}


def _builtin_match(ref: StackRef) -> StackInfo | None:
    """The most specific built-in entry for ``ref``: name, then flavor and version when the entry gives them."""
    best: tuple[int, StackInfo] | None = None
    for entry in _builtin_by_name().get(ref.name, ()):
        if entry.flavor is not None and entry.flavor != ref.flavor:
            continue
        if entry.version is not None and _version_key(entry.version) != _version_key(ref.version):
            continue
        score = (entry.flavor is not None) + (entry.version is not None)
        if best is None or score > best[0]:
            best = (score, entry)
    return best[1] if best else None


class StackRegistry:
    """The stacks one run knows: custom Stack definitions first, then the built-in entries."""

    def __init__(self) -> None:
        self._custom: list[StackInfo] = []

    def add_definition(self, res: Resource, file_path: str) -> None:
        """Register a ``type: stack`` resource (a `jsonSchema` that cannot validate anything registers none)."""
        body = res.body
        if body is None:
            return
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return
        flavor = _text(res, body, "flavor")
        version = _text(res, body, "version")
        schema, _ = definition_schema(res)
        label = f"Stack `{res.data.get('name', name)}` in {_shown(file_path)}"
        info = StackInfo(
            name.lower(),
            None if flavor is None else flavor.lower(),
            version,
            "workerConfig" in body,
            schema,
            label,
            custom=True,
        )
        self._custom.append(info)

    def lookup(self, ref: StackRef) -> StackInfo | None:
        """The definition ``ref`` selects: a custom one with the same name, flavor and version, else a built-in one.

        A reference without a version selects the highest version defined.
        """
        candidates = [c for c in self._custom if c.name == ref.name and c.flavor == ref.flavor]
        if ref.version is not None:
            candidates = [c for c in candidates if _version_key(c.version) == _version_key(ref.version)]
        if candidates:
            # the last definition of one version wins, as a later apply replaces an earlier one
            return max(reversed(candidates), key=lambda c: _version_key(c.version))
        return _builtin_match(ref)

    def is_known(self, name: str) -> bool:
        return name in self.names()

    def names(self) -> list[str]:
        """Every known stack name, custom ones included, in a stable order."""
        seen = {e.name: None for e in builtin_stacks()}
        seen.update({c.name: None for c in self._custom})
        return list(seen)

    def worker_names(self) -> list[str]:
        """Names of the stacks that run Workers, retired names left out."""
        names = {e.name: None for e in builtin_stacks() if e.worker and e.renamed_to is None}
        names.update({c.name: None for c in self._custom if c.worker})
        return list(names)

    def closest(self, name: str, limit: int = 3) -> list[str]:
        """Known stack names that ``name`` most likely meant, best first."""
        retired = {e.name for e in builtin_stacks() if e.renamed_to is not None}
        pool = [n for n in self.names() if n not in retired]
        from worker_lint.core.suggest import closest

        return closest(name, pool, limit)


def _text(res: Resource, body: dict[str, Any], key: str) -> str | None:
    """A scalar of the definition as written: `version: 1.0` is the text ``1.0``, not the float."""
    value = body.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    written = res.scalar_text(res.body_key, key)
    return written if written is not None else str(value)


def definition_schema_path(res: Resource) -> JsonPath:
    return (res.body_key, "stackSpecValueSchema", "jsonSchema")


def definition_schema(res: Resource) -> tuple[dict[str, Any] | bool | None, SchemaProblem | None]:
    """The definition's ``stackSpecValueSchema.jsonSchema``, parsed and checked, or why it is unusable.

    The schema is None when it is absent, templated or unusable; the problem says why it is unusable.
    """
    raw = res.get(*definition_schema_path(res))
    if raw is None:
        return None, None
    if isinstance(raw, dict):
        text_schema: Any = raw  # written as YAML instead of a JSON string: the platform's loader reads both
    elif isinstance(raw, str):
        try:
            text_schema = json.loads(raw)
        except json.JSONDecodeError as exc:
            if is_templated(raw):
                return None, None  # a placeholder to be filled in before apply, not a schema yet
            line = raw.splitlines()[exc.lineno - 1].strip() if exc.lineno - 1 < len(raw.splitlines()) else ""
            return None, SchemaProblem(
                f"`jsonSchema` is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno} of the schema);"
                " Workers using this stack cannot be validated",
                line or None,
            )
    else:
        return None, SchemaProblem("`jsonSchema` must be a JSON Schema written as a string")
    if isinstance(text_schema, bool):
        return text_schema, None
    if not isinstance(text_schema, dict):
        return None, SchemaProblem(
            f"`jsonSchema` must be a JSON object (a JSON Schema), not a JSON {type(text_schema).__name__}"
        )
    problem = schema_problem(text_schema) or _remote_reference(text_schema)
    if problem is not None:
        return None, SchemaProblem(problem)
    return text_schema, None


def _remote_reference(node: Any) -> str | None:
    """A `$ref` leaving the schema: the linter never fetches anything, so such a schema cannot be applied."""
    if isinstance(node, list):
        return next((p for p in map(_remote_reference, node) if p), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key in ("$ref", "$dynamicRef") and isinstance(value, str) and not value.startswith("#"):
            return (
                f"`jsonSchema` refers to `{value}`, outside the schema; worker-lint never fetches schemas,"
                " so inline what it refers to under `$defs`"
            )
        found = _remote_reference(value)
        if found:
            return found
    return None


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why ``schema`` is not a valid JSON Schema of the draft its ``$schema`` names (2020-12 when absent)."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import Draft202012Validator, validator_for

    declared = schema.get("$schema")
    cls = validator_for(schema, default=Draft202012Validator)
    if (
        isinstance(declared, str)
        and cls is Draft202012Validator
        and not declared.rstrip("#").endswith("2020-12/schema")
    ):
        return (
            f"`jsonSchema` declares an unknown `$schema` `{declared}`; use a draft-04, draft-06, draft-07,"
            " 2019-09 or 2020-12 meta-schema URI"
        )
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        draft = str(cls.META_SCHEMA.get("$id", cls.META_SCHEMA.get("id", ""))).rstrip("#")
        at = f" at `{where}`" if where else ""
        return f"`jsonSchema` is not a valid JSON Schema{at}: {exc.message} (checked against {draft})"
    return None


def stack_ref_in(body: dict[str, Any]) -> tuple[str, StackRef | None] | None:
    """The `stack` text of a Worker's body section and its parsed reference; None when `stack` is absent,
    not a string or templated.

    The checks that read it hold the body section already, and finding it again costs every Worker.
    """
    text = body.get("stack")
    if not isinstance(text, str) or is_templated(text):
        return None
    return text, parse_stack_ref(text)


def _shown(file_path: str) -> str:
    """A definition's path as messages show it: relative to the working directory when inside it."""
    if not os.path.isabs(file_path):
        return file_path
    try:
        relative = os.path.relpath(file_path)
    except ValueError:  # another drive
        return file_path
    return file_path if relative.startswith("..") else relative
