"""WL124 and the stackSpec schema pass: `stackSpec` checked against its stack's schema, at its place in the Worker.

Errors inside `stackSpec` are routed like the core schema's (WL101-WL105, or
the rule an ``x-rule`` names, such as WL125 for a malformed DataOS address).
Sections of the stack that sit directly under the Worker section because the
indentation broke are one WL124 error at the first of them, instead of a
missing-field error for each; it explains the shape errors at those sections.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from worker_lint.checks import check, schema_keywords
from worker_lint.checks.schema_keywords import SHAPE_CODES
from worker_lint.core.diagnostic import Finding, Related
from worker_lint.dataos import schema
from worker_lint.dataos.stacks import SchemaRef, StackInfo, stack_ref_in
from worker_lint.dataos.templating import is_templated

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


class _Placed(NamedTuple):
    info: StackInfo
    body_key: str
    spec: Any
    #: sections of the stack's schema written directly under the Worker section
    misplaced: list[str]


def _placed(res: Resource, ctx: Context) -> _Placed | None:
    """The Worker's stack, when its schema is known, and where its stackSpec sections are."""
    bk = res.body_key  # found once: both checks of this module start here
    body = res.data.get(bk)
    if not isinstance(body, dict):
        return None
    found = stack_ref_in(body)
    if found is None or found[1] is None:
        return None
    info = ctx.stacks.lookup(found[1])
    if info is None or info.schema is None:
        return None
    spec = body.get("stackSpec")
    if isinstance(spec, str) and is_templated(spec):
        return None  # `stackSpec: ${{stack-specific-configuration}}`: nothing to check yet
    sections = root_sections(info.schema)
    return _Placed(info, bk, spec, [k for k in body if k in sections and k not in schema.worker_fields(bk)])


@check("WL124", kinds={"worker"}, hides=SHAPE_CODES)
def misindented_stack_spec(res: Resource, ctx: Context) -> Iterator[Finding]:
    bk = res.body_key
    body = res.data.get(bk)
    if not isinstance(body, dict) or schema.worker_fields(bk).issuperset(body):
        return  # the common case: every key is a Worker field, so none is a misplaced stack section
    placed = _placed(res, ctx)
    if placed is None or not placed.misplaced:
        return
    bk, misplaced = placed.body_key, placed.misplaced
    has_spec = res.body is not None and "stackSpec" in res.body
    finding = _misplaced(bk, misplaced, placed.spec, has_spec, placed.info)
    yield finding._replace(fixes=_indent_fix(res, bk, misplaced))


@check("WL101", "WL102", "WL103", "WL104", "WL105", "WL125", kinds={"worker"})
def stack_spec(res: Resource, ctx: Context) -> Iterator[Finding]:
    placed = _placed(res, ctx)
    if placed is None:
        return
    info, bk, spec, misplaced = placed
    if not isinstance(spec, dict) or (misplaced and not spec):
        # a missing or empty stackSpec is the core schema's to report, and the indentation explains it
        return
    instance = dict(spec)
    if misplaced:
        body = res.data[bk]  # the mapping _placed found them in
        for key in misplaced:
            instance.setdefault(key, body[key])  # counted as present: WL124 already says where they went
    origin = f" (schema of {info.origin})" if info.custom else ""
    for finding in schema_keywords.findings(info.schema, instance, (bk, "stackSpec"), is_templated):
        if len(finding.path) > 2 and finding.path[2] in misplaced and finding.path[2] not in spec:
            continue
        yield finding._replace(message=finding.message + origin) if origin else finding


def _indent_fix(res: Resource, bk: str, keys: list[str]) -> tuple[Any, ...]:
    """Indent the sections under an empty `stackSpec:` when they follow it directly, as the lost level left them."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    node = res.node_at(bk)
    if not isinstance(node, MappingNode) or node.flow_style:
        return ()
    names = [str(k.value) if isinstance(k, ScalarNode) else "" for k, _ in node.value]
    if names.count("stackSpec") != 1:
        return ()
    at = names.index("stackSpec")
    spec_key, spec_value = node.value[at]
    following = node.value[at + 1 : at + 1 + len(keys)]
    if not (
        isinstance(spec_value, ScalarNode)
        and spec_value.value == ""
        and not spec_value.style
        and sorted(names[at + 1 : at + 1 + len(keys)]) == sorted(keys)
        and all(k.start_mark.column == spec_key.start_mark.column for k, _ in following)
    ):
        return ()
    from worker_lint.core.fix import UNSAFE, reindent, spec

    return (spec("Indent the sections under `stackSpec`", UNSAFE, *(reindent((bk, k), 2) for k in keys)),)


def _misplaced(bk: str, keys: list[str], spec: Any, has_spec: bool, info: StackInfo) -> Finding:
    one = len(keys) == 1
    names = ", ".join(f"`{k}`" for k in keys[:-1]) + f" and `{keys[-1]}`" if not one else f"`{keys[0]}`"
    them = "it" if one else "them"
    fix = f"indent {them} under `stackSpec:`" if has_spec else f"add `stackSpec:` and indent {them} under it"
    message = (
        f"{names} {'is a section' if one else 'are sections'} of the `{info.family}` stackSpec but"
        f" {'sits' if one else 'sit'} directly under `{bk}:`; the indentation broke here: {fix}"
    )
    related = [Related((bk, k), f"`{k}` belongs in `stackSpec` too", at="key") for k in keys[1:]]
    if has_spec and not spec:
        related.append(Related((bk, "stackSpec"), "`stackSpec` is empty", at="key"))
    return Finding("WL124", (bk, keys[0]), message, at="key", related=tuple(related))


def root_sections(schema_ref: SchemaRef) -> frozenset[str]:
    """The top-level fields a stackSpec schema declares (`input`, `output`, `image` ...)."""
    if isinstance(schema_ref, str):
        return _file_sections(schema_ref)
    if isinstance(schema_ref, dict):
        return frozenset(schema_ref.get("properties", {})) | frozenset(schema_ref.get("required", []))
    return frozenset()


@functools.cache
def _file_sections(name: str) -> frozenset[str]:
    contents = schema.load(name)
    ref = contents.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#") and "properties" not in contents:
        # a family that reuses another stack's schema file (fastfun -> pulsar-function)
        return _file_sections(name.rsplit("/", 1)[0] + "/" + ref if "/" in name else ref)
    return root_sections(contents)
