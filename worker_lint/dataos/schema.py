"""Schema pass: validate data against the JSON Schemas in ``schemas/`` and route each error to a rule.

The schemas own the manifests' shape.  This module only turns jsonschema's
errors into findings with one cause per diagnostic: a missing key is reported
once on its parent's key, an unexpected key on itself with the closest known
key suggested, a wrong type or value on the value.  ``x-rule`` on a subschema
sends its errors to a specific rule and ``x-message`` gives their wording.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from worker_lint.core import type_names
from worker_lint.core.data import data_dir
from worker_lint.core.diagnostic import Finding, JsonPath
from worker_lint.core.suggest import closest
from worker_lint.document.positions import describe

_BASE = "file:///worker-lint/schemas/"

_CODE_BY_KEYWORD = {
    "required": "WL101",
    "additionalProperties": "WL102",
    "unevaluatedProperties": "WL102",
    "type": "WL103",
    "enum": "WL104",
    "const": "WL104",
}
_GENERIC_VALUE = "WL105"
#: keywords whose errors are about a scalar's value, and so moot for a templated value
_VALUE_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "multipleOf",
        "anyOf",
        "oneOf",
    }
)


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


def load(name: str) -> dict[str, Any]:
    """A schema's contents, by its file name relative to ``schemas/``."""
    return _contents()[name]


def validate(
    schema: str | dict[str, Any],
    instance: Any,
    base_path: JsonPath = (),
    is_templated: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """Findings for ``instance`` against ``schema`` (a file name under ``schemas/`` or a schema itself).

    ``base_path`` is prepended to every finding's path, so a stackSpec checked
    on its own still reports at its place in the resource.  String values for
    which ``is_templated`` is true (placeholders, apply-time variables) never
    get a type, enum or pattern error: they are not values yet.
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
    errors = sorted(validator.iter_errors(instance), key=lambda e: (_order(e), list(map(str, e.absolute_path))))
    routed = [r for error in errors for r in _route(error, base_path, is_templated)]
    # `stackspec:` beside a missing `stackSpec` is one typo: the unknown-key diagnostic says both
    typos = {(r.finding.path[:-1], r.name) for r in routed if r.finding.code == "WL102" and r.name}
    findings: list[Finding] = []
    seen: set[tuple[str, JsonPath, str]] = set()
    reported_values: set[JsonPath] = set()
    for r in routed:
        finding = r.finding
        if finding.code == "WL101" and (finding.path, r.name) in typos:
            continue
        key = (finding.code, finding.path, r.name)
        if key in seen:
            continue
        seen.add(key)
        if finding.code not in _KEY_CODES:
            # one cause, one diagnostic: a value reported for its type is not also out of range
            if finding.path in reported_values:
                continue
            reported_values.add(finding.path)
        findings.append(finding)
    return findings


class _Routed(NamedTuple):
    finding: Finding
    #: the missing field (required) or the suggested spelling (unknown key), for de-duplication
    name: str = ""


_KEY_CODES = frozenset({"WL101", "WL102"})


def _order(error: Any) -> int:
    return 0 if error.validator == "type" else 1


def _route(error: Any, base: JsonPath, is_templated: Callable[[str], bool] | None) -> Iterator[_Routed]:
    keyword = error.validator
    path = base + tuple(error.absolute_path)
    instance = error.instance
    subschema = error.schema if isinstance(error.schema, dict) else {}
    if keyword in _VALUE_KEYWORDS and isinstance(instance, str) and is_templated is not None and is_templated(instance):
        return
    field = _field(path)
    code = subschema.get("x-rule") or _CODE_BY_KEYWORD.get(keyword, _GENERIC_VALUE)
    custom = subschema.get("x-message")

    if keyword == "required" and isinstance(instance, dict):
        for name in error.validator_value:
            if name not in instance:
                where = f" in `{describe(path)}`" if path else ""
                message = custom.format(field=name, value=name) if custom else f"missing required field `{name}`{where}"
                yield _Routed(Finding(code, path, message, at="key", fixes=_insert_fix(path, name)), name)
        return
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = list(subschema.get("properties", {}))
        patterns = [re.compile(p) for p in subschema.get("patternProperties", {})]
        for name in instance:
            if name in known or any(p.search(name) for p in patterns):
                continue
            where = f" in `{describe(path)}`" if path else ""
            message = f"unknown field `{name}`{where}"
            hint = suggest(name, known)
            if hint:
                message += f"; did you mean `{hint}`?"
            elif len(path) == 1 and name in _meta_fields():
                # `description:` indented under `worker:` by mistake: where it goes, not a list of other fields
                message += (
                    f"; `{name}` belongs at the top level of the manifest, beside `name`: move it out of `{path[0]}`"
                )
            elif known:
                message += f"; known fields are {_listing(known)}"
            yield _Routed(
                Finding(
                    code,
                    path + (name,),
                    custom.format(field=name, value=name) if custom else message,
                    at="key",
                    fixes=_rename_fix(path + (name,), hint, instance, known),
                ),
                hint or "",
            )
        return
    if keyword in ("anyOf", "oneOf") and not custom:
        yield from _route_alternatives(error, base, is_templated)
        return
    if custom:
        message = custom.format(field=field, value=_show(instance))
    elif keyword == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(type_names.wanted(t) for t in expected)
        message = f"`{field}` must be {wanted}, not {type_names.of_value(instance)}{_value_suffix(instance)}"
        yield _Routed(Finding(code, path, message, at="value", fixes=_number_fix(path, instance, expected)))
        return
    elif keyword in ("enum", "const"):
        allowed = list(error.validator_value) if keyword == "enum" else [error.validator_value]
        message = f"`{_show(instance)}` is not a valid value for `{field}`; expected {_listing(allowed)}"
        hint = suggest(str(instance), [str(a) for a in allowed]) if isinstance(instance, str) else None
        if hint:
            message += f"; did you mean `{hint}`?"
            yield _Routed(Finding(code, path, message, at="value", fixes=_value_fix(path, instance, hint, allowed)))
            return
    else:
        message = _constraint_message(keyword, error, field, instance)
    yield _Routed(Finding(code, path, message, at="value"))


# -- fixes: a case slip is safe to correct; a guess by edit distance, or a value only a person knows, is not

#: plain scalars YAML would read as something other than a string
_NOT_A_STRING = re.compile(r"[-+]?(\.?[0-9].*|\.inf|\.nan)|true|false|True|False|TRUE|FALSE|null|Null|NULL|~|")
_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _rename_fix(path: JsonPath, hint: str | None, instance: dict[str, Any], known: list[str]) -> tuple[Any, ...]:
    from worker_lint.core.fix import SAFE, UNSAFE, rename_key, spec

    name = path[-1]
    if not hint or hint in instance or not isinstance(name, str) or _NOT_A_STRING.fullmatch(hint):
        return ()
    case_only = hint.lower() == name.lower() and sum(1 for k in known if k.lower() == name.lower()) == 1
    return (spec(f"Rename `{name}` to `{hint}`", SAFE if case_only else UNSAFE, rename_key(path, hint)),)


def _value_fix(path: JsonPath, instance: Any, hint: str, allowed: list[Any]) -> tuple[Any, ...]:
    from worker_lint.core.fix import SAFE, UNSAFE, replace_value, spec

    if not isinstance(instance, str) or hint not in allowed or _NOT_A_STRING.fullmatch(hint):
        return ()
    case_only = (
        hint.lower() == instance.lower()
        and sum(1 for a in allowed if isinstance(a, str) and a.lower() == hint.lower()) == 1
    )
    return (spec(f"Write `{hint}`", SAFE if case_only else UNSAFE, replace_value(path, hint)),)


def _number_fix(path: JsonPath, instance: Any, expected: list[str]) -> tuple[Any, ...]:
    """`replicas: "2"`: the number, unquoted; the value the author wrote is kept, only its type changes."""
    from worker_lint.core.fix import SAFE, replace_value, spec

    if not isinstance(instance, str):
        return ()
    written = instance.strip()
    wanted = ("integer" in expected and _INTEGER.fullmatch(written)) or (
        "number" in expected and _NUMBER.fullmatch(written)
    )
    if not wanted or not _unquotes_to(written, expected):
        return ()
    return (spec(f"Write the number {written} without quotes", SAFE, replace_value(path, written, style="plain")),)


def _unquotes_to(written: str, expected: list[str]) -> bool:
    """Whether the platform reads ``written`` unquoted as the very number it spells (`010` is octal 8 there)."""
    from worker_lint.document.goscalar import plain_number

    read = plain_number(written)
    if read is None or ("number" not in expected and not isinstance(read, int)):
        return False
    return read == (int(written) if _INTEGER.fullmatch(written) else float(written))


def _insert_fix(path: JsonPath, name: str) -> tuple[Any, ...]:
    from worker_lint.core.fix import DISPLAY_ONLY, insert_key, spec

    # only the author knows the value: the placeholder is there to be replaced
    return (spec(f"Add `{name}` with a placeholder value", DISPLAY_ONLY, insert_key(path, name, f"<{name}>")),)


def _route_alternatives(error: Any, base: JsonPath, is_templated: Callable[[str], bool] | None) -> Iterator[_Routed]:
    """An anyOf/oneOf failure: report the one branch error that explains it best."""
    from jsonschema.exceptions import best_match

    context = list(error.context or [])
    if not context:
        yield _Routed(Finding(_GENERIC_VALUE, base + tuple(error.absolute_path), error.message))
        return
    if all(e.validator == "type" and not e.relative_path for e in context):
        expected: list[str] = []
        for e in context:
            for t in e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]:
                if t not in expected:
                    expected.append(t)
        path = base + tuple(error.absolute_path)
        wanted = " or ".join(type_names.wanted(t) for t in expected)
        yield _Routed(
            Finding(
                "WL103",
                path,
                f"`{_field(path)}` must be {wanted}, not {type_names.of_value(error.instance)}"
                f"{_value_suffix(error.instance)}",
                fixes=_number_fix(path, error.instance, expected),
            )
        )
        return
    yield from _route(best_match(context), base, is_templated)


def _constraint_message(keyword: str, error: Any, field: str, instance: Any) -> str:
    limit = error.validator_value
    templates = {
        "minimum": f"`{field}` must be at least {limit}, not {_show(instance)}",
        "maximum": f"`{field}` must be at most {limit}, not {_show(instance)}",
        "exclusiveMinimum": f"`{field}` must be greater than {limit}, not {_show(instance)}",
        "exclusiveMaximum": f"`{field}` must be less than {limit}, not {_show(instance)}",
        "minLength": f"`{field}` must be at least {limit} characters long",
        "maxLength": f"`{field}` must be at most {limit} characters long, not {len(instance) if isinstance(instance, str) else '?'}",
        "minItems": f"`{field}` must have at least {limit} item{'s' if limit != 1 else ''}",
        "maxItems": f"`{field}` must have at most {limit} items",
        "minProperties": f"`{field}` must not be empty",
        "pattern": f"`{_show(instance)}` is not a valid `{field}`: it must match `{limit}`",
        "uniqueItems": f"`{field}` must not repeat items",
    }
    return templates.get(keyword, f"`{field}`: {error.message}")


def _field(path: JsonPath) -> str:
    return describe(path)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_suffix(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return f" (`{_show(value)}`)"


@functools.cache
def _meta_fields() -> frozenset[str]:
    """The fields every resource has at its top level (`description`, `owner`, `layer`, ...)."""
    return frozenset(load("resource-meta.schema.json").get("properties", {}))


def _listing(values: Iterable[Any]) -> str:
    items = [f"`{v}`" for v in values]
    if len(items) > 8:
        items = items[:8] + ["..."]
    return ", ".join(items)


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
