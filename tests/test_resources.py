"""Requests, limits, replicas and autoscaling checks (WL200-WL212), end to end through the engine."""

from __future__ import annotations

import textwrap

import pytest
from conftest import SHARED, missing_shared
from linting import lint_text

from worker_lint.core.diagnostic import Diagnostic, Span
from worker_lint.core.settings import Settings

CORPUS = SHARED / "corpus" / "dataos"


def _worker(body: str, version: str = "v1beta") -> str:
    """A minimal valid Worker around ``body`` (lines of the body section, indented two spaces)."""
    key = "worker" if version == "v1beta" else "spec"
    return (
        f"name: orders-relay\nversion: {version}\ntype: worker\n{key}:\n  compute: runnable-default\n"
        f"  stack: container:1.0\n{textwrap.indent(textwrap.dedent(body), '  ')}"
        f"  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )


def _mine(text: str, settings: Settings | None = None) -> list[Diagnostic]:
    return [d for d in lint_text(text, "worker.yaml", settings) if d.code.startswith("WL2")]


def _codes(text: str, settings: Settings | None = None) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in _mine(text, settings)]


# Line numbers below count the 6 header lines of _worker: the body starts on line 7.


def test_request_above_limit_points_at_the_limit() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: 1000m
          limits:
            cpu: 400m
        """)
    [diag] = _mine(text)
    assert diag.code == "WL201" and diag.severity.value == "error"
    assert diag.span == Span(9, 12, 9, 17)
    assert diag.message == (
        "`worker.resources.requests.cpu` is `1000m`, above its limit `400m`; Kubernetes rejects"
        " a cpu request larger than the limit"
    )
    assert diag.json_path == ("worker", "resources", "requests", "cpu")
    [related] = diag.related
    assert related.span == Span(11, 12, 11, 16)
    assert related.message == "the cpu limit is `400m`"


def test_request_above_limit_in_other_units_shows_both_canonical_forms() -> None:
    text = _worker(
        """\
        resources:
          requests:
            memory: 2Gi
          limits:
            memory: 1000Mi
        """,
        version="v2alpha",
    )
    [diag] = _mine(text)
    assert diag.message == (
        "`spec.resources.requests.memory` is `2Gi`, above its limit `1000Mi` (2Gi > 1000Mi);"
        " Kubernetes rejects a memory request larger than the limit"
    )


@pytest.mark.parametrize(
    ("request_text", "limit_text"),
    [
        ("1", "1000m"),
        ("1000m", "1"),
        ("1Gi", "1024Mi"),
        ("0.5", "500m"),
        ("128e6", "128M"),
        ('"2"', "2000m"),
        ("100Mi", "104857600"),
        ("1.5Gi", "1536Mi"),
        ("0x10", "16"),
        ("1.0", "1000m"),
    ],
)
def test_equal_forms_are_never_above_the_limit(request_text: str, limit_text: str) -> None:
    resource = "memory" if "i" in request_text + limit_text or "M" in limit_text else "cpu"
    text = _worker(f"""\
        resources:
          requests:
            {resource}: {request_text}
          limits:
            {resource}: {limit_text}
        """)
    assert _mine(text) == []


def test_invalid_quantity() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: 1 core
            memory: 1GB
          limits:
            memory: "16 Gi"
            cpu: 1e-2147483647
        """)
    diags = _mine(text)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [
        ("WL200", 9, 12),
        ("WL200", 10, 15),
        ("WL200", 12, 15),
        ("WL200", 13, 12),
    ]
    assert diags[0].message == (
        "`worker.resources.requests.cpu` is `1 core`, which is not a Kubernetes quantity:"
        " Kubernetes allows no space between the number and its unit; write a number with an"
        " optional unit, such as `500m` or `2`"
    )
    assert diags[1].message == (
        "`worker.resources.requests.memory` is `1GB`, which is not a Kubernetes quantity:"
        " `GB` is not a unit Kubernetes knows (it knows n, u, m, k, M, G, T, P, E, Ki, Mi, Gi,"
        " Ti, Pi and Ei); write a number with an optional unit, such as `512Mi` or `2Gi`"
    )
    assert diags[2].message.startswith(
        "`worker.resources.limits.memory` is `16 Gi`, which is not a Kubernetes"
        " quantity: Kubernetes allows no space between the number and its unit;"
    )
    assert "does not finish on it" in diags[3].message


def test_cpu_with_memory_unit_is_one_diagnostic() -> None:
    # 16Gi is a valid quantity far above the 400m limit: only the unit is reported.
    text = _worker("""\
        resources:
          requests:
            cpu: 16Gi
          limits:
            cpu: 400m
        """)
    [diag] = _mine(text)
    assert (diag.code, diag.span) == ("WL202", Span(9, 12, 9, 16))
    assert diag.message == (
        "`worker.resources.requests.cpu` is `16Gi`, a memory unit on a CPU amount; CPU is counted"
        " in cores (`2`) or millicores (`500m`)"
    )


def test_memory_in_millibytes() -> None:
    text = _worker("""\
        resources:
          requests:
            memory: 500m
          limits:
            memory: 100Mi
        """)
    [diag] = _mine(text)
    assert (diag.code, diag.severity.value, diag.span.line) == ("WL203", "warning", 9)
    assert diag.message == (
        "`worker.resources.requests.memory` is `500m`, which is 0.5 bytes: `m` means milli, not"
        " mega; write `500Mi` (mebibytes) or `500M` (megabytes)"
    )


def test_milli_memory_limit_is_not_also_compared() -> None:
    text = _worker("""\
        resources:
          requests:
            memory: 1Gi
          limits:
            memory: 2000m
        """)
    assert _codes(text) == [("WL203", 11)]


def test_negative_quantity() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: -500m
          limits:
            cpu: 400m
            memory: -1Gi
        """)
    diags = _mine(text)
    assert [(d.code, d.span.line) for d in diags] == [("WL204", 9), ("WL204", 12)]
    assert diags[0].message == (
        "`worker.resources.requests.cpu` is `-500m`, a negative amount; Kubernetes rejects quantities below zero"
    )


def test_zero_request_is_fine_and_zero_limit_warns() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: 0
          limits:
            cpu: 0m
        """)
    [diag] = _mine(text)
    assert (diag.code, diag.severity.value, diag.span.line) == ("WL206", "warning", 11)
    assert diag.message == (
        "`worker.resources.limits.cpu` is 0, which Kubernetes reads as no limit at all; set the"
        " largest amount the Worker may use, or remove the limit"
    )


def test_zero_limit_under_a_positive_request_is_a_request_above_limit() -> None:
    text = _worker("""\
        resources:
          requests:
            memory: 100Mi
          limits:
            memory: 0
        """)
    assert _codes(text) == [("WL201", 9)]


def test_implausible_cpu_count() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: 200
          limits:
            cpu: 2e3
        """)
    diags = _mine(text)
    assert [(d.code, d.severity.value, d.span.line) for d in diags] == [
        ("WL205", "warning", 9),
        ("WL205", "warning", 11),
    ]
    assert diags[0].message == (
        "`worker.resources.requests.cpu` is `200`, that is 200 CPU cores, more than 64; if"
        " millicores were meant, write `200m`"
    )
    assert diags[1].message.endswith("write `2000m`")


def test_implausible_cpu_threshold_option() -> None:
    text = _worker("""\
        resources:
          limits:
            cpu: 16
        """)
    assert _codes(text) == []
    assert _codes(text, Settings(options={"WL205": {"threshold": 8}})) == [("WL205", 9)]


def test_yaml_numbers_are_read_as_written() -> None:
    # YAML types these as floats; Kubernetes reads the text: 0.5 cores, 128e6 bytes.
    text = _worker("""\
        resources:
          requests:
            cpu: 0.5
            memory: 128e6
          limits:
            cpu: 0.25
            memory: 100M
        """)
    [first, second] = _mine(text)
    assert (first.code, first.span.line) == ("WL201", 9)
    assert first.message.startswith("`worker.resources.requests.cpu` is `0.5`, above its limit `0.25`;")
    assert (second.code, second.span.line) == ("WL201", 10)
    assert "(128e6 > 100M)" in second.message


@pytest.mark.parametrize("value", ["${CPU}", "$CPU", "${{cpu-request}}", '"${100Mi}"', "${{ cpu }}"])
def test_templated_values_are_never_read(value: str) -> None:
    text = _worker(f"""\
        resources:
          requests:
            cpu: {value}
            memory: {value}
          limits:
            cpu: 100m
            memory: 1Mi
        """)
    assert _mine(text) == []


def test_rendered_variables_are_read_as_substituted() -> None:
    text = _worker("""\
        resources:
          requests:
            cpu: ${CPU}
            memory: ${MEMORY}
          limits:
            cpu: 400m
        """)
    settings = Settings(variables={"CPU": "2000m"})
    diags = _mine(text, settings)
    assert [(d.code, d.span.line) for d in diags] == [("WL201", 9)]
    assert diags[0].message.startswith("`worker.resources.requests.cpu` is `2000m`, above its limit `400m`;")
    assert _codes(text, Settings(variables={"CPU": "200m", "MEMORY": "500m"})) == [("WL203", 10)]


def test_merged_and_repeated_values_are_read_as_yaml_keeps_them() -> None:
    text = _worker("""\
        resources:
          requests:
            <<: {cpu: 16Gi, memory: 1Gi}
            memory: 512m
            memory: 2Gi
          limits: {cpu: 1, memory: 1Gi}
        """)
    # the merged `cpu` is the one read; of the two `memory` entries the last, which is above its limit
    assert [(d.code, d.span.line, d.span.column) for d in _mine(text)] == [
        ("WL202", 9, 17),
        ("WL201", 11, 15),
    ]


def test_stack_spec_quantities_are_never_read() -> None:
    text = (
        "name: spark-job\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: container:1.0\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
        "    driver:\n      memory: 1024m\n      cpu: 16Gi\n    resources:\n      requests:\n        cpu: 2000m\n"
        "      limits:\n        cpu: 100m\n"
    )
    assert _mine(text) == []


def test_inline_bundle_worker_is_checked_at_its_own_position() -> None:
    text = textwrap.dedent("""\
        name: relay-bundle
        version: v1beta
        type: bundle
        bundle:
          workspace: public
          resources:
            - id: relay
              workspace: public
              spec:
                name: orders-relay
                version: v1beta
                type: worker
                worker:
                  compute: runnable-default
                  stack: container:1.0
                  resources:
                    requests:
                      cpu: 1000m
                    limits:
                      cpu: 400m
                  stackSpec:
                    image: docker.io/library/alpine:3.20
        """)
    [diag] = _mine(text)
    assert (diag.code, diag.span.line, diag.span.column) == ("WL201", 18, 20)
    assert diag.json_path == ("bundle", "resources", 0, "spec", "worker", "resources", "requests", "cpu")
    assert diag.related[0].span.line == 20


# ---- replicas and autoscaling ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["autoscaling", "autoScaling"])
def test_min_replicas_above_max(spelling: str) -> None:
    text = _worker(f"""\
        replicas: 3
        {spelling}:
          minReplicas: 4
          maxReplicas: 2
        """)
    [diag] = _mine(text)
    assert (diag.code, diag.severity.value, diag.span) == ("WL210", "error", Span(9, 18, 9, 19))
    assert diag.message == (
        f"`worker.{spelling}.minReplicas` is 4, above `maxReplicas` 2; the autoscaler cannot keep"
        " at least that many and at most this many replicas"
    )
    assert [(r.span.line, r.message) for r in diag.related] == [(10, "`maxReplicas` is 2")]


@pytest.mark.parametrize(("replicas", "line", "bound"), [(6, 10, "maxReplicas"), (1, 9, "minReplicas")])
def test_replicas_outside_range(replicas: int, line: int, bound: str) -> None:
    text = _worker(
        f"""\
        replicas: {replicas}
        autoScaling:
          minReplicas: 2
          maxReplicas: 3
        """,
        version="v2alpha",
    )
    [diag] = _mine(text)
    assert (diag.code, diag.severity.value, diag.span.line) == ("WL211", "warning", 7)
    relation = "above" if bound == "maxReplicas" else "below"
    value = 3 if bound == "maxReplicas" else 2
    assert diag.message == (
        f"`spec.replicas` is {replicas}, {relation} `{bound}` {value} while autoscaling is enabled;"
        " the autoscaler owns the replica count and moves it into range at once"
    )
    assert [(r.span.line, r.message) for r in diag.related] == [(line, f"`{bound}` is {value}")]


@pytest.mark.parametrize("enabled", ["false", "${{autoscaling-enabled}}"])
def test_replicas_range_needs_autoscaling_enabled(enabled: str) -> None:
    text = _worker(f"""\
        replicas: 6
        autoscaling:
          enabled: {enabled}
          minReplicas: 1
          maxReplicas: 3
        """)
    assert _mine(text) == []


def test_replicas_inside_range_and_conflicting_bounds() -> None:
    inside = _worker("replicas: 2\nautoScaling:\n  enabled: true\n  minReplicas: 2\n  maxReplicas: 2\n")
    assert _mine(inside) == []
    # With min above max, only WL210 is reported: the range itself is the cause.
    conflict = _worker("replicas: 9\nautoScaling:\n  minReplicas: 4\n  maxReplicas: 2\n")
    assert _codes(conflict) == [("WL210", 9)]


def test_schema_owned_counts_are_not_repeated() -> None:
    # minReplicas 0 breaks the schema's minimum; no WL21x on top of it.
    text = _worker(
        "replicas: 5\nautoScaling:\n  minReplicas: 0\n  maxReplicas: 3\n  targetCPUUtilizationPercentage: 80\n"
    )
    assert _codes(text) == [("WL211", 7)]
    assert [d.code for d in lint_text(text, "worker.yaml") if d.code.startswith("WL1")] == ["WL105"]


def test_utilization_targets() -> None:
    text = _worker("""\
        autoScaling:
          minReplicas: 1
          maxReplicas: 3
          targetCPUUtilizationPercentage: 120
          targetMemoryUtilizationPercentage: 0
        """)
    diags = _mine(text)
    assert [(d.code, d.severity.value, d.span.line) for d in diags] == [
        ("WL212", "warning", 10),
        ("WL212", "warning", 11),
    ]
    assert diags[0].message == (
        "`worker.autoScaling.targetCPUUtilizationPercentage` is 120, outside the documented"
        ' range, "any integer between 0 and 100" (a target of 0 scales on any load); above'
        " 100 the autoscaler adds replicas only once pods use more than they request"
    )
    assert diags[1].message.endswith("at 0 or below the autoscaler adds replicas on almost any load")


@pytest.mark.parametrize(("value", "shown"), [("72.5", "72.5"), (".nan", "NaN"), ("-0.5", "-0.5")])
def test_a_target_is_an_integer(value: str, shown: str) -> None:
    # "integer | optional | 80 | any integer between 0 and 100"
    text = _worker(f"autoscaling:\n  targetCPUUtilizationPercentage: {value}\n")
    assert [(d.code, d.severity.value, d.span.line, d.message) for d in lint_text(text, "w.yaml")] == [
        (
            "WL103",
            "error",
            8,
            "`worker.autoscaling.targetCPUUtilizationPercentage` must be an integer (the docs: any"
            f" integer between 0 and 100), not `{shown}`",
        )
    ]


def test_valid_targets_pass() -> None:
    text = _worker("autoscaling:\n  targetCPUUtilizationPercentage: 80\n  targetMemoryUtilizationPercentage: 100\n")
    assert _mine(text) == []


# ---- the real corpus -----------------------------------------------------------------------

#: the two published Worker examples whose cpu request (1000m) exceeds its limit (400m), per SOURCES.tsv
OVER_LIMIT = {
    "dataosinfo__docs__examples__resources__worker__transforming_stream_data.yaml": 19,
    "dataosinfo__docs__resources__stacks__soda__index__block2.yaml": 24,
}


def test_corpus_over_limit_manifests_and_no_other_errors() -> None:
    if not CORPUS.is_dir():
        missing_shared("../shared/corpus/dataos is not available")
    notes = dict(line.split("\t")[0::4] for line in (CORPUS / "SOURCES.tsv").read_text().splitlines()[1:] if line)
    for name in OVER_LIMIT:
        assert "1000m > limits.cpu 400m" in notes[name]
    errors: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(CORPUS.glob("*.yaml")):
        found = [
            (d.code, d.span.line)
            for d in lint_text(path.read_bytes(), path.name)
            if d.code.startswith("WL2") and d.severity.value == "error"
        ]
        if found:
            errors[path.name] = found
    assert errors == {name: [("WL201", line)] for name, line in OVER_LIMIT.items()}
