"""WL101-WL106, WL109, WL111: a resource checked against the JSON Schema of its type and version (``schemas/``).

What each failed keyword means is ``schema_keywords``'s; the schema is
chosen by ``schema.resource_schema``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check, schema_keywords
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import schema
from worker_lint.dataos.templating import is_templated

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


#: the codes the keyword table gives, and those the resource schemas' `x-rule`s name
@check("WL101", "WL102", "WL103", "WL104", "WL105", "WL106", "WL109", "WL111", kinds=None)
def resource_schema(res: Resource, ctx: Context) -> Iterator[Finding]:
    name = schema.resource_schema(res.kind, res.version, res.data)
    if name is not None:
        # the platform decodes a manifest with go-yaml: an empty optional string is `""`, not an error
        yield from schema_keywords.findings(name, res.data, (), is_templated, empty_optional=True)
