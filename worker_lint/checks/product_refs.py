"""WL419, WL420: a Data Product's `ref` to a Bundle, Lens or Worker agrees with the project's manifest of that name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import bundle, product_refs
from worker_lint.dataos.resource import label

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL419", "WL420", kinds={"data"})
def product_reference(res: Resource, ctx: Context) -> Iterator[Finding]:
    refs = [
        (path, value, ref)
        for path, value in product_refs.references(res)
        if (ref := product_refs.parse_reference(value))
    ]
    if not refs:
        return
    root = bundle.project_root(ctx.path, ctx.settings)
    manifests = ctx.project.manifests_under(root)
    for path, value, ref in refs:
        found = product_refs.named(manifests, ref)
        ctx.project.reads.update(m.path for m in found)  # an editor lints the product again when they change
        kind = label(ref.kind)
        if not found:
            yield Finding(
                "WL420",
                path,
                f"no manifest under the project root `{bundle.shown(root)}` defines the {kind} `{ref.name}`;"
                f" unless it is applied from elsewhere, correct the name in `{value}` or add the {kind}'s manifest",
            )
        elif all(m.version is not None and m.version != ref.version for m in found):
            # a manifest without a `version` is its own file's error, and says nothing of this reference
            versions = sorted({f"`{m.version}` in `{bundle.shown(m.path, root)}`" for m in found})
            yield Finding(
                "WL419",
                path,
                f"the project's {kind} `{ref.name}` is {' and '.join(versions)}, not `{ref.version}`;"
                f" write `{ref.kind}:{found[0].version}:{ref.name}`, or change the {kind}'s `version`",
            )
