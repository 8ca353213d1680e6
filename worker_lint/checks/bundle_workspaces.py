"""WL409-WL410: an item's `workspace` matches the level of the resource it deploys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import bundle
from worker_lint.dataos.resource import classify

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL409", "WL410", kinds={"bundle"})
def item_workspace(res: Resource, ctx: Context) -> Iterator[Finding]:
    where: bundle.Place | None = None
    for item in bundle.items(res):
        has_workspace = "workspace" in item.data
        spec = item.data.get("spec")
        kind: str | None = None
        if isinstance(spec, dict):
            found = classify(spec)
            kind = found[0] if found else None
            if kind in bundle.WORKSPACE_LEVEL and not has_workspace and "workspace" not in spec:
                name = f"`{item.id}`" if item.id is not None else "this resource"
                yield Finding(
                    "WL409",
                    item.path,
                    f"{name} deploys a {kind}, a workspace-level resource, but names no"
                    " `workspace`; add `workspace:` to the item",
                )
        elif has_workspace and "file" in item.data:
            # Only a file item that names a workspace can be at odds with its target; one without it
            # gets the CLI's default workspace (`public`), as the published v2alpha Bundles rely on.
            where = where or bundle.place(ctx.path, ctx.settings, ctx.project.roots)
            kind = _file_kind(item, where, ctx)
        if has_workspace and kind in bundle.INSTANCE_LEVEL:
            yield Finding(
                "WL410",
                item.path + ("workspace",),
                f"a {kind} is an instance-level resource; `workspace` is ignored for it, so remove it",
                at="key",
            )


def _file_kind(item: bundle.Item, where: bundle.Place, ctx: Context) -> str | None:
    value = item.data.get("file")
    if not isinstance(value, str) or not value.strip() or bundle.looks_templated(value):
        return None
    resolution = ctx.project.resolve(value, where)
    if resolution.found is None:
        return None
    loaded = ctx.project.read_referenced(resolution)
    return loaded.kinds[0][0] if loaded.kinds else None
