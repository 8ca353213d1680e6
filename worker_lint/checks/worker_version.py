"""WL107, WL108: a Worker's `version` that is not a Worker version, or whose body section is the other version's.

A `v1beta` Worker with a `spec:` section (or `v2alpha` with `worker:`) is one
mistake, reported once; the schema check still checks the body with the
schema of the section it has (``schema.resource_schema``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import schema

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL107", "WL108", kinds={"worker"})
def worker_version(res: Resource, ctx: Context) -> Iterator[Finding]:
    versions = schema.worker_versions()  # version -> body section
    version = res.version
    by_body = schema.body_version(res.data)
    if version in versions:
        if by_body is None or by_body == version:
            return
        section, wanted = versions[by_body], versions[version]
        yield Finding(
            "WL107",
            (section,),
            f"a `{version}` Worker keeps its runtime under `{wanted}:`; `{section}:` is the"
            f" `{by_body}` form: set `version: {by_body}` or rename the section to `{wanted}:`",
            at="key",
        )
    elif version is not None:  # a missing or mistyped version is the schema's to report
        checked = by_body or next(iter(versions))
        forms = " or ".join(f"`{v}` (with a `{section}:` section)" for v, section in versions.items())
        yield Finding("WL108", ("version",), f"`{version}` is not a Worker version; use {forms}; checked as {checked}")
