"""The JSON Schemas in ``schemas/``: which one a resource is checked against, and validation against it.

The schemas own the manifests' shape.  This module loads and compiles them
and lists a document's errors; what each error means to a user, and under
which rule it is reported, is ``worker_lint.checks.schema_keywords``'s.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from worker_lint.core import lazy_re
from worker_lint.core.data import data_dir
from worker_lint.core.suggest import closest

_BASE = "file:///worker-lint/schemas/"
#: folders of ``schemas/`` that hold data, not schemas: the Bento components catalogue (``dataos.bento``), which
#: no schema refers to and only a Bento stackSpec needs (reading it and registering it cost every run milliseconds)
_DATA_FOLDERS = frozenset({"bento"})
#: the major number of a version as written (`v2`, `V1beta1`, `1.0`)
_MAJOR = lazy_re.compile(r"v?([0-9]+)(?![0-9])")


@functools.cache
def _contents() -> dict[str, dict[str, Any]]:
    """Every schema file by its name under ``schemas/``, with the `$id` its relative `$ref`s resolve against.

    Plain JSON on purpose: the compiled validator needs nothing more, and the
    slower ``referencing`` machinery is loaded only when a document has errors.
    """
    root = data_dir("schemas")
    return {
        path.relative_to(root).as_posix(): {
            **json.loads(path.read_text(encoding="utf-8")),
            "$id": _BASE + path.relative_to(root).as_posix(),
        }
        for path in sorted(root.rglob("*.json"))
        if path.relative_to(root).parts[0] not in _DATA_FOLDERS
    }


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012))
        for contents in _contents().values()
    )


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load(name), registry=_registry())


_FAST: dict[Any, tuple[Any, Any]] = {}


def _fast_validator(schema: str | dict[str, Any]) -> Any:
    """A compiled validator (jsonschema-rs) that only says valid or not, ~400x faster than explaining why.

    Cached per schema file, and per schema object for schemas built at run time
    (custom Stack definitions); None when the compiled validator is unavailable
    or refuses the schema, and then every document takes the explaining path.
    """
    key: Any = schema if isinstance(schema, str) else id(schema)
    cached = _FAST.get(key)
    if cached is not None and (isinstance(schema, str) or cached[0] is schema):
        return cached[1]
    try:
        import jsonschema_rs

        contents = load(schema) if isinstance(schema, str) else schema
        validator = jsonschema_rs.validator_for(contents, registry=_fast_registry(), retriever=_refuse)
    except Exception:  # an unusual custom schema: the explaining validator still handles it
        validator = None
    _FAST[key] = (schema, validator)
    return validator


def _refuse(uri: str) -> Any:
    raise ValueError(f"worker-lint never fetches schemas ({uri})")


@functools.cache
def _fast_registry() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Registry([(contents["$id"], contents) for contents in _contents().values()])


@functools.cache
def index() -> dict[str, dict[str, str]]:
    """``schemas/index.json``: resource type -> version -> schema file (``*`` matches any)."""
    result: dict[str, dict[str, str]] = json.loads((data_dir("schemas") / "index.json").read_text(encoding="utf-8"))
    return result


def schema_name_for(kind: str, version: str | None) -> str | None:
    by_version = index().get(kind) or index().get("*") or {}
    return by_version.get(version or "") or by_version.get("*")


def resource_schema(kind: str, version: str | None, data: Mapping[str, Any]) -> str | None:
    """The schema file a resource is checked against: by its type and `version`.

    A Worker's body section decides when `version` is not a Worker version, or
    when the body is the other version's (a `v1beta` Worker with a `spec:`
    section): the body is checked with the schema of the section it has, so
    its other problems are not hidden behind the one mistake.
    """
    if kind != "worker":
        return schema_name_for(kind, version)
    versions = worker_versions()  # version -> body section
    files = index()["worker"]
    by_body = body_version(data)
    if version in versions:
        return files[version if by_body is None else by_body]
    return files[by_body or worker_version_meant(version) or next(iter(versions))]


def worker_version_meant(written: object) -> str | None:
    """The Worker version a `version` that is none most likely means, by its spelling, or None.

    Case aside (`V1beta`), the major number decides: `v1`, `v1beta1`, `v1alpha` mean v1beta, `v2`,
    `v2beta`, `v2alpha1` mean v2alpha, since each major number has one Worker version.
    """
    if not isinstance(written, str):
        return None
    value = written.strip().lower()
    versions = worker_versions()
    if value in versions:
        return value
    major = _major(value)
    same = [v for v in versions if major is not None and _major(v) == major]
    return same[0] if len(same) == 1 else None


def _major(version: str) -> str | None:
    found = _MAJOR.match(version)
    return found.group(1) if found else None


def body_version(data: Mapping[str, Any]) -> str | None:
    """The Worker version whose body section ``data`` has, when it has exactly one."""
    present = [v for v, section in worker_versions().items() if section in data]
    return present[0] if len(present) == 1 else None


def load(name: str) -> dict[str, Any]:
    """A schema's contents, by its file name relative to ``schemas/``."""
    return _contents()[name]


def errors(schema: str | dict[str, Any], instance: Any) -> list[Any]:
    """jsonschema's errors for ``instance`` against ``schema`` (a file name under ``schemas/`` or a schema itself).

    Type errors first, then by path; ``worker_lint.checks.schema_keywords`` says what each means.
    """
    fast = _fast_validator(schema)
    if fast is not None and fast.is_valid(instance):
        return []  # the common case: no error, so no need for the slower validator that explains errors
    if isinstance(schema, str):
        validator = _validator(schema)
    else:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        validator = cls(schema, registry=_registry())
    return sorted(validator.iter_errors(instance), key=lambda e: (_order(e), list(map(str, e.absolute_path))))


def _order(error: Any) -> int:
    return 0 if error.validator == "type" else 1


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The known name a misspelt one most likely meant (see ``core.suggest``)."""
    found = closest(word, candidates)
    return found[0] if found else None


@functools.cache
def worker_fields(body_key: str) -> frozenset[str]:
    """The fields the Worker schemas of every version allow in the body section (`worker:` or `spec:`)."""
    fields: set[str] = set()
    for name in index()["worker"].values():
        fields.update(load(name).get("properties", {}).get(body_key, {}).get("properties", {}))
    return frozenset(fields)


@functools.cache
def legacy_stack_sections() -> tuple[str, ...]:
    """The stack-named sections (`bento:`, `container:` ...) a v1beta `worker:` still accepts instead of `stackSpec`.

    The v1beta schema owns the list: each such field refers to the `legacyStackSection` definition.
    """
    fields = load(index()["worker"]["v1beta"])["properties"]["worker"]["properties"]
    return tuple(name for name, spec in fields.items() if str(spec.get("$ref", "")).endswith("/legacyStackSection"))


@functools.cache
def worker_versions() -> dict[str, str]:
    """Each Worker version and the section that holds its runtime (`v1beta`: `worker`, `v2alpha`: `spec`).

    The index names the versions and the schemas say the rest: the body section is the one
    required field a schema declares last, after the resource meta fields.
    """
    return {version: load(name)["required"][-1] for version, name in index()["worker"].items()}
