"""WL107: `type: worker` whose body section belongs to another type (`workflow:`, `volume:`).

The finding explains the missing Worker body and the unknown section: it
hides the schema's missing-field and unknown-field errors for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.checks.schema_keywords import MISSING_FIELD, UNKNOWN_FIELD
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import schema
from worker_lint.dataos.resource import DATAOS_TYPES

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL107", kinds={"worker"}, hides={MISSING_FIELD, UNKNOWN_FIELD})
def body_type_mismatch(res: Resource, ctx: Context) -> Iterator[Finding]:
    versions = schema.worker_versions()  # version -> body section
    for section in versions.values():
        if section in res.data:
            return
    for key in res.data:
        if key in DATAOS_TYPES and key != "worker":
            expected = versions.get(res.version or "", "worker")
            yield Finding(
                "WL107",
                (key,),
                f"`type: worker` needs a `{expected}:` section, but this manifest has a"
                f" `{key}:` section; fix `type` or the section",
                at="key",
                explains=((key,), *((section,) for section in versions.values())),
            )
            return
