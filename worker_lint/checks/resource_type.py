"""WL101, WL104: a resource recognised by its shape (see ``resource.classify``) whose `type` is missing or wrong.

The finding is the one cause of whatever the schema says about `type`: it
hides the schema's missing-field and shape errors there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.checks.schema_keywords import MISSING_FIELD, SHAPE_CODES
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import resource

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

_TYPE = ("type",)


@check("WL101", "WL104", kinds=None, hides={MISSING_FIELD, *SHAPE_CODES})
def resource_type(res: Resource, ctx: Context) -> Iterator[Finding]:
    written = res.data.get("type")
    if written == res.kind:
        return
    if not res.kind:
        yield Finding(
            "WL101",
            (),
            "missing required field `type`; a manifest with `name`, `version` and a `spec:`"
            " section is a DataOS resource: add the type it is, such as `type: worker`",
            at="key",
            explains=(_TYPE,),
        )
        return
    label = resource.label(res.kind)
    if written is None:
        body = f"its `{res.kind}:` section" if res.kind in res.data else "its shape"
        message = f"missing required field `type`; {body} says it is a {label}: add `type: {res.kind}`"
        yield Finding("WL101", (), message, at="key", explains=(_TYPE,))
        return
    yield Finding("WL104", _TYPE, _wrong_type(written, res.kind, label))


def _wrong_type(written: object, kind: str, label: str) -> str:
    shown = written if isinstance(written, str) else str(written)
    if isinstance(written, str) and written.strip().lower() == kind:
        return f"`{shown}` is not a DataOS resource type; did you mean `{kind}`? Resource types are lower case"
    if isinstance(written, str) and _close(written) == kind:
        return f"`{shown}` is not a DataOS resource type; did you mean `{kind}`?"
    return f"`{shown}` is not a DataOS resource type; the `{kind}:` section says it is a {label}: use `type: {kind}`"


def _close(written: str) -> str | None:
    from worker_lint.dataos.resource import close_type

    return close_type(written)
