"""WL400-WL404: a Bundle's resource ids and the dependency graph between them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding, JsonPath, Related
from worker_lint.dataos import bundle
from worker_lint.dataos.schema import suggest

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.core.fix import FixSpec
    from worker_lint.dataos.resource import Resource


@check("WL400", "WL401", "WL402", "WL403", "WL404", kinds={"bundle"})
def dependency_graph(res: Resource, ctx: Context) -> Iterator[Finding]:
    items = bundle.items(res)
    first: dict[str, bundle.Item] = {}
    for item in items:
        rid = item.id
        if rid is None or bundle.looks_templated(rid):
            continue
        if rid in first:
            original = first[rid].path + ("id",)
            node = res.node_at(*original)
            where = f" on line {node.start_mark.line + 1}" if node is not None else ""
            yield Finding(
                "WL400",
                item.path + ("id",),
                f"duplicate resource id `{rid}` (first used{where});"
                " dependencies on it are ambiguous, so give each resource its own id",
                related=(Related(original, f"`{rid}` is first used here"),),
            )
        else:
            first[rid] = item
    known = first  # ids in declaration order, for suggestions; a dict for constant-time lookups
    for item in items:
        rid = item.id
        dependency_targets: set[str] = set()
        for path, target in item.dependencies():
            dependency_targets.add(target)
            yield from _reference(rid, path, target, known, "dependency")
        for path, cond in item.conditions():
            condition_target = cond.get("resourceId")
            if not isinstance(condition_target, str):
                continue
            target = condition_target
            id_path = path + ("resourceId",)
            problems = list(_reference(rid, id_path, target, known, "condition"))
            yield from problems
            if (
                not problems
                and target not in dependency_targets
                and rid is not None
                and not bundle.looks_templated(target)
            ):
                yield Finding(
                    "WL404",
                    id_path,
                    f"`{rid}` has a condition on `{target}` but does not list it in"
                    " `dependencies`; add it there so the order is explicit",
                )
    nodes = [item.id for item in items if item.id is not None]
    for loop, closing in bundle.find_cycles(nodes, bundle.edges(items)):
        yield Finding(
            "WL403",
            closing.path,
            f"dependency cycle: {' -> '.join(loop)}; a Bundle must be a DAG,"
            " so no resource in the cycle can ever be applied",
        )


def _reference(
    rid: str | None, path: JsonPath, target: str, known: dict[str, bundle.Item], what: str
) -> Iterator[Finding]:
    if bundle.looks_templated(target):
        return
    if rid is not None and target == rid:
        subject = "has a condition on itself" if what == "condition" else "depends on itself"
        yield Finding("WL402", path, f"`{rid}` {subject}; a resource cannot wait for itself, so remove this entry")
        return
    if target not in known:
        message = f"no resource in this Bundle has the id `{target}`"
        hint = suggest(target, list(known))
        if hint:
            message += f"; did you mean `{hint}`?"
        elif known:
            message += f"; ids are {_listing(list(known))}"
        fixes: tuple[FixSpec, ...] = ()
        if hint and _one_close_match(target, list(known)):
            from worker_lint.core.fix import UNSAFE, replace_value, spec

            fixes = (spec(f"Depend on `{hint}`", UNSAFE, replace_value(path, hint)),)
        yield Finding("WL401", path, message, fixes=fixes)


def _one_close_match(target: str, ids: list[str]) -> bool:
    """Whether one id alone is close to ``target``: with two, which was meant is anyone's guess."""
    import difflib

    if sum(1 for i in ids if i.lower() == target.lower()) == 1:
        return True
    return len(difflib.get_close_matches(target, ids, n=2, cutoff=0.75)) == 1


def _listing(values: list[Any]) -> str:
    shown = [f"`{v}`" for v in values[:8]]
    return ", ".join(shown + (["..."] if len(values) > 8 else []))
