"""WL416-WL417: a Workflow's dag steps depend on steps that exist, without cycles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding, JsonPath
from worker_lint.dataos import bundle
from worker_lint.dataos.schema import suggest

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

#: v1 Workflows write `dependencies`, v2alpha ones `depends`
_KEYS = ("dependencies", "depends")


@check("WL416", "WL417", kinds={"workflow"})
def dag_dependencies(res: Resource, ctx: Context) -> Iterator[Finding]:
    body_key = res.body_key
    dag = res.get(body_key, "dag")
    if not isinstance(dag, list):
        return
    steps: list[tuple[int, str]] = []
    for i, step in enumerate(dag):
        if isinstance(step, dict) and isinstance(step.get("name"), str) and step["name"]:
            steps.append((i, step["name"]))
    names = [name for _, name in steps]
    known = set(names)
    graph: list[bundle.Edge] = []
    for i, step in enumerate(dag):
        if not isinstance(step, dict):
            continue
        name = step.get("name") if isinstance(step.get("name"), str) else None
        for path, target in _targets(step, (body_key, "dag", i)):
            if bundle.looks_templated(target):
                continue
            if target == name:
                yield Finding("WL417", path, f"step `{name}` depends on itself; it could never start")
            elif target not in known:
                message = f"no step of this dag is named `{target}`"
                hint = suggest(target, names)
                message += (
                    f"; did you mean `{hint}`?"
                    if hint
                    else (f"; steps are {', '.join(f'`{n}`' for n in names[:8])}" if names else "")
                )
                yield Finding("WL416", path, message)
            elif name is not None:
                graph.append(bundle.Edge(name, target, path))
    for loop, closing in bundle.find_cycles(names, graph):
        yield Finding("WL417", closing.path, f"dag cycle: {' -> '.join(loop)}; none of these steps could ever start")


def _targets(step: dict[str, Any], path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    for key in _KEYS:
        value = step.get(key)
        if isinstance(value, str):
            yield path + (key,), value
        elif isinstance(value, list):
            for j, target in enumerate(value):
                if isinstance(target, str):
                    yield path + (key, j), target
