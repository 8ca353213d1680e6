"""WL123: a stack-named section (`bento:`, `container:` ...) directly under `worker:` instead of `stackSpec`."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.diagnostic import Finding

if TYPE_CHECKING:
    from worker_lint.engine import Context
    from worker_lint.resource import Resource

#: deprecated in favour of `stackSpec` (dataos.info docs/resources/worker/configurations.md: "Attributes
#: named flare/bento/toolbox/beacon/scanner/alpha has been deprecated and will be removed")
LEGACY_KEYS = ("bento", "container", "scanner", "flare", "beacon", "toolbox", "alpha")


@check("WL123", kinds={"worker"})
def legacy_stack_key(res: Resource, ctx: Context) -> Iterator[Finding]:
    # the legacy keys only ever existed in v1 manifests, whose body section is `worker:`
    if res.body_key != "worker" or res.body is None:
        return
    for key in LEGACY_KEYS:
        if key in res.body:
            also = " (this Worker has `stackSpec` too: merge the two)" if "stackSpec" in res.body else ""
            yield Finding("WL123", (res.body_key, key),
                          f"`{key}:` under `worker:` is deprecated; move its contents to `stackSpec:`{also}", at="key")
