"""WL405-WL406: `dependencyConditions` values a Bundle can never observe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import bundle
from worker_lint.dataos.schema import suggest

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


#: a Go duration (`90s`, `5m`, `1h30m`), the other documented form of a `runtime` condition
_DURATION = lazy_re.compile(r"(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+")


@check("WL405", "WL406", kinds={"bundle"})
def condition_values(res: Resource, ctx: Context) -> Iterator[Finding]:
    for item in bundle.items(res):
        for path, cond in item.conditions():
            for kind, code, valid in (
                ("status", "WL405", bundle.STATUS_VALUES),
                ("runtime", "WL406", bundle.RUNTIME_VALUES),
            ):
                match = cond.get(kind)
                if isinstance(match, str) and kind == "runtime":
                    # the Bundle page: "string or time duration format", `runtime: succeeded`
                    if (
                        not bundle.looks_templated(match)
                        and not _ok(kind, "is", match)
                        and not _DURATION.fullmatch(match.strip())
                    ):
                        yield Finding(
                            code, path + (kind,), _message(kind, "is", match, valid) + "; or a duration such as `5m`"
                        )
                    continue
                if not isinstance(match, dict):
                    continue
                # a status `contains` is a substring test on what the platform reports, which the Bundle
                # page's own example (`contains: [error, warning]`) shows to be freer than the documented
                # statuses: only `is` is checked there
                for operator in ("is",) if kind == "status" else ("is", "contains"):
                    values = match.get(operator)
                    if not isinstance(values, list):
                        continue
                    for i, value in enumerate(values):
                        if not isinstance(value, str) or bundle.looks_templated(value):
                            continue
                        if _ok(kind, operator, value):
                            continue
                        yield Finding(code, path + (kind, operator, i), _message(kind, operator, value, valid))


def _ok(kind: str, operator: str, value: str) -> bool:
    if operator == "contains":
        # a substring condition holds when it is part of some value the resource can report
        if value == "":
            return False
        if kind == "status":
            return any(value in candidate for candidate in bundle.STATUS_VALUES)
        return any(value in c for c in ("running:", "succeeded", "failed")) or bundle.runtime_value_ok(value)
    if kind == "status":
        return value in bundle.STATUS_VALUES
    return bundle.runtime_value_ok(value)


def _message(kind: str, operator: str, value: str, valid: tuple[str, ...]) -> str:
    verb = "is never" if operator == "is" else "is never part of"
    message = (
        f"`{value}` {verb} a resource {kind}, so this condition can never be met; {kind} values are"
        f" {', '.join(f'`{v}`' for v in valid)}"
    )
    hint = suggest(value, [v for v in valid if v != "running:N"] + (["running:1"] if kind == "runtime" else []))
    if hint is None and kind == "runtime" and value.lower().startswith("running"):
        hint = "running:1"
    if hint:
        message += f"; did you mean `{hint}`?"
    return message
