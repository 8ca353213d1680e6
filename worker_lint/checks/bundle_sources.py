"""WL407-WL408: every Bundle item names exactly one manifest, by `file` or inline `spec`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import bundle

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL407", "WL408", kinds={"bundle"})
def resource_source(res: Resource, ctx: Context) -> Iterator[Finding]:
    for item in bundle.items(res):
        name = f"`{item.id}`" if item.id is not None else "this resource"
        has_spec = "spec" in item.data
        if "file" in item.data:
            value = item.data["file"]
            if value is None or (isinstance(value, str) and not value.strip()):
                if not has_spec:
                    yield Finding(
                        "WL407",
                        item.path + ("file",),
                        f"`file` of {name} is empty; give the path of the"
                        " manifest to apply, or put it inline under `spec`",
                        at="key",
                    )
                continue
            if has_spec and not _templated(value, item.data["spec"]):
                yield Finding(
                    "WL408",
                    item.path + ("file",),
                    f"{name} has both `file` and `spec`; only one of"
                    " them is applied and which one is undocumented, so remove the other",
                    at="key",
                )
            continue
        if not has_spec:
            yield Finding(
                "WL407",
                item.path,
                f"{name} has neither `file` nor `spec`; add the manifest to apply, by path or inline",
            )


def _templated(file_value: object, spec: object) -> bool:
    # a structure reference writes `${{...}}` for both fields; the placeholder rules report those
    return bundle.looks_templated(file_value) or not isinstance(spec, dict)
