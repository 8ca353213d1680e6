"""WL107, WL108: a Worker's `version` that is not a Worker version, or whose body section is the other version's.

Workers exist as v1beta (`worker:`) and v2alpha (`spec:`) only, and the
platform refuses any other version on `type: worker`: the `vN[alpha|beta][N]`
leniency of the meta schema is for the types the project does not model, so
WL108 is an error, and it explains the meta schema's WL104 on the same value.

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
from worker_lint.dataos.templating import is_templated

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL107", "WL108", kinds={"worker"}, hides={"WL104"})
def worker_version(res: Resource, ctx: Context) -> Iterator[Finding]:
    versions = schema.worker_versions()  # version -> body section
    version = res.data.get("version")
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
    elif isinstance(version, str) and not is_templated(version):
        # a missing version, or one of another type, is the schema's to report
        yield Finding("WL108", ("version",), _not_a_worker_version(version, versions, by_body))


def _not_a_worker_version(version: str, versions: dict[str, str], by_body: str | None) -> str:
    meant = schema.worker_version_meant(version) or by_body
    forms = " or ".join(f"`{v}` (with a `{section}:` section)" for v, section in versions.items())
    if meant is None:
        return f"`{version}` is not a Worker version; a Worker is {forms}"
    advice = f"`{version}` is not a Worker version; did you mean `{meant}`?"
    if version.strip().lower() == meant:
        advice += " Versions are lower case"
    else:
        advice += f" A Worker is {forms}"
    if by_body is not None and by_body != meant:
        advice += f"; this one's `{versions[by_body]}:` section is the `{by_body}` form"
    return advice
