"""Autoscaling bounds: `minReplicas` above `maxReplicas`, `replicas` outside them, utilisation targets outside 1-100."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding, Related
from worker_lint.document.positions import describe

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource

MIN_ABOVE_MAX = "WL210"
REPLICAS_OUTSIDE = "WL211"
TARGET_OUT_OF_RANGE = "WL212"

#: the docs define `autoscaling`; every real example writes `autoScaling`; both are read
SPELLINGS = ("autoscaling", "autoScaling")
TARGETS = ("targetCPUUtilizationPercentage", "targetMemoryUtilizationPercentage")
#: the Service docs' row: "integer | optional | 80 | any integer between 0 and 100"
DOCUMENTED_RANGE = 'the documented range, "any integer between 0 and 100" (a target of 0 scales on any load)'


@check(MIN_ABOVE_MAX, REPLICAS_OUTSIDE, TARGET_OUT_OF_RANGE, kinds={"worker"})
def autoscaling_bounds(res: Resource, ctx: Context) -> Iterator[Finding]:
    body = res.body
    if body is None:
        return
    for spelling in SPELLINGS:
        scaling = body.get(spelling)
        if isinstance(scaling, dict):
            yield from _check_scaling(res.body_key, spelling, scaling, body.get("replicas"))


def _check_scaling(body_key: str, spelling: str, scaling: dict[str, Any], replicas: Any) -> Iterator[Finding]:
    base = (body_key, spelling)
    low, high = _count(scaling.get("minReplicas")), _count(scaling.get("maxReplicas"))
    bounds_agree = True
    if low is not None and high is not None and low > high:
        bounds_agree = False
        min_path, max_path = base + ("minReplicas",), base + ("maxReplicas",)
        yield Finding(
            MIN_ABOVE_MAX,
            min_path,
            f"`{describe(min_path)}` is {low}, above `maxReplicas` {high}; the autoscaler cannot keep"
            " at least that many and at most this many replicas",
            related=(Related(max_path, f"`maxReplicas` is {high}"),),
        )
    # Autoscaling is on when the mapping is there, unless `enabled` says false;
    # a templated `enabled` is unknown, so nothing is assumed.
    enabled = scaling.get("enabled", True)
    count = _count(replicas)
    if enabled is True and bounds_agree and count is not None:
        replicas_path = (body_key, "replicas")
        if low is not None and count < low:
            yield _outside(replicas_path, count, base + ("minReplicas",), "below", low)
        elif high is not None and count > high:
            yield _outside(replicas_path, count, base + ("maxReplicas",), "above", high)
    for target in TARGETS:
        value = scaling.get(target)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # `1e3` is an integer to the schema too
        if isinstance(value, bool) or not isinstance(value, int):
            continue  # a missing, templated or non-integer target is the schema's to report
        if not 1 <= value <= 100:
            path = base + (target,)
            yield Finding(
                TARGET_OUT_OF_RANGE,
                path,
                f"`{describe(path)}` is {value}, outside {DOCUMENTED_RANGE}; {_target_effect(value)}",
            )


def _count(value: Any) -> int | None:
    """A replica count that is a positive integer; anything else is the schema's to report."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _outside(path: tuple[str, ...], count: int, bound_path: tuple[str, ...], relation: str, bound: int) -> Finding:
    bound_name = str(bound_path[-1])
    return Finding(
        REPLICAS_OUTSIDE,
        path,
        f"`{describe(path)}` is {count}, {relation} `{bound_name}` {bound} while autoscaling is enabled;"
        " the autoscaler owns the replica count and moves it into range at once",
        related=(Related(bound_path, f"`{bound_name}` is {bound}"),),
    )


def _target_effect(value: int) -> str:
    if value > 100:
        return "above 100 the autoscaler adds replicas only once pods use more than they request"
    return "at 0 or below the autoscaler adds replicas on almost any load"
