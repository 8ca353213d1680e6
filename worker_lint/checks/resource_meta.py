"""WL101, WL103, WL105, WL110: what the reference asks of every resource type, beyond what the schemas can say.

The body section named after the type is mandatory for every resource
(manifest_attributes.md: "`<resource-type>:`"; v2-era manifests use `spec:`);
the Worker and Bundle schemas require theirs, the other types are checked
here.  A Workflow's `dag` must hold a step (the `dataos-ctl` lint table: "dag |
should not be nil", "length of workflow dag should be greater than 0").  A
v2alpha Worker's `spec` passes environment, Secrets and files through
`use.projection`: the v1beta runtime fields that do this are not in the
v2alpha field table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import resource

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

#: the meta section's fields (resource-meta.schema.json), which are never a body
_META = frozenset({"name", "version", "type", "tags", "description", "owner", "layer", "workspace", "title"})
#: types whose schema already requires the body section
_SCHEMA_BODIES = frozenset({"worker", "bundle"})

#: v1beta runtime fields the v2alpha Worker field table does not list, and what v2alpha uses instead
V1BETA_ONLY = {
    "envs": "environment variables go in `use.projection` (`projections.envVarsTemplate`)",
    "configs": "configuration goes in `use.projection` (`projections.envVarsTemplate` or `files`)",
    "secrets": "Secrets are projected through `use.projection`",
    "dataosSecrets": "Secrets are projected through `use.projection`",
    "dataosVolumes": "Volumes are mounted with `use.volumes`",
    "persistentVolume": "Volumes are mounted with `use.volumes`, or `disk` for storage of the Worker's own",
    "tempVolume": "storage of the Worker's own is `disk`",
    "logLevel": "the stack's own configuration sets the log level",
}


@check("WL101", "WL103", kinds=None)
def body_section(res: Resource, ctx: Context) -> Iterator[Finding]:
    kind = res.kind
    if not kind or kind in _SCHEMA_BODIES or resource.RESOURCE_TYPES[kind].checked == resource.NAME:
        return  # a body the schema requires, or one the project does not model
    label = resource.label(kind)
    # the body is in the section its version has (the table of `resource.RESOURCE_TYPES`), or in one of
    # the sections another version has: named after the type, `spec:` in v2-era manifests, or after the
    # version (`v1alpha:` in the published `type: resource` domain definitions)
    section = res.body_key
    candidates = (section, kind, resource.SPEC, res.version)
    present = [key for key in dict.fromkeys(candidates) if key is not None and key in res.data]
    if not present and section != kind:
        yield Finding(
            "WL101",
            (),
            f"missing required field `{section}`; a `{res.version}` {label} keeps its body under `{section}:`",
            at="key",
        )
        return
    if not present:
        others = [key for key, value in res.data.items() if key not in _META and isinstance(value, dict)]
        from worker_lint.dataos.schema import suggest

        near = suggest(kind, [str(key) for key in others]) if others else None
        if others and near is None:
            return  # a body under a name the docs do not show: the platform's to judge, not a guess of ours
        hint = f"; `{near}:` looks like it, misspelt" if near else ""
        yield Finding(
            "WL101",
            (),
            f"missing required field `{kind}`; a {label} keeps its body under `{kind}:`"
            f" (`spec:` in v2-era manifests){hint}",
            at="key",
        )
        return
    for key in present:
        value = res.data[key]
        if not isinstance(value, dict) and not _templated(value):
            shown = "empty" if value is None else f"a {type(value).__name__}"
            yield Finding("WL103", (key,), f"`{key}` must be a mapping, the {label}'s body, not {shown}")


@check("WL101", "WL105", kinds={"workflow"})
def workflow_dag(res: Resource, ctx: Context) -> Iterator[Finding]:
    body = res.body
    if body is None:
        return
    if "dag" not in body:
        yield Finding(
            "WL101",
            (res.body_key,),
            f"missing required field `dag` in `{res.body_key}`; a Workflow"
            " runs the steps of its dag, and `dataos-ctl` refuses a Workflow without one",
            at="key",
        )
        return
    dag = body["dag"]
    if dag is None or (isinstance(dag, list) and not dag):
        yield Finding(
            "WL105",
            (res.body_key, "dag"),
            f"`{res.body_key}.dag` is empty; a Workflow needs at least"
            ' one step (`dataos-ctl`: "length of workflow dag should be greater than 0")',
        )


@check("WL110", kinds={"worker"})
def v1beta_fields_in_v2alpha(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.version != "v2alpha" or res.body_key != "spec":
        return
    body = res.body  # a property, worked out on each use: read once
    if body is None or body.keys().isdisjoint(V1BETA_ONLY):
        return  # most v2alpha Workers
    for key, advice in V1BETA_ONLY.items():
        if key in body:
            yield Finding(
                "WL110",
                ("spec", key),
                f"`spec.{key}` is a v1beta Worker field that the v2alpha field"
                f" table does not list; in v2alpha {advice}",
                at="key",
            )


def _templated(value: object) -> bool:
    from worker_lint.dataos.templating import is_templated

    return isinstance(value, str) and is_templated(value)
