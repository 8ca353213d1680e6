"""WL411, WL412, WL418: a Bundle schedule's time zone and cron expressions, and their documented shape.

A lone `cron:` mapping (WL418) explains the shape errors the schema reports for it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ruamel.yaml.nodes import ScalarNode

from worker_lint.checks import check
from worker_lint.checks.schema_keywords import SHAPE_CODES
from worker_lint.core.diagnostic import Finding, JsonPath, Span
from worker_lint.dataos import bundle
from worker_lint.dataos.schema import suggest

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

_SCHEDULE: JsonPath = ("bundle", "schedule")


@functools.cache
def time_zones() -> frozenset[str]:
    """The tz database's zone names; empty when the platform has none (then WL411 stays silent)."""
    try:
        import zoneinfo  # only runs with a schedule pay for the tz database

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # pragma: no cover - a broken tz installation must not break linting
        return frozenset()


@check("WL418", kinds={"bundle"}, hides=SHAPE_CODES)
def single_schedule_cron(res: Resource, ctx: Context) -> Iterator[Finding]:
    """`create:` written as one `cron:` mapping: the cause of the shape the schema then sees."""
    sched = res.mapping(*_SCHEDULE)
    if sched is None:
        return
    for action in ("create", "delete"):
        value = sched.get(action)
        if isinstance(value, dict) and "cron" in value:
            yield Finding(
                "WL418",
                _SCHEDULE + (action,),
                f"`{action}:` is one `cron:` mapping; the Bundle"
                f" configuration page writes it as a list: `{action}:` then `- cron: ...`",
                at="key",
            )


@check("WL411", "WL412", kinds={"bundle"})
def schedule(res: Resource, ctx: Context) -> Iterator[Finding]:
    sched = res.mapping(*_SCHEDULE)
    if sched is None:
        return
    zone = sched.get("timezone")
    zones = time_zones()
    if isinstance(zone, str) and zones and zone not in zones and not bundle.looks_templated(zone):
        message = f"`{zone}` is not a time zone in the tz database"
        hint = suggest(zone, sorted(zones))
        message += f"; did you mean `{hint}`?" if hint else "; use a name such as `Asia/Kolkata` or `UTC`"
        yield Finding("WL411", _SCHEDULE + ("timezone",), message)
    for action in ("create", "delete"):
        value = sched.get(action)
        for path, expression in _crons(value, _SCHEDULE + (action,)):
            if bundle.looks_templated(expression):
                continue
            from worker_lint.dataos import cron

            problem = cron.validate(expression)
            if problem is None:
                continue
            span = None
            if problem.start is not None and problem.end is not None:
                span = _inner_span(res, path, expression, problem.start, problem.end)
            yield Finding(
                "WL412", path, f"invalid cron {cron.quoted(expression.strip())}: {problem.message}", span=span
            )


def _crons(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    # the documented shape is a list of {cron: ...}; a lone mapping, which the docs also show, is checked too
    entries: list[tuple[JsonPath, Any]]
    if isinstance(value, dict):
        entries = [((), value)]
    elif isinstance(value, list):
        entries = [((i,), entry) for i, entry in enumerate(value)]
    else:
        return
    for suffix, entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("cron"), str):
            yield path + suffix + ("cron",), entry["cron"]


def _inner_span(res: Resource, path: JsonPath, value: str, start: int, end: int) -> Span | None:
    """The exact span of ``value[start:end]`` inside a single-line plain or quoted scalar, if provable."""
    node = res.node_at(*path)
    if not isinstance(node, ScalarNode) or node.start_mark.line != node.end_mark.line:
        return None
    if node.style not in (None, "", "'", '"'):
        return None
    offset = 1 if node.style in ("'", '"') else 0  # the C composer gives plain scalars style ""
    source = res.text[node.start_mark.index + offset : node.start_mark.index + offset + len(value)]
    if source != value:
        return None  # escapes make the source differ from the value; fall back to the whole scalar
    line = node.start_mark.line + 1
    column = node.start_mark.column + offset + 1
    return Span(line, column + start, line, column + end)
