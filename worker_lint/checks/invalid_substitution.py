"""WL306: a plain key or value that, with its apply-time variables substituted, is no longer one YAML value.

The substitution is the cause of whatever shape the value then has: the
finding hides the shape errors at its path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.checks.schema_keywords import SHAPE_CODES
from worker_lint.core.diagnostic import Finding
from worker_lint.document.positions import describe

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL306", kinds=None, hides=SHAPE_CODES)
def invalid_substitution(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.prefix or ctx.rendering is None:
        return  # rendering covers the whole document: reported once, with the document's own resource
    for found in ctx.rendering.unreadable:
        where = "key" if found.at == "key" else f"value of `{describe(found.path)}`"
        yield Finding(
            "WL306",
            found.path,
            f"after substituting apply-time variables the {where} reads {found.rendered!r}, which is not a single"
            " YAML value in this position",
            at=found.at,
            span=found.span,
        )
