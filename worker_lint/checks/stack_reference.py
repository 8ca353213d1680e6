"""WL120-WL122, WL127: the Worker's `stack` is a well-formed reference to a current, known stack that runs as a Worker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos.stack_ref import repaired, stack_ref_problem
from worker_lint.dataos.stacks import stack_ref_in

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.core.fix import FixSpec
    from worker_lint.dataos.resource import Resource


@check("WL120", "WL121", "WL122", "WL127", kinds={"worker"})
def stack_reference(res: Resource, ctx: Context) -> Iterator[Finding]:
    bk = res.body_key
    body = res.data.get(bk)
    found = stack_ref_in(body) if isinstance(body, dict) else None
    if found is None:
        return
    text, ref = found
    path = (bk, "stack")
    if ref is None:
        message = f"`{text}` is not a valid stack reference: {stack_ref_problem(text)}"
        fixed = repaired(text)
        message += (
            f"; did you mean `{fixed}`?"
            if fixed
            else "; write it as `name[+flavor][:version]`, such as `bento-worker:3.0`"
        )
        fixes: tuple[FixSpec, ...] = ()
        if fixed:
            from worker_lint.core.fix import SAFE, replace_value, spec

            # only case, spaces and doubled separators change: the reference the author wrote, well-formed
            fixes = (spec(f"Write `{fixed}`", SAFE, replace_value(path, fixed)),)
        yield Finding("WL120", path, message, fixes=fixes)
        return
    registry = ctx.stacks
    info = registry.lookup(ref)
    if info is None and not registry.is_known(ref.name):
        close = registry.closest(ref.name)
        if close:
            hint = "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
        else:
            hint = "stacks that run Workers are " + ", ".join(f"`{n}`" for n in registry.worker_names())
        from worker_lint.core.fix import UNSAFE, replace_in_value, spec

        fixes = (
            (spec(f"Use stack `{close[0]}`", UNSAFE, replace_in_value(path, ref.name, close[0])),)
            if len(close) == 1 and text.lstrip().startswith(ref.name)
            else ()
        )
        yield Finding("WL121", path, f"unknown stack `{ref.name}`; {hint}", fixes=fixes)
        return
    if info is not None and not info.worker:
        if info.custom:
            why = f"its definition ({info.origin}) has no `workerConfig`"
        elif info.runs_as:
            why = "it runs in " + " and ".join(f"{kind.capitalize()}s" for kind in info.runs_as)
        else:
            why = "no DataOS documentation shows it running a Worker"
        yield Finding("WL122", path, f"stack `{ref.family}` does not run as a Worker: {why}")
    elif info is not None and info.renamed_to is not None:
        renamed = str(ref._replace(name=info.renamed_to))
        from worker_lint.core.fix import UNSAFE, replace_in_value, spec

        fixes = (
            (spec(f"Use the new name `{info.renamed_to}`", UNSAFE, replace_in_value(path, ref.name, info.renamed_to)),)
            if text.lstrip().startswith(ref.name)
            else ()
        )
        yield Finding(
            "WL127", path, f"stack `{ref.name}` was renamed `{info.renamed_to}`; write `{renamed}`", fixes=fixes
        )
