"""WL123: a stack-named section (`bento:`, `container:` ...) directly under `worker:` instead of `stackSpec`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import schema

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL123", kinds={"worker"})
def legacy_stack_key(res: Resource, ctx: Context) -> Iterator[Finding]:
    # the legacy keys only ever existed in v1 manifests, whose body section is `worker:`
    if res.body_key != "worker" or res.body is None:
        return
    sections = schema.legacy_stack_sections()
    for key in sections:
        if key in res.body:
            from worker_lint.core.fix import SAFE, rename_key, spec

            also = " (this Worker has `stackSpec` too: merge the two)" if "stackSpec" in res.body else ""
            # the section already holds the stack's settings: only its key is old (two sections need a person)
            fixes = (
                ()
                if also or any(k in res.body for k in sections if k != key)
                else (spec("Rename the section to `stackSpec`", SAFE, rename_key((res.body_key, key), "stackSpec")),)
            )
            yield Finding(
                "WL123",
                (res.body_key, key),
                f"`{key}:` under `worker:` is deprecated; move its contents to `stackSpec:`{also}",
                at="key",
                fixes=fixes,
            )
