"""WL305: an apply-time variable (`${NAME}`) that the run's `--var`, `--env-file` or environment does not define."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL305", kinds=None)
def undefined_variable(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.prefix or ctx.rendering is None:
        return  # rendering covers the whole document: reported once, with the document's own resource
    for found in ctx.rendering.undefined:
        yield Finding(
            "WL305",
            found.path,
            f"apply-time variable `{found.written}` is not defined; set it with `--var {found.name}=VALUE`, an"
            " `--env-file`, or the environment with `--use-env`",
            at=found.at,
            substring=found.written,
            span=found.span,
        )
