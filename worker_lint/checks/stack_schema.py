"""WL126: a Stack definition whose `stackSpecValueSchema.jsonSchema` cannot validate anything.

The run's registry registers such a definition without a schema; this check
says why, on the definition itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import stacks

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL126", kinds={"stack"})
def stack_schema(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.prefix or ctx.document is None:
        return  # only a document's own Stack is registered, not one inlined in a Bundle
    # the registry reads the definition as written, before apply-time variables
    _, problem = stacks.definition_schema(res._replace(data=ctx.document.data))
    if problem is not None:
        yield Finding("WL126", stacks.definition_schema_path(res), problem.message, substring=problem.substring)
