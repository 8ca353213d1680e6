"""JSON Schema keywords to rule codes: one small handler per keyword turns a schema error into findings.

The schemas under ``schemas/`` own the manifests' shape; ``dataos.schema``
validates against them.  This table decides what each failed keyword means
to a user, with one cause per diagnostic: a missing key is reported once on
its parent's key, an unexpected key on itself with the closest known key
suggested, a wrong type or value on the value.  ``x-rule`` on a subschema
sends its errors to a specific rule and ``x-message`` gives their wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from worker_lint.core import lazy_re, type_names
from worker_lint.core.diagnostic import Finding, JsonPath
from worker_lint.dataos.schema import load, suggest
from worker_lint.document.positions import describe

MISSING_FIELD = "WL101"
UNKNOWN_FIELD = "WL102"
WRONG_TYPE = "WL103"
INVALID_ENUM = "WL104"
INVALID_VALUE = "WL105"
EMPTY_OPTIONAL = "WL111"
#: what the table reports by keyword; any other keyword is an invalid value
CODE_BY_KEYWORD = {
    "required": MISSING_FIELD,
    "additionalProperties": UNKNOWN_FIELD,
    "unevaluatedProperties": UNKNOWN_FIELD,
    "type": WRONG_TYPE,
    "enum": INVALID_ENUM,
    "const": INVALID_ENUM,
}
#: the codes of a value or key of the wrong shape, which a finding of the cause hides
SHAPE_CODES = frozenset({UNKNOWN_FIELD, WRONG_TYPE, INVALID_ENUM, INVALID_VALUE})
#: codes about keys: several may stand on one path, where one value error is enough
_KEY_CODES = frozenset({MISSING_FIELD, UNKNOWN_FIELD})
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

Templated = Callable[[str], bool]


class Routed(NamedTuple):
    finding: Finding
    #: the missing field (required) or the suggested spelling (unknown key), for de-duplication
    name: str = ""


class Failed(NamedTuple):
    """One schema error, with what every handler needs of it."""

    error: Any
    path: JsonPath
    code: str
    #: the subschema's ``x-message``, when it words its errors itself
    custom: str | None
    subschema: dict[str, Any]
    base: JsonPath
    is_templated: Templated | None


def findings(
    schema: Any,
    instance: Any,
    base_path: JsonPath = (),
    is_templated: Templated | None = None,
    empty_optional: bool = False,
) -> list[Finding]:
    """Findings for ``instance`` against ``schema`` (a file name under ``schemas/`` or a schema itself).

    ``base_path`` is prepended to every finding's path, so a stackSpec checked
    on its own still reports at its place in the resource.  String values for
    which ``is_templated`` is true (placeholders, apply-time variables) never
    get a type, enum or pattern error: they are not values yet.  With
    ``empty_optional`` (a manifest the platform decodes with go-yaml), an empty
    value where an optional string belongs is a warning, not a type error.
    """
    from worker_lint.dataos.schema import errors

    failed = errors(schema, instance)
    if not failed:
        return []  # most documents
    routed = [
        r
        for error in failed
        for r in (
            [_empty_optional(error, base_path)]
            if empty_optional and _is_empty_string(error) and not _required_at(schema, instance, error)
            else route(error, base_path, is_templated)
        )
    ]
    # `stackspec:` beside a missing `stackSpec` is one typo: the unknown-key diagnostic says both
    typos = {(r.finding.path[:-1], r.name) for r in routed if r.finding.code == UNKNOWN_FIELD and r.name}
    out: list[Finding] = []
    seen: set[tuple[str, JsonPath, str]] = set()
    reported_values: set[JsonPath] = set()
    for r in routed:
        finding = r.finding
        if finding.code == MISSING_FIELD and (finding.path, r.name) in typos:
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
        out.append(finding)
    return out


def _is_empty_string(error: Any) -> bool:
    """An empty value (YAML's null) where a string belongs: go-yaml decodes it into the field as ``""``."""
    if error.validator != "type" or error.instance is not None or not error.absolute_path:
        return False
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    return "string" in expected and isinstance(error.absolute_path[-1], str)


def _required_at(schema: Any, instance: Any, error: Any) -> bool:
    """Whether the schema requires the field ``error`` is about: the same document without it is missing it.

    The schema decides, through whatever `$ref`, `if` and `allOf` place the field; only a document with
    an empty value pays for the second validation.
    """
    from worker_lint.dataos.schema import errors

    path = tuple(error.absolute_path)
    parent, key = path[:-1], path[-1]
    without = _without(instance, parent, key)
    return any(
        e.validator == "required" and tuple(e.absolute_path) == parent and key in e.validator_value
        for e in errors(schema, without)
    )


def _without(value: Any, parent: JsonPath, key: str) -> Any:
    """``value`` with the field at ``parent + (key,)`` left out, copying only the containers on the way."""
    if not parent:
        return {k: v for k, v in value.items() if k != key}
    head, rest = parent[0], parent[1:]
    copied: Any = dict(value) if isinstance(value, dict) else list(value)
    copied[head] = _without(value[head], rest, key)
    return copied


def _empty_optional(error: Any, base: JsonPath) -> Routed:
    path = base + tuple(error.absolute_path)
    field = describe(path)
    message = (
        f"`{field}` is empty; DataOS reads an empty value as an empty string, the same as leaving"
        f" `{path[-1]}` out: give it a value or remove the line"
    )
    return Routed(Finding(EMPTY_OPTIONAL, path, message, at="key"))


def route(error: Any, base: JsonPath, is_templated: Templated | None) -> list[Routed]:
    """The findings one schema error stands for: its keyword's handler's, else an invalid value's."""
    keyword = error.validator
    instance = error.instance
    if keyword in _VALUE_KEYWORDS and isinstance(instance, str) and is_templated is not None and is_templated(instance):
        return []
    subschema = error.schema if isinstance(error.schema, dict) else {}
    failed = Failed(
        error,
        base + tuple(error.absolute_path),
        subschema.get("x-rule") or CODE_BY_KEYWORD.get(keyword, INVALID_VALUE),
        subschema.get("x-message"),
        subschema,
        base,
        is_templated,
    )
    handler = _HANDLERS.get(keyword)
    routed = handler(failed) if handler is not None else None
    return routed if routed is not None else [_value(failed)]


# -- one handler per keyword; None means the keyword's own wording does not apply (an `x-message`, a non-mapping)


def _required(f: Failed) -> list[Routed] | None:
    instance = f.error.instance
    if not isinstance(instance, dict):
        return None
    out = []
    for name in f.error.validator_value:
        if name not in instance:
            where = f" in `{describe(f.path)}`" if f.path else ""
            message = f.custom.format(field=name, value=name) if f.custom else f"missing required field `{name}`{where}"
            finding = Finding(
                f.code, f.path, message, at="key", fixes=_insert_fix(f.path, name), subject=f.path + (name,)
            )
            out.append(Routed(finding, name))
    return out


def _unknown_fields(f: Failed) -> list[Routed] | None:
    instance = f.error.instance
    if not isinstance(instance, dict):
        return None
    known = list(f.subschema.get("properties", {}))
    patterns = [re.compile(p) for p in f.subschema.get("patternProperties", {})]
    out = []
    for name in instance:
        if name in known or any(p.search(name) for p in patterns):
            continue
        where = f" in `{describe(f.path)}`" if f.path else ""
        message = f"unknown field `{name}`{where}"
        hint = suggest(name, known)
        if hint:
            message += f"; did you mean `{hint}`?"
        elif len(f.path) == 1 and name in _meta_fields():
            # `description:` indented under `worker:` by mistake: where it goes, not a list of other fields
            message += (
                f"; `{name}` belongs at the top level of the manifest, beside `name`: move it out of `{f.path[0]}`"
            )
        elif known:
            message += f"; known fields are {_listing(known)}"
        finding = Finding(
            f.code,
            f.path + (name,),
            f.custom.format(field=name, value=name) if f.custom else message,
            at="key",
            fixes=_rename_fix(f.path + (name,), hint, instance, known),
        )
        out.append(Routed(finding, hint or ""))
    return out


def _wrong_type(f: Failed) -> list[Routed] | None:
    if f.custom:
        return None
    value = f.error.validator_value
    expected = value if isinstance(value, list) else [value]
    return [Routed(_type_finding(f.code, f.path, f.error.instance, expected))]


def _type_finding(code: str, path: JsonPath, instance: Any, expected: list[str]) -> Finding:
    wanted = " or ".join(type_names.wanted(t) for t in expected)
    message = f"`{describe(path)}` must be {wanted}, not {type_names.of_value(instance)}{_value_suffix(instance)}"
    return Finding(code, path, message, at="value", fixes=_number_fix(path, instance, expected))


def _enum(f: Failed) -> list[Routed] | None:
    if f.custom:
        return None
    instance = f.error.instance
    allowed = list(f.error.validator_value) if f.error.validator == "enum" else [f.error.validator_value]
    message = f"`{_show(instance)}` is not a valid value for `{describe(f.path)}`; expected {_listing(allowed)}"
    hint = suggest(str(instance), [str(a) for a in allowed]) if isinstance(instance, str) else None
    if not hint:
        return [Routed(Finding(f.code, f.path, message, at="value"))]
    message += f"; did you mean `{hint}`?"
    return [Routed(Finding(f.code, f.path, message, at="value", fixes=_value_fix(f.path, instance, hint, allowed)))]


def _alternatives(f: Failed) -> list[Routed] | None:
    """An anyOf/oneOf failure: the one branch error that explains it best."""
    if f.custom:
        return None
    from jsonschema.exceptions import best_match

    context = list(f.error.context or [])
    if not context:
        return [Routed(Finding(INVALID_VALUE, f.path, f.error.message))]
    if all(e.validator == "type" and not e.relative_path for e in context):
        expected: list[str] = []
        for e in context:
            for t in e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]:
                if t not in expected:
                    expected.append(t)
        return [Routed(_type_finding(WRONG_TYPE, f.path, f.error.instance, expected))]
    return route(best_match(context), f.base, f.is_templated)


_HANDLERS: dict[str, Callable[[Failed], list[Routed] | None]] = {
    "required": _required,
    "additionalProperties": _unknown_fields,
    "unevaluatedProperties": _unknown_fields,
    "type": _wrong_type,
    "enum": _enum,
    "const": _enum,
    "anyOf": _alternatives,
    "oneOf": _alternatives,
}


def _value(f: Failed) -> Routed:
    """An invalid value: in the subschema's words, else the keyword's constraint said plainly."""
    instance = f.error.instance
    field = describe(f.path)
    if f.custom:
        message = f.custom.format(field=field, value=_show(instance))
    else:
        constraint = _CONSTRAINTS.get(f.error.validator)
        message = (
            constraint(field, f.error.validator_value, instance) if constraint else f"`{field}`: {f.error.message}"
        )
    return Routed(Finding(f.code, f.path, message, at="value"))


_CONSTRAINTS: dict[str, Callable[[str, Any, Any], str]] = {
    "minimum": lambda field, limit, value: f"`{field}` must be at least {limit}, not {_show(value)}",
    "maximum": lambda field, limit, value: f"`{field}` must be at most {limit}, not {_show(value)}",
    "exclusiveMinimum": lambda field, limit, value: f"`{field}` must be greater than {limit}, not {_show(value)}",
    "exclusiveMaximum": lambda field, limit, value: f"`{field}` must be less than {limit}, not {_show(value)}",
    "minLength": lambda field, limit, value: f"`{field}` must be at least {limit} characters long",
    "maxLength": lambda field, limit, value: (
        f"`{field}` must be at most {limit} characters long, not {len(value) if isinstance(value, str) else '?'}"
    ),
    "minItems": lambda field, limit, value: f"`{field}` must have at least {limit} item{'s' if limit != 1 else ''}",
    "maxItems": lambda field, limit, value: f"`{field}` must have at most {limit} items",
    "minProperties": lambda field, limit, value: f"`{field}` must not be empty",
    "pattern": lambda field, limit, value: f"`{_show(value)}` is not a valid `{field}`: it must match `{limit}`",
    "uniqueItems": lambda field, limit, value: f"`{field}` must not repeat items",
}


# -- fixes: a case slip is safe to correct; a guess by edit distance, or a value only a person knows, is not

#: plain scalars YAML would read as something other than a string
_NOT_A_STRING = lazy_re.compile(r"[-+]?(\.?[0-9].*|\.inf|\.nan)|true|false|True|False|TRUE|FALSE|null|Null|NULL|~|")
_INTEGER = lazy_re.compile(r"[-+]?[0-9]+")
_NUMBER = lazy_re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


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


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_suffix(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return f" (`{_show(value)}`)"


def _listing(values: Iterable[Any]) -> str:
    items = [f"`{v}`" for v in values]
    if len(items) > 8:
        items = items[:8] + ["..."]
    return ", ".join(items)


def _meta_fields() -> frozenset[str]:
    """The fields every resource has at its top level (`description`, `owner`, `layer`, ...)."""
    return frozenset(load("resource-meta.schema.json").get("properties", {}))
