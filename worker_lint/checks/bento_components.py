"""WL130-WL132 and Bento's own field errors: a Bento stackSpec checked component by component.

A Bento config names one component per place (`input: {kafka_franz: {...}}`); Bento reads each
against its spec when the pod starts, so a misspelt component or field, a wrong type, a missing
required field or a value outside an enum fails there, minutes after the apply. The catalogue
(``dataos.bento``) has every component Bento and DataOS document; this check walks the config
as Bento does, through inputs, outputs, processors at any depth (`broker`, `switch`, `branch`,
`try`, `catch`, `workflow`, resources), caches, rate limits, buffers, metrics and tracers:

- an unknown component is an error (WL130) when a known one is close, else a warning (WL131):
  DataOS may build in components the catalogue does not list;
- an unknown field is a warning (WL132): Bento versions add and retire fields;
- a missing required field (WL101), a wrong type (WL103), a value outside an enum (WL104) are errors.

Bloblang and `${! ... }` interpolations are strings to Bento's config parser and are not read
here; a value holding an environment variable or a placeholder is whatever it will be replaced
with, so it is not checked. The root sections' own shapes are the stack schema's (stack_spec.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Set
from typing import TYPE_CHECKING, Any

from worker_lint.checks import check
from worker_lint.core import type_names
from worker_lint.core.diagnostic import Finding, JsonPath
from worker_lint.core.suggest import closest
from worker_lint.dataos import bento
from worker_lint.dataos.stacks import builtin_stacks, stack_ref_in
from worker_lint.dataos.templating import is_templated

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

UNKNOWN_COMPONENT = "WL130"
UNLISTED_COMPONENT = "WL131"
UNKNOWN_FIELD = "WL132"
MISSING_FIELD = "WL101"
WRONG_TYPE = "WL103"
INVALID_ENUM = "WL104"

#: the root sections that hold components, and what they hold; the sections' own shapes are the schema's
ROOT_SECTIONS: dict[str, Any] = {
    "input": "@input",
    "buffer": "@buffer",
    "output": "@output",
    "metrics": "@metrics",
    "tracer": "@tracer",
    "input_resources": ["l", "@input"],
    "processor_resources": ["l", "@processor"],
    "output_resources": ["l", "@output"],
    "cache_resources": ["l", "@cache"],
    "rate_limit_resources": ["l", "@rate_limit"],
}

_PROCESSORS = ["l", "@processor"]
_OUTPUTS = ["l", "@output"]

#: Go's YAML decoder reads these strings into a boolean field too (YAML 1.1's booleans)
_GO_BOOLEANS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]
)

_TYPE_WORDS = {"s": "string", "b": "boolean", "i": "integer", "n": "number"}


#: what a finding names as the owner of a field: the kind of component and its name (None: the section)
Owner = tuple[str, "str | None"]


@check(UNKNOWN_COMPONENT, UNLISTED_COMPONENT, UNKNOWN_FIELD, MISSING_FIELD, WRONG_TYPE, INVALID_ENUM, kinds={"worker"})
def bento_components(res: Resource, ctx: Context) -> list[Finding]:
    bk = res.body_key
    body = res.data.get(bk)
    if not isinstance(body, dict):
        return []
    spec = body.get("stackSpec")
    if not isinstance(spec, dict) or not _is_bento(body, ctx):
        return []
    # findings are collected in one list through the walk, and messages are written only for what is
    # reported: a config has hundreds of values, and they nearly all fit
    out: list[Finding] = []
    base: JsonPath = (bk, "stackSpec")
    for section, value in spec.items():
        kind = section_type(section, isinstance(value, list))
        if kind is None or value is None:
            continue
        if not isinstance(value, dict if isinstance(kind, str) else list):
            continue  # a root section of the wrong shape is the stack schema's to report
        _checker(kind)(value, base + (section,), (section, None), out)
    pipeline = spec.get("pipeline")
    if isinstance(pipeline, dict) and pipeline.get("processors") is not None:
        path = base + ("pipeline", "processors")
        _checker(_PROCESSORS)(pipeline["processors"], path, ("processor", None), out)
    return out


def section_type(section: Any, is_list: bool) -> Any:
    """The catalogue type of a root section of a Bento config (None: it holds no components)."""
    if section == "output" and is_list:
        return _OUTPUTS  # the DataOS docs' form: a list of outputs
    return ROOT_SECTIONS.get(section)


def type_at(path: JsonPath) -> Any:
    """The catalogue type of the value at ``path`` inside a stackSpec, as this check walks the config to it.

    A component position is ``"@kind"``; a component's body is its object (``{"f": fields}``); None
    where the walk does not go. A list index may be any int: every item of a list has one type.
    """
    if not path:
        return None
    if tuple(path[:2]) == ("pipeline", "processors"):
        spec, rest = _PROCESSORS, path[2:]
    else:
        spec, rest = section_type(path[0], len(path) > 1 and isinstance(path[1], int)), path[1:]
    for segment in rest:
        if spec is None:
            return None
        spec = _child_type(bento.resolve(spec), segment)
    return bento.resolve(spec) if spec is not None else None


def _child_type(spec: Any, segment: str | int) -> Any:
    """The type of the value under ``segment`` in a value of type ``spec``, read as the checkers read it."""
    if isinstance(spec, str):
        if spec[:1] != "@" or isinstance(segment, int):
            return None
        kind = spec[1:]
        return bento.common_fields(kind).get(segment) or bento.components(kind).get(segment)
    if isinstance(spec, dict):
        return spec.get("f", {}).get(segment) if isinstance(segment, str) else None
    if spec[0] == "l":
        return spec[1] if isinstance(segment, int) else None
    return spec[1] if spec[0] == "m" and isinstance(segment, str) else None


def _is_bento(body: dict[str, Any], ctx: Context) -> bool:
    """Whether the Worker whose body section is ``body`` runs a built-in Bento stack."""
    stack = body.get("stack")
    if not isinstance(stack, str) or stack.partition(":")[0].partition("+")[0].strip() not in bento_stack_names():
        return False  # most Workers: no need to parse the reference
    found = stack_ref_in(body)
    if found is None or found[1] is None:
        return False
    info = ctx.stacks.lookup(found[1])  # a custom Stack of the same name takes its place
    return info is not None and not info.custom and info.schema == bento.BENTO_SCHEMA


@functools.cache
def bento_stack_names() -> frozenset[str]:
    """The built-in stacks whose stackSpec is a Bento config: `bento`, `bento-worker` and their old names."""
    return frozenset(info.name for info in builtin_stacks() if info.schema == bento.BENTO_SCHEMA)


#: a catalogue type made a function: it appends to ``out`` what is wrong with a value at ``path``
Checker = Callable[[Any, JsonPath, Owner, "list[Finding]"], None]

#: each catalogue type's checker, made once per run: the catalogue's nodes live as long as the run
_CHECKERS: dict[int, Checker] = {}


def _checker(spec: Any) -> Checker:
    """The checker of a catalogue type; the walk calls these instead of reading the types again."""
    key = id(spec)
    found = _CHECKERS.get(key)
    if found is None:
        found = _CHECKERS[key] = _make_checker(bento.resolve(spec))
    return found


def _make_checker(spec: Any) -> Checker:
    if isinstance(spec, str):
        if spec == "s":
            return _check_string
        if spec == "a":
            return _check_nothing
        if spec[0] == "@":
            return _component_checker(spec[1:])
        return _scalar_checker(spec)
    if isinstance(spec, dict):
        return _object_checker(spec)
    if spec[0] == "e":
        return _enum_checker(spec[1])
    return _list_checker(spec[1]) if spec[0] == "l" else _map_checker(spec[1])


def _lazy_checker(spec: Any) -> Callable[[], Checker]:
    """The checker of ``spec``, found when first asked for: the catalogue's types refer to each other in
    cycles (a `switch` holds processors), so a checker cannot make its children's when it is made."""
    found: list[Checker] = []

    def get() -> Checker:
        if not found:
            found.append(_checker(spec))
        return found[0]

    return get


def _check_string(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
    if value.__class__ is dict or value.__class__ is list:  # a string field takes any scalar, as written
        out.append(_wrong_type(path, value, "a string", owner))


def _check_nothing(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
    return None


def _scalar_checker(spec: str) -> Checker:
    wanted = "an integer" if spec == "i" else f"a {_TYPE_WORDS[spec]}"

    def check_scalar(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
        if not _scalar_fits(spec, value) and not _templated(value):
            out.append(_wrong_type(path, value, wanted, owner))

    return check_scalar


def _list_checker(item_spec: Any) -> Checker:
    item_checker = _lazy_checker(item_spec)

    def check_list(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
        if value.__class__ is not list:
            if not _templated(value):
                out.append(_wrong_type(path, value, "a list", owner))
            return
        check = item_checker()
        if check is _check_string and not any(item.__class__ in (dict, list) for item in value):
            return  # a list of strings, the most common list
        for i, item in enumerate(value):
            if item is not None:
                check(item, path + (i,), owner, out)

    return check_list


def _map_checker(item_spec: Any) -> Checker:
    item_checker = _lazy_checker(item_spec)

    def check_map(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
        if value.__class__ is not dict:
            if not _templated(value):
                out.append(_wrong_type(path, value, "a mapping", owner))
            return
        check = item_checker()
        for key, item in value.items():
            if item is not None:
                check(item, path + (key,), owner, out)

    return check_map


def _enum_checker(options: list[str]) -> Checker:
    allowed = frozenset(option.lower() for option in options)

    def check_enum(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
        if value.__class__ is dict or value.__class__ is list:
            out.append(_wrong_type(path, value, "a string", owner))
        elif str(value).lower() not in allowed and not _templated(value):
            shown = [f"`{o}`" for o in options if o] or ["`` (empty)"]
            hint = closest(str(value), options)
            message = f"`{value}` is not a valid value for `{_field(path)}` of {_owner(owner)}; Bento accepts"
            message += f" {', '.join(shown)}" + (f"; did you mean `{hint[0]}`?" if hint else "")
            out.append(Finding(INVALID_ENUM, path, message))

    return check_enum


def _object_checker(spec: dict[str, Any]) -> Checker:
    fields: dict[str, Any] = spec.get("f", {})
    required: list[str] = spec.get("r", [])
    # a mapping of free names (`headers`), or a DataOS component that takes more than it documents
    open_ended = not fields or bool(spec.get("o"))
    #: each field's checker, made when a value first has the field: most fields are never written
    field_checkers: dict[str, Checker] = {}

    def check_object(
        value: Any, path: JsonPath, owner: Owner, out: list[Finding], beside: Set[str] = frozenset()
    ) -> None:
        if value.__class__ is not dict:
            if not _templated(value):
                out.append(_wrong_type(path, value, "a mapping", owner))
            return
        for name, item in value.items():
            check = field_checkers.get(name)
            if check is None:
                sub = fields.get(name)
                if sub is None:
                    if not open_ended and isinstance(name, str) and not is_templated(name):
                        out.append(_unknown_field(name, path, _owner(owner), list(fields), value))
                    continue
                check = field_checkers[name] = _checker(sub)
            if item is not None and (check is not _check_string or item.__class__ is dict or item.__class__ is list):
                check(item, path + (name,), owner, out)
        for name in required:
            if name not in value and name not in beside:
                message = (
                    f"{_owner(owner)} is missing its required field `{name}`; Bento refuses to start without it:"
                    f" add `{name}`"
                )
                out.append(Finding(MISSING_FIELD, path, message, at="key", subject=path + (name,)))

    return check_object


def _templated(value: Any) -> bool:
    return isinstance(value, str) and is_templated(value)


def _scalar_fits(spec: str, value: Any) -> bool:
    """Whether Go's YAML decoder reads ``value`` into a field of scalar type ``spec``."""
    if isinstance(value, (dict, list)):
        return False
    if spec == "b":
        return isinstance(value, bool) or value in _GO_BOOLEANS
    if spec == "i":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if spec == "n":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _component_checker(kind: str) -> Checker:
    """The checker of a component position: its component key checked against the catalogue, and its body
    against the component."""
    known = bento.components(kind)
    common = bento.common_fields(kind)
    common_checkers = {name: _lazy_checker(spec) for name, spec in common.items()}
    #: the body checker of each component met alone, the common form
    bodies: dict[Any, Checker] = {}

    def check_component(value: Any, path: JsonPath, owner: Owner, out: list[Finding]) -> None:
        if value.__class__ is not dict:
            if _templated(value) or (kind == "scanner" and isinstance(value, str)):
                return  # a scanner's name alone is not a form Bento takes, but scanners are rare: let it be
            what = f"a mapping naming one Bento {bento.KIND_NAMES[kind]}"
            out.append(_wrong_type(path, value, what, (kind, None)))
            return
        if len(value) == 1:  # the common case: one component and no common field
            name, body = next(iter(value.items()))
            check = bodies.get(name)
            if check is None and name in known and name not in common:
                check = bodies[name] = _checker(known[name])
            if check is not None:
                if body is None:
                    _body(kind, name, known[name], body, path + (name,), frozenset(), out)
                else:
                    check(body, path + (name,), (kind, name), out)
                return
        names = [k for k in value if k not in common]
        if len(names) == 1 and names[0] in known:
            name = names[0]
            _body(kind, name, known[name], value[name], path + (name,), frozenset(), out)
        elif names:
            _components(kind, names, value, path, known, out)
        if len(value) > 1:  # `label`, `processors`: most components have none
            for name, item in value.items():
                if name in common and item is not None:
                    common_checkers[name]()(item, path + (name,), (kind, None), out)

    return check_component


def _components(
    kind: str, names: list[Any], value: dict[Any, Any], path: JsonPath, known: dict[str, Any], out: list[Finding]
) -> None:
    """A component's keys besides its common fields when they are not one known component name."""
    chosen = [k for k in names if k in known]
    # fields of the component written beside it, as a lost indentation leaves them (`stdout:` then `codec:`)
    beside = _fields_beside(known[chosen[0]], names) if len(chosen) == 1 else set()
    what = bento.KIND_NAMES[kind]
    for name in names:
        if name in chosen:
            _body(kind, name, known[name], value[name], path + (name,), beside, out)
        elif not isinstance(name, str) or is_templated(name):
            continue
        elif name in beside:
            message = (
                f"`{name}` is a field of the Bento {what} `{chosen[0]}` but sits beside it; the indentation"
                f" broke here: indent it under `{chosen[0]}:`"
            )
            out.append(Finding(UNKNOWN_FIELD, path + (name,), message, at="key"))
        elif chosen:
            out.append(
                _unknown_field(name, path, f"the Bento {what} `{chosen[0]}`", list(bento.common_fields(kind)), value)
            )
        else:
            out.append(_unknown_component(kind, name, path + (name,), known))


def _fields_beside(spec: Any, names: list[str]) -> set[str]:
    spec = bento.resolve(spec)
    fields = spec.get("f", {}) if isinstance(spec, dict) else {}
    return {name for name in names if name in fields}


def _body(kind: str, name: str, spec: Any, value: Any, path: JsonPath, beside: Set[str], out: list[Finding]) -> None:
    check = _checker(spec)
    if value is None:
        if not isinstance(bento.resolve(spec), dict):
            return
        value = {}  # `sync_response:` or `stdout:`: every field takes its default (a required one is missing)
    if beside:
        # a field written beside the component is reported there once, and counts as present
        check(value, path, (kind, name), out, beside)  # type: ignore[call-arg]
    else:
        check(value, path, (kind, name), out)


def _owner(owner: Owner) -> str:
    """How a message names what a field belongs to: `the Bento processor `http``, `the Bento input`."""
    kind, name = owner
    what = bento.KIND_NAMES.get(kind, kind)
    return f"the Bento {what} `{name}`" if name else f"the Bento {what}"


def _unknown_component(kind: str, name: str, path: JsonPath, known: dict[str, Any]) -> Finding:
    what = bento.KIND_NAMES[kind]
    hint = closest(name, known)
    if hint:
        message = f"`{name}` is not a Bento {what}; did you mean `{hint[0]}`?"
        return Finding(UNKNOWN_COMPONENT, path, message, at="key", fixes=_rename(path, hint[0]))
    message = (
        f"`{name}` is not a Bento {what} worker-lint knows; check its spelling, or keep it if your DataOS"
        f" release builds it in"
    )
    return Finding(UNLISTED_COMPONENT, path, message, at="key")


def _unknown_field(name: str, path: JsonPath, owner: str, known: list[str], siblings: Collection[Any]) -> Finding:
    hint = closest(name, known)
    message = f"{owner} has no field `{name}`"
    if hint:
        message += f"; did you mean `{hint[0]}`?"
    else:
        message += "; remove it, or check the Bento version the stack runs"
    fixes = _rename(path + (name,), hint[0]) if hint and hint[0] not in siblings else ()
    return Finding(UNKNOWN_FIELD, path + (name,), message, at="key", fixes=fixes)


def _rename(path: JsonPath, hint: str) -> tuple[Any, ...]:
    """Renaming to the closest known name: unsafe, since the closest name is a guess."""
    from worker_lint.core.fix import UNSAFE, rename_key, spec

    return (spec(f"Rename `{path[-1]}` to `{hint}`", UNSAFE, rename_key(path, hint)),)


def _wrong_type(path: JsonPath, value: Any, wanted: str, owner: Owner) -> Finding:
    shown = "" if isinstance(value, (dict, list)) or value is None else f" (`{value}`)"
    message = f"`{_field(path)}` of {_owner(owner)} must be {wanted}, not {type_names.of_value(value)}{shown}"
    return Finding(WRONG_TYPE, path, message)


def _field(path: JsonPath) -> str:
    """The field a message names: the last key of the path, with the list indexes after it."""
    out = ""
    for segment in reversed(path):
        if isinstance(segment, int):
            out = f"[{segment}]" + out
        else:
            return str(segment) + out
    return out
