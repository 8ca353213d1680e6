"""Bundles: the schema, the dependency graph, `file:` references, schedules, and Workflow dags."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED, missing_shared, run_cli
from linting import lint_paths, lint_text

from worker_lint.checks.context import Project
from worker_lint.core.diagnostic import Diagnostic
from worker_lint.core.settings import Settings
from worker_lint.dataos import bundle, cron, schema
from worker_lint.dataos.resource import Resource, classify
from worker_lint.document.parse import parse

CORPUS = SHARED / "corpus" / "dataos"


@pytest.fixture(autouse=True)
def _bundle_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Route `type: bundle` to its schema even before `schemas/index.json` names it."""
    current = schema.index()
    if "bundle" not in current:
        patched = {**current, "bundle": {"*": "bundle.schema.json"}}
        monkeypatch.setattr(schema, "index", lambda: patched)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dedent(text), encoding="utf-8")
    return path


def _rows(diagnostics: list[Diagnostic], prefix: str = "WL4") -> list[tuple[int, int, str, str, str]]:
    return [
        (d.span.line, d.span.column, d.severity.value, d.code, d.message)
        for d in diagnostics
        if d.code.startswith(prefix)
    ]


def _lint(text: str, path: Path | str = "<stdin>", settings: Settings | None = None) -> list[Diagnostic]:
    return lint_text(_dedent(text), str(path), settings or Settings())


def _run(paths: list[str], settings: Settings | None = None) -> dict[str, list[Diagnostic]]:
    return dict(lint_paths(paths, settings or Settings()))


# --- cron -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message", "start", "end"),
    [
        ("31 0 * * *", None, None, None),
        ("*/12 * * * *", None, None, None),
        ("0 9-17/2 * JAN-MAR MON-FRI", None, None, None),
        ("0 0 ? * 7", None, None, None),
        ("@daily", None, None, None),
        ("61 * * * *", "`61` is out of range for the minute field (0-59)", 0, 2),
        ("0 0 0 * *", "`0` is out of range for the day-of-month field (1-31)", 4, 5),
        ("0 0 * 13 *", "`13` is out of range for the month field (1-12 or JAN-DEC)", 6, 8),
        ("0 0 * * 8", "`8` is out of range for the day-of-week field (0-7 or SUN-SAT)", 8, 9),
        ("*/0 * * * *", "step `/0` in `*/0` (minute field) must be at least 1", 1, 3),
        ("*/x * * * *", "step `x` in `*/x` (minute field) must be a whole number", 2, 3),
        ("0 5-2 * * *", "range `5-2` in the hour field runs backwards; write the smaller value first", 2, 5),
        ("0 0 * FOO *", "`FOO` is not a month name or number in the month field (1-12 or JAN-DEC)", 6, 9),
        ("0 0 * * MON-FUN", "`FUN` is not a day name or number in the day-of-week field (0-7 or SUN-SAT)", 12, 15),
        ("1,,2 * * * *", "empty item in the minute field (a stray comma)", 2, 3),
        ("a * * * *", "`a` is not a number in the minute field (0-59)", 0, 1),
        ("* ? * * *", "`?` is only allowed in the day-of-month and day-of-week fields, not hour", 2, 3),
        (
            "0 0 6 * * *",
            "it has 6 fields; a cron has 5: minute hour day-of-month month day-of-week; DataOS schedules"
            " have no seconds (or year) field",
            None,
            None,
        ),
        ("1 2 3", "it has 3 fields; a cron has 5: minute hour day-of-month month day-of-week", None, None),
        ("", "it is empty; write five fields: minute hour day-of-month month day-of-week", None, None),
        ("@every 5m", "`@every` intervals are not cron schedules; write five fields such as `0 * * * *`", None, None),
        (
            "@nightly",
            "`@nightly` is not a cron macro; use one of @annually, @daily, @hourly, @midnight, @monthly,"
            " @weekly, @yearly or five fields",
            None,
            None,
        ),
    ],
)
def test_cron_validate(expression: str, message: str | None, start: int | None, end: int | None) -> None:
    problem = cron.validate(expression)
    if message is None:
        assert problem is None
    else:
        assert problem == cron.CronError(message, start, end)


def test_cron_offsets_count_leading_blanks() -> None:
    assert cron.validate("  0 99 * * *") == cron.CronError("`99` is out of range for the hour field (0-23)", 4, 6)


# --- the graph, as pure functions --------------------------------------------------------------------


def _resource(text: str) -> Resource:
    parsed = parse(_dedent(text))
    doc = parsed.documents[0]
    kind = classify(doc.data)
    assert kind is not None
    return Resource(doc.data, doc.root, (), kind[0], kind[1], _dedent(text))


def test_find_cycles_reports_each_cycle_once_at_its_back_edge() -> None:
    edges = [
        bundle.Edge("a", "b", ("p", 0)),
        bundle.Edge("b", "c", ("p", 1)),
        bundle.Edge("c", "a", ("p", 2)),
        bundle.Edge("d", "d2", ("p", 3)),
        bundle.Edge("d2", "d", ("p", 4)),
    ]
    cycles = bundle.find_cycles(["a", "b", "c", "d", "d2"], edges)
    assert [(loop, edge.path) for loop, edge in cycles] == [
        (["a", "b", "c", "a"], ("p", 2)),
        (["d", "d2", "d"], ("p", 4)),
    ]


def test_find_cycles_on_a_long_chain_does_not_recurse() -> None:
    names = [f"n{i}" for i in range(5000)]
    edges = [bundle.Edge(a, b, ("p", i)) for i, (a, b) in enumerate(zip(names, names[1:]))]
    edges.append(bundle.Edge(names[-1], names[0], ("closing",)))
    [(loop, edge)] = bundle.find_cycles(names, edges)
    assert (loop, edge.path) == (
        ["n0", "n1", "n2", "n3", "n4", "... 4,992 more ...", "n4997", "n4998", "n4999", "n0"],
        ("closing",),
    )


def test_edges_merge_dependencies_and_conditions_and_skip_unknown_and_self() -> None:
    res = _resource("""
        name: b
        version: v1beta
        type: bundle
        bundle:
          resources:
            - id: x
              dependencies: [y, x, nowhere]
              dependencyConditions:
                - resourceId: y
                - resourceId: z
            - id: y
            - id: z
    """)
    assert [(e.source, e.target, e.path) for e in bundle.edges(bundle.items(res))] == [
        ("x", "y", ("bundle", "resources", 0, "dependencies", 0)),
        ("x", "z", ("bundle", "resources", 0, "dependencyConditions", 1, "resourceId")),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${{bundle-depot}}", True),
        ("${DEPOT}", True),
        ("{{x}}", True),
        ("<workspace_name>", True),
        ("$DIR/worker.yaml", True),
        ("$FIRST", True),
        ("orders-depot", False),
        ("a<b", False),
        (3, False),
    ],
)
def test_looks_templated(value: object, expected: bool) -> None:
    assert bundle.looks_templated(value) is expected


# --- project root and file resolution ----------------------------------------------------------------


def test_project_root_is_the_configured_root_then_the_configuration_folder_then_the_repository(tmp_path: Path) -> None:
    deep = tmp_path / "repo" / "deploy" / "bundles"
    deep.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert bundle.project_root(deep / "b.yaml", Settings()) == tmp_path / "repo"
    configured = Settings(config_path=tmp_path / "repo" / "deploy" / ".worker-lint.yml")
    assert bundle.project_root(deep / "b.yaml", configured) == tmp_path / "repo" / "deploy"
    assert bundle.project_root(deep / "b.yaml", Settings(root=tmp_path, config_path=configured.config_path)) == tmp_path


def test_a_project_configured_by_worker_lint_yml_is_the_root_of_its_bundles(tmp_path: Path, cli) -> None:
    """`.worker-lint.yml` marks the project as `.worker-lint.yaml` does: no false "outside the project root"."""
    (tmp_path / ".worker-lint.yml").write_text("select: [WL4]\n")
    _write(tmp_path, "workers/w.yaml", "name: w\nversion: v1beta\ntype: worker\nworker: {stack: bento, compute: c}\n")
    _write(
        tmp_path,
        "deploy/bundle.yaml",
        """
        name: b
        version: v1beta
        type: bundle
        bundle:
          resources:
            - {id: w, file: ../workers/w.yaml}
    """,
    )
    result = cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path / "deploy")
    assert result.diagnostics == [], result.stdout


def test_resolve_file_beside_the_bundle_then_from_the_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path, "deploy/worker.yaml", "name: w\n")
    _write(tmp_path, "build/dag.yml", "name: d\n")
    directory = tmp_path / "deploy"
    beside = bundle.resolve_file("./worker.yaml", directory, tmp_path)
    assert (beside.found, beside.tried) == (tmp_path / "deploy" / "worker.yaml", (tmp_path / "deploy" / "worker.yaml",))
    rooted = bundle.resolve_file("build/dag.yml", directory, tmp_path)
    assert rooted.found == tmp_path / "build" / "dag.yml"
    assert rooted.tried == (tmp_path / "deploy" / "build" / "dag.yml", tmp_path / "build" / "dag.yml")
    missing = bundle.resolve_file("nope.yaml", directory, tmp_path)
    assert (missing.found, missing.outside) == (None, None)
    assert missing.tried == (tmp_path / "deploy" / "nope.yaml", tmp_path / "nope.yaml")
    absolute = bundle.resolve_file(str(tmp_path / "build" / "dag.yml"), directory, tmp_path)
    assert absolute.found == tmp_path / "build" / "dag.yml"


def test_resolve_file_never_leaves_the_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = _write(tmp_path, "secret.yaml", "name: s\n")
    (root / "deploy").mkdir(parents=True)
    climbing = bundle.resolve_file("../../secret.yaml", root / "deploy", root)
    assert (climbing.found, climbing.outside, climbing.via_symlink) == (None, outside, None)
    absolute = bundle.resolve_file(str(outside), root / "deploy", root)
    assert (absolute.found, absolute.outside) == (None, outside)
    os.symlink(outside, root / "deploy" / "link.yaml")
    linked = bundle.resolve_file("link.yaml", root / "deploy", root)
    assert (linked.found, linked.outside, linked.via_symlink) == (None, root / "deploy" / "link.yaml", outside)


def _counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the Bundle module reads from now on, in order, one entry per read."""
    reads: list[Path] = []
    original = bundle.read_or_none

    def counting(target: Path, limit: int) -> bytes | None:
        reads.append(target)
        return original(target, limit)

    monkeypatch.setattr(bundle, "read_or_none", counting)
    return reads


def test_load_referenced_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "w.yaml", "name: w\nversion: v2alpha\ntype: worker\nspec: {}\n")
    reads = _counted_reads(monkeypatch)
    cache: dict[object, object] = {}
    first = bundle.load_referenced(path, cache)
    second = bundle.load_referenced(tmp_path / "." / "w.yaml", cache)
    assert first is second
    assert (reads, first.kinds, first.documents, first.unreadable) == ([path], [("worker", "v2alpha")], 1, False)


# --- the rules, through the engine ------------------------------------------------------------------

_HEAD = """
    name: orders-bundle
    version: v1beta
    type: bundle"""


def test_graph_rules_positions_and_messages() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - id: depot
          spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
        - id: policy
          spec: {name: read, version: v1, type: policy, policy: {}}
          dependencies: [depo, policy, cluster]
          dependencyConditions:
            - resourceId: depot
              status: {is: [actve], contains: [act]}
              runtime: {is: ["running:2", runing], contains: [succ, "9"]}
        - id: depot
          spec: {name: other, version: v1, type: depot, depot: {type: s3}}
        - id: cluster
          spec: {name: c, version: v1, type: depot, depot: {type: s3}}
          dependencies: [policy]
    """
    )
    assert _rows(found) == [
        (10, 22, "error", "WL401", "no resource in this Bundle has the id `depo`; did you mean `depot`?"),
        (
            10,
            28,
            "error",
            "WL402",
            "`policy` depends on itself; a resource cannot wait for itself, so remove this entry",
        ),
        (
            12,
            23,
            "warning",
            "WL404",
            "`policy` has a condition on `depot` but does not list it in `dependencies`;"
            " add it there so the order is explicit",
        ),
        (
            13,
            25,
            "warning",
            "WL405",
            "`actve` is never a resource status, so this condition can never be met; status"
            " values are `active`, `pending`, `failed`, `error`; did you mean `active`?",
        ),
        (
            14,
            39,
            "warning",
            "WL406",
            "`runing` is never a resource runtime, so this condition can never be met;"
            " runtime values are `running`, `running:N`, `succeeded`, `failed`; did you"
            " mean `running`?",
        ),
        (
            14,
            65,
            "warning",
            "WL406",
            "`9` is never part of a resource runtime, so this condition can never be met;"
            " runtime values are `running`, `running:N`, `succeeded`, `failed`",
        ),
        (
            15,
            11,
            "error",
            "WL400",
            "duplicate resource id `depot` (first used on line 6); dependencies on it are"
            " ambiguous, so give each resource its own id",
        ),
        (
            19,
            22,
            "error",
            "WL403",
            "dependency cycle: policy -> cluster -> policy; a Bundle must be a DAG, so no"
            " resource in the cycle can ever be applied",
        ),
    ]
    duplicate = next(d for d in found if d.code == "WL400")
    assert [(r.span.line, r.span.column, r.message) for r in duplicate.related] == [
        (6, 11, "`depot` is first used here")
    ]


def test_unknown_dependency_lists_ids_when_nothing_is_close() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - {id: alpha, spec: {name: a, version: v1, type: depot, depot: {}}}
        - {id: beta, spec: {name: b, version: v1, type: depot, depot: {}}, dependencies: [zzz]}
    """
    )
    assert _rows(found) == [
        (7, 87, "error", "WL401", "no resource in this Bundle has the id `zzz`; ids are `alpha`, `beta`")
    ]


def test_condition_on_self_and_unknown_condition_ids() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - id: depot
          spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
          dependencyConditions:
            - resourceId: depot
            - resourceId: dpot
    """
    )
    assert _rows(found) == [
        (
            9,
            23,
            "error",
            "WL402",
            "`depot` has a condition on itself; a resource cannot wait for itself, so remove this entry",
        ),
        (10, 23, "error", "WL401", "no resource in this Bundle has the id `dpot`; did you mean `depot`?"),
    ]


def test_misspelt_keys_suggest_the_right_spelling() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      Resources:
        - id: depot
          file: depot.yaml
    """,
        settings=Settings(select=("WL102",)),
    )
    assert _rows(found, "WL102") == [
        (5, 3, "error", "WL102", "unknown field `Resources` in `bundle`; did you mean `resources`?")
    ]
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - id: depot
          spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
        - id: policy
          spec: {name: read, version: v1, type: policy, policy: {}}
          dependencies: [depot]
          dependencyConditions:
            - ResourceId: depot
    """
    )
    # one cause, one diagnostic: the misspelt key, not also the missing `resourceId`
    assert [(d.span.line, d.span.column, d.code, d.message) for d in found] == [
        (
            12,
            11,
            "WL102",
            "unknown field `ResourceId` in `bundle.resources[1].dependencyConditions[0]`; did you mean `resourceId`?",
        ),
    ]


def test_schema_shapes() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      schedule:
        initialState: created
        timezone: Asia/Kolkata
        create:
          cron: '*/12 * * * *'
      workspaces:
        - name: Testing_Space
          layer: user
      resources:
        - file: x.yaml
    """
    )
    assert [(d.span.line, d.span.column, d.code, d.message) for d in found if d.code.startswith("WL1")] == [
        (
            6,
            19,
            "WL104",
            "`created` is not a valid value for `bundle.schedule.initialState`; expected `create`,"
            " `delete`; did you mean `create`?",
        ),
        (
            11,
            13,
            "WL105",
            "`Testing_Space` is not a valid workspace name: use lower-case letters, digits and '-',"
            " start with a letter, at most 32 characters",
        ),
        (14, 7, "WL101", "missing required field `id` in `bundle.resources[0]`"),
    ]


def test_sources_and_workspaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # stdin's `file:` paths start from the working directory
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - id: nothing
          workspace: public
        - id: empty
          file: ""
        - id: both
          file: depot.yaml
          spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
        - id: worker
          spec:
            name: sleep
            version: v2alpha
            type: worker
            spec: {compute: runnable-default, stack: container, stackSpec: {image: alpine}}
        - id: worker-with-own-workspace
          spec:
            name: sleep
            version: v2alpha
            type: worker
            workspace: public
            spec: {compute: runnable-default, stack: container, stackSpec: {image: alpine}}
        - id: depot
          workspace: public
          spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
    """
    )
    assert _rows(found) == [
        (
            6,
            7,
            "error",
            "WL407",
            "`nothing` has neither `file` nor `spec`; add the manifest to apply, by path or inline",
        ),
        (
            9,
            7,
            "error",
            "WL407",
            "`file` of `empty` is empty; give the path of the manifest to apply, or put it inline under `spec`",
        ),
        (
            11,
            7,
            "warning",
            "WL408",
            "`both` has both `file` and `spec`; only one of them is applied and which one is"
            " undocumented, so remove the other",
        ),
        (
            11,
            13,
            "error",
            "WL413",
            "`depot.yaml` was not found; looked for `depot.yaml` (beside the Bundle, at the project root)",
        ),
        (
            13,
            7,
            "error",
            "WL409",
            "`worker` deploys a worker, a workspace-level resource, but names no `workspace`;"
            " add `workspace:` to the item",
        ),
        (
            27,
            7,
            "warning",
            "WL410",
            "a depot is an instance-level resource; `workspace` is ignored for it, so remove it",
        ),
    ]


def test_inline_resources_are_checked_in_place() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      resources:
        - id: sleep-worker
          workspace: public
          spec:
            name: sleep-worker
            version: v2alpha
            type: worker
            spec:
              compute: runnable-default
              stack: container
              stackSpec: {image: alpine}
              replicass: 1
        - id: verify
          workspace: public
          spec:
            name: verify
            version: v1
            type: workflow
            workflow:
              dag:
                - name: check
                  spec: {stack: container, compute: runnable-default}
                  dependencies: [chek]
    """
    )
    assert [(d.span.line, d.span.column, d.code, d.json_path) for d in found] == [
        (16, 11, "WL102", ("bundle", "resources", 0, "spec", "spec", "replicass")),
        (27, 30, "WL416", ("bundle", "resources", 1, "spec", "workflow", "dag", 0, "dependencies", 0)),
    ]


def test_schedule_timezone_and_cron_positions() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      schedule:
        initialState: create
        timezone: asia/kolkata
        create:
          - cron: '0 24 * * *'
          - cron: "*/0 * * * *"
          - cron: 0 0 * * 9
          - cron: '@daily'
        delete:
          - cron: '0 0 6 * * *'
      resources:
        - {id: d, spec: {name: orders, version: v1, type: depot, depot: {type: s3}}}
    """
    )
    assert _rows(found) == [
        (7, 15, "error", "WL411", "`asia/kolkata` is not a time zone in the tz database; did you mean `Asia/Kolkata`?"),
        (9, 18, "error", "WL412", "invalid cron `0 24 * * *`: `24` is out of range for the hour field (0-23)"),
        (10, 17, "error", "WL412", "invalid cron `*/0 * * * *`: step `/0` in `*/0` (minute field) must be at least 1"),
        (
            11,
            23,
            "error",
            "WL412",
            "invalid cron `0 0 * * 9`: `9` is out of range for the day-of-week field (0-7 or SUN-SAT)",
        ),
        (
            14,
            15,
            "error",
            "WL412",
            "invalid cron `0 0 6 * * *`: it has 6 fields; a cron has 5: minute hour"
            " day-of-month month day-of-week; DataOS schedules have no seconds (or year)"
            " field",
        ),
    ]
    (single,) = [d for d in found if d.span.line == 9]
    assert (single.span.end_line, single.span.end_column) == (9, 20)


def test_templated_values_are_left_to_the_placeholder_rules() -> None:
    found = _lint(
        _HEAD
        + """
    bundle:
      schedule:
        initialState: create
        timezone: ${TZ}
        create:
          - cron: ${{cron expression}}
      resources:
        - id: ${{bundle-scanner}}
          file: ${{/home/Desktop/bundle-scanner.yaml}}
          spec: ${{resource spec}}
          dependencies: ["${{bundle-depot}}"]
          dependencyConditions:
            - resourceId: ${{bundle-depot}}
              status: {is: ["${{active}}"]}
    """
    )
    assert _rows(found) == []


def test_workflow_dag_rules() -> None:
    found = _lint("""
        name: nightly
        version: v2alpha
        type: workflow
        workflow:
          dag:
            - name: extract
              spec: {stack: container, compute: runnable-default}
              depends: [load]
            - name: load
              spec: {stack: container, compute: runnable-default}
              depends: [extract, load, extrct, ghost]
            - name: report
              spec: {stack: container, compute: runnable-default}
              dependencies: report
    """)
    assert _rows(found) == [
        (11, 17, "error", "WL417", "dag cycle: extract -> load -> extract; none of these steps could ever start"),
        (11, 26, "error", "WL417", "step `load` depends on itself; it could never start"),
        (11, 32, "error", "WL416", "no step of this dag is named `extrct`; did you mean `extract`?"),
        (11, 40, "error", "WL416", "no step of this dag is named `ghost`; steps are `extract`, `load`, `report`"),
        (14, 21, "error", "WL417", "step `report` depends on itself; it could never start"),
    ]


# --- files, through the engine ------------------------------------------------------------------------

_SLEEP_WORKER = """
    version: v2alpha
    name: sleep-worker
    type: worker
    tags:
      - test
      - worker
      - container
    description: "Minimal long-running worker"
    spec:
      compute: runnable-default
      replicas: 1
      executionMode: default
      resources:
        requests:
          cpu: 50m
          memory: 64Mi
        limits:
          cpu: 200m
          memory: 256Mi
      stack: container
      stackSpec:
        image: docker.io/library/alpine:3.20
        command:
          - sh
        arguments:
          - -c
          - "while true; do echo \\"$(date -u +%FT%TZ) sleep-worker heartbeat\\"; sleep 30; done"
"""

_VERIFY_WORKFLOW = """
    version: v1
    name: verify-sleep-worker
    type: workflow
    workspace: public
    workflow:
      dag:
        - name: fetch-status
          spec:
            stack: container
            compute: runnable-default
            stackSpec:
              image: docker.io/library/python:3.12
              command: [python, /etc/app/verify.py]
        - name: report
          spec:
            stack: container
            compute: runnable-default
            stackSpec:
              image: docker.io/library/alpine:3.20
          dependencies:
            - fetch-status
"""

#: the Bundle of the Worker reference page's "Deploy with a Bundle" section, verbatim
_REFERENCE_BUNDLE = """
    version: v2alpha
    name: test-worker-sleep
    type: bundle
    description: "Integration test: deploy a minimal long-running worker (container stack) and verify pod runtime is running"
    tags:
      - test
      - worker
      - container
    bundle:
      resources:
        - id: sleep-worker
          file: tests/worker/sleep-worker/worker.yaml

        - id: verify-sleep-worker
          file: tests/worker/sleep-worker/verify-workflow.yaml
          dependencies:
            - sleep-worker
          dependencyConditions:
            - resourceId: sleep-worker
              status:
                is:
                  - active
              runtime:
                contains:
                  - "running"
"""


def _reference_project(root: Path, worker: str = _SLEEP_WORKER) -> Path:
    (root / ".git").mkdir()
    _write(root, "tests/worker/sleep-worker/worker.yaml", worker)
    _write(root, "tests/worker/sleep-worker/verify-workflow.yaml", _VERIFY_WORKFLOW)
    return _write(root, "bundle.yaml", _REFERENCE_BUNDLE)


def test_reference_page_bundle_lints_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _reference_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    results = _run(["bundle.yaml"])
    assert results == {
        "bundle.yaml": [],
        os.path.join("tests", "worker", "sleep-worker", "worker.yaml"): [],
        os.path.join("tests", "worker", "sleep-worker", "verify-workflow.yaml"): [],
    }


def test_bundle_alone_reports_errors_inside_the_worker_it_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _SLEEP_WORKER.replace("      compute: runnable-default\n", "").replace("cpu: 200m", "cpu: 2Gi")
    _reference_project(tmp_path, broken)
    monkeypatch.chdir(tmp_path)
    results = _run(["bundle.yaml"])
    worker = os.path.join("tests", "worker", "sleep-worker", "worker.yaml")
    assert list(results) == [
        "bundle.yaml",
        worker,
        os.path.join("tests", "worker", "sleep-worker", "verify-workflow.yaml"),
    ]
    assert results["bundle.yaml"] == []
    assert [(d.span.line, d.code, d.message) for d in results[worker] if d.code == "WL101"] == [
        (9, "WL101", "missing required field `compute` in `spec`")
    ]
    assert all(d.path == worker for d in results[worker])


def test_a_file_named_by_several_bundles_is_linted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _reference_project(tmp_path)
    _write(tmp_path, "deploy/second.yaml", _REFERENCE_BUNDLE.replace("test-worker-sleep", "second-bundle"))
    monkeypatch.chdir(tmp_path)
    shown = [
        name
        for name, _ in lint_paths(
            ["bundle.yaml", "deploy/second.yaml", "tests/worker/sleep-worker/worker.yaml"], Settings()
        )
    ]
    assert sorted(shown) == sorted(
        [
            "bundle.yaml",
            os.path.join("deploy", "second.yaml"),
            "tests/worker/sleep-worker/worker.yaml",
            os.path.join("tests", "worker", "sleep-worker", "verify-workflow.yaml"),
        ]
    )


def test_referenced_files_are_parsed_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _reference_project(tmp_path)
    (tmp_path / "tests" / "worker" / "sleep-worker" / "worker.yaml").write_text("# nothing\n")
    monkeypatch.chdir(tmp_path)
    project = Project(Settings())
    for _ in range(2):
        found = lint_text((tmp_path / "bundle.yaml").read_text(), str(tmp_path / "bundle.yaml"), project=project)
        assert _rows(found) == [
            (
                12,
                13,
                "error",
                "WL415",
                "`tests/worker/sleep-worker/worker.yaml` is empty; it holds no manifest to apply",
            )
        ]
    cached = list(project.referenced.values())
    assert sorted(v.path.name for v in cached) == ["verify-workflow.yaml", "worker.yaml"]


def test_file_rules_messages(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    outside = _write(tmp_path, "elsewhere.yaml", "name: e\nversion: v1\ntype: depot\ndepot: {}\n")
    _write(root, "ci.yaml", "on: push\njobs: {}\n")
    _write(root, "broken.yaml", "name: [\n")
    _write(root, "shared/depot.yaml", "name: d\nversion: v1\ntype: depot\ndepot: {}\n")
    os.symlink(outside, root / "deploy-link.yaml")
    bundle_path = _write(
        root,
        "deploy/bundle.yaml",
        _HEAD
        + """
    bundle:
      resources:
        - {id: a, file: missing.yaml}
        - {id: b, file: ../../elsewhere.yaml}
        - {id: c, file: ../deploy-link.yaml}
        - {id: d, file: ../ci.yaml}
        - {id: e, file: ../broken.yaml}
        - {id: f, file: shared/depot.yaml}
        - {id: g, file: /definitely/not/here.yaml}
        - {id: h, file: "%s"}
    """
        % (root / "nope.yaml"),
    )
    found = lint_text(bundle_path.read_text(), str(bundle_path), Settings())
    assert _rows(found) == [
        (
            6,
            21,
            "error",
            "WL413",
            "`missing.yaml` was not found; looked for `deploy/missing.yaml` (beside the"
            " Bundle) and `missing.yaml` (at the project root)",
        ),
        (
            7,
            21,
            "warning",
            "WL414",
            f"`../../elsewhere.yaml` is outside the project root `{root}`; it was not followed or checked",
        ),
        (
            8,
            21,
            "warning",
            "WL414",
            f"`../deploy-link.yaml` is a symlink to `{outside}`, outside the project root"
            f" `{root}`; it was not followed or checked",
        ),
        (
            9,
            21,
            "error",
            "WL415",
            "`../ci.yaml` is not a DataOS resource manifest: no document in it has a `type`"
            " naming a DataOS resource and a `name` or `version`, nor a `name`, a DataOS"
            " `version` and a body section such as `worker:`",
        ),
        (
            12,
            21,
            "warning",
            "WL414",
            f"`/definitely/not/here.yaml` is outside the project root `{root}`; it was not followed or checked",
        ),
        (13, 21, "error", "WL413", f"`{root / 'nope.yaml'}` does not exist"),
    ]


def test_root_setting_bounds_references(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path, "depot.yaml", "name: d\nversion: v1\ntype: depot\ndepot: {}\n")
    bundle_path = _write(
        tmp_path,
        "deploy/bundle.yaml",
        _HEAD
        + """
    bundle:
      resources:
        - {id: a, file: ../depot.yaml}
    """,
    )
    assert _rows(lint_text(bundle_path.read_text(), str(bundle_path), Settings())) == []
    narrowed = Settings(root=tmp_path / "deploy")
    assert _rows(lint_text(bundle_path.read_text(), str(bundle_path), narrowed)) == [
        (
            6,
            21,
            "warning",
            "WL414",
            f"`../depot.yaml` is outside the project root `{tmp_path / 'deploy'}`; it was not followed or checked",
        )
    ]


def test_workspace_on_a_file_item_follows_the_file_type(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path, "depot.yaml", "name: d\nversion: v1\ntype: depot\ndepot: {}\n")
    _write(tmp_path, "worker.yaml", _SLEEP_WORKER)
    bundle_path = _write(
        tmp_path,
        "bundle.yaml",
        _HEAD
        + """
    bundle:
      resources:
        - {id: a, file: depot.yaml, workspace: public}
        - {id: b, file: worker.yaml, workspace: public}
        - {id: c, file: worker.yaml}
    """,
    )
    found = lint_text(bundle_path.read_text(), str(bundle_path), Settings())
    assert _rows(found) == [
        (
            6,
            33,
            "warning",
            "WL410",
            "a depot is an instance-level resource; `workspace` is ignored for it, so remove it",
        )
    ]


# --- the published corpus -----------------------------------------------------------------------------

#: file -> the WL4xx/WL1xx diagnostics (line, code) its known defects must produce
_BROKEN = {
    "dataosinfo__docs__examples__resources__bundle__bundle_template_3.yaml": [
        (12, "WL418"),
        (25, "WL413"),
        (30, "WL413"),
    ],
    "dataosinfo__docs__examples__resources__bundle__bundling_resources_in_data_product__bundle_for_lens_and_talos"
    ".yaml": [(6, "WL102"), (20, "WL413"), (24, "WL413"), (26, "WL102")],
    "dataosinfo__docs__examples__resources__database__bundle.yaml": [
        (20, "WL413"),
        (26, "WL413"),
        (28, "WL404"),
        (36, "WL413"),
        (38, "WL404"),
        (48, "WL413"),
        (50, "WL404"),
    ],
    "dataosinfo__docs__resources__bundle__templates__bundle_dependencies__block1.yaml": [(15, "WL102")],
    "dataosinfo__docs__resources__bundle__templates__file_path_bundle__block1.yaml": [(18, "WL102")],
    "dataosinfo__docs__learn__dp_foundations1_learn_track__create_bundle__index__block1.yaml": [
        (9, "WL413"),
        (13, "WL413"),
        (17, "WL413"),
        (21, "WL407"),
        (25, "WL407"),
        (29, "WL407"),
        (35, "WL407"),
    ],
    "dataosinfo__docs__learn__dp_foundations2_learn_track__create_bundle__index__block1.yaml": [
        (9, "WL413"),
        (13, "WL413"),
        (17, "WL413"),
        (25, "WL407"),
        (29, "WL407"),
        (35, "WL407"),
    ],
    "dataosinfo__docs__resources__bundle__index__block1.yaml": [(19, "WL418"), (21, "WL418")],
    "dataosinfo__docs__learn__dp_foundations2_learn_track__deploy_sm__index__block1.yaml": [(12, "WL001")],
    "dataosinfo__docs__quick_guides__building_data_product__index__block13.yaml": [(33, "WL001")],
    # bare `{{name}}` placeholders are mappings to YAML: each is reported as the placeholder it is, and the rest of
    # the skeleton is checked as the platform would read it (`create`/`delete` written as mappings, `file` and `spec`)
    "dataosinfo-c47ee27a__docs__resources__bundle__block1.yaml": sorted(
        [
            (line, "WL303")
            for line in (2, 7, 8, 9, 10, 17, 18, 20, 22, 26, 27, 29, 30, 32, 33, 37, 38, 40, 41, 43, 44, 48)
        ]
        + [(19, "WL418"), (21, "WL418"), (44, "WL408")],
        key=lambda item: (item[0], item[1] == "WL303"),
    ),
}


def _corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        missing_shared(f"the shared corpus is not available ({path})")
    return path


@pytest.mark.parametrize("name", sorted(_BROKEN))
def test_broken_corpus_bundles_are_reported_at_the_broken_line(name: str) -> None:
    """The corpus directory is flat: every manifest sits in one folder under a long mangled name, so a
    Bundle's `file:` paths (`./database.yaml`, `build/super_dag_ingestion.yml`) mostly do not resolve there.
    Those WL413 diagnostics are real for the files as they lie and are expected here; the layouts in which the
    references do resolve are rebuilt in a temporary directory by the tests below."""
    path = _corpus_file(name)
    found = lint_text(path.read_bytes(), str(path), Settings(select=("WL0", "WL1", "WL4", "WL303")))
    assert [(d.span.line, d.code) for d in found] == _BROKEN[name]


def test_database_bundle_with_its_files_laid_out(tmp_path: Path) -> None:
    """The database Bundle of dataos.info next to the four files it references by `./` paths."""
    prefix = "dataosinfo__docs__examples__resources__database__"
    source = _corpus_file(prefix + "bundle.yaml")
    (tmp_path / ".git").mkdir()
    for name in ("database", "service", "depot", "database_cluster"):
        (tmp_path / f"{name}.yaml").write_bytes(_corpus_file(f"{prefix}{name}.yaml").read_bytes())
    target = tmp_path / "bundle.yaml"
    target.write_bytes(source.read_bytes())
    found = lint_text(target.read_bytes(), str(target), Settings())
    assert [(d.span.line, d.code) for d in found if d.code.startswith("WL4")] == [
        (28, "WL404"),
        (35, "WL410"),
        (38, "WL404"),
        (50, "WL404"),
    ]


def test_every_corpus_bundle_lints_without_internal_errors() -> None:
    """All 26 published Bundles, in place: the Bundle rules' totals, and no internal error anywhere."""
    if not CORPUS.is_dir():
        missing_shared("the shared corpus is not available")
    names = sorted(p.name for p in CORPUS.glob("*.yaml") if b"type: bundle" in p.read_bytes())
    assert len(names) == 26
    codes: dict[str, int] = {}
    for name in names:
        path = CORPUS / name
        for d in lint_text(path.read_bytes(), str(path), Settings()):
            codes[d.code] = codes.get(d.code, 0) + 1
    assert "WL900" not in codes
    assert {c: n for c, n in codes.items() if c.startswith("WL4")} == {
        "WL404": 3,
        "WL407": 7,
        "WL408": 1,
        "WL413": 48,
        "WL414": 7,
        "WL418": 5,
    }


def test_apply_time_variables_in_files_and_dependencies_are_never_missing(tmp_path: Path, cli) -> None:
    """`$DIR/worker.yaml` and `dependencies: [$FIRST]` are substituted by dataos-ctl: nothing to report."""
    (tmp_path / ".git").mkdir()
    _write(
        tmp_path,
        "bundle.yaml",
        """
        name: b
        version: v1beta
        type: bundle
        bundle:
          resources:
            - {id: w, file: $DIR/worker.yaml, dependencies: [$FIRST]}
    """,
    )
    result = cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path)
    assert [d["code"] for d in result.diagnostics if d["code"] in ("WL401", "WL413")] == [], result.stdout


def test_looked_for_paths_read_the_same_from_a_working_directory_near_the_project(tmp_path: Path) -> None:
    # the places were shown relative to the working directory when it was "near" (a checkout under /tmp,
    # pytest's folders under /tmp): the message changed with where the project and the run happened to be
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(
        repo, "deploy/bundle.yaml", _HEAD + "\n    bundle:\n      resources:\n        - {id: a, file: missing.yaml}\n"
    )
    looked_for = (
        "`missing.yaml` was not found; looked for `deploy/missing.yaml` (beside the Bundle) and `missing.yaml`"
        " (at the project root)"
    )
    for cwd in (tmp_path / "beside", tmp_path / "beside" / "deeper"):  # near the project, not holding it
        cwd.mkdir(parents=True, exist_ok=True)
        run = run_cli("check", "--format", "json", "--no-cache", str(repo / "deploy" / "bundle.yaml"), cwd=cwd)
        assert [(d["line"], d["column"], d["code"], d["message"]) for d in run.diagnostics] == [
            (6, 21, "WL413", looked_for)
        ], cwd
    # from inside the project: one place is outside the working directory, so both are named from the root
    run = run_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=repo / "deploy")
    assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in run.diagnostics] == [
        ("bundle.yaml", 6, 21, "WL413", looked_for)
    ]
    # from a folder holding the project, both are inside the working directory, and named from it, as files are
    run = run_cli("check", "--format", "json", "--no-cache", "repo/deploy/bundle.yaml", cwd=tmp_path)
    assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in run.diagnostics] == [
        (
            "repo/deploy/bundle.yaml",
            6,
            21,
            "WL413",
            "`missing.yaml` was not found; looked for `repo/deploy/missing.yaml` (beside the Bundle) and"
            " `repo/missing.yaml` (at the project root)",
        )
    ]


def test_what_referenced_files_hold_is_remembered_by_content_within_a_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A language server lints a Bundle on every keystroke: its files are parsed once per content, and the
    memo keeps no more than its bound however many distinct files go through it."""
    monkeypatch.setattr(bundle, "_HOLDS", type(bundle._HOLDS)())
    monkeypatch.setattr(bundle, "_HOLDS_LIMIT", 8)
    path = tmp_path / "worker.yaml"
    for n in range(20):
        path.write_text(f"version: v1beta\nname: w{n}\ntype: worker\nworker: {{}}\n")
        assert bundle.load_referenced(path).kinds == [("worker", "v1beta")]
        assert len(bundle._HOLDS) <= 8
    path.write_text("version: v1beta\nname: w19\ntype: depot\ndepot: {}\n")  # the same path, another content
    assert bundle.load_referenced(path).kinds == [("depot", "v1beta")]
    path.write_text("")
    empty = bundle.load_referenced(path)
    assert (empty.kinds, empty.documents, empty.unreadable) == ([], 0, False)


@pytest.fixture
def _fresh_memos(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty memos of resolutions and of files' contents, and no racy window: a file's state vouches for what
    was read at once, as it does two seconds after its last change."""
    from worker_lint.core import file_state

    monkeypatch.setattr(bundle, "_RESOLVED", type(bundle._RESOLVED)())
    monkeypatch.setattr(bundle, "_READ", type(bundle._READ)())
    monkeypatch.setattr(file_state, "RACY_NS", 0)


def _resolve_and_load(where: bundle.Place, value: str) -> tuple[bundle.Resolution, bundle.ReferencedFile]:
    """What one run does with a Bundle's `file:` value: resolved, then read (each run its own folders and cache)."""
    resolution = where.resolve(value, {})
    assert resolution.found is not None
    loaded = bundle.load_referenced(resolution.found, {}, real=resolution.real, state=resolution.state)
    return resolution, loaded


@pytest.mark.usefixtures("_fresh_memos")
def test_a_file_still_in_the_state_it_was_read_in_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    path = _write(tmp_path, "workers/w.yaml", "version: v1beta\nname: w\ntype: worker\nworker: {}\n")
    where = bundle.place(str(tmp_path / "bundle.yaml"), Settings(), {})
    reads = _counted_reads(monkeypatch)
    first = _resolve_and_load(where, "workers/w.yaml")
    second = _resolve_and_load(where, "workers/w.yaml")
    assert reads == [path]
    assert first == second and second[1].kinds == [("worker", "v1beta")]
    # the same size, another content, a modification time a second back (a file system's clock may not have
    # ticked since it was read; the racy window, here none, is what covers that): read again
    before = path.stat()
    path.write_text("version: v1beta\nname: w\ntype: depot\ndepot: {}\n\n\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 1_000_000_000))
    assert path.stat().st_size == before.st_size
    resolution, loaded = _resolve_and_load(where, "workers/w.yaml")
    assert (reads, loaded.kinds) == ([path, path], [("depot", "v1beta")])
    assert resolution.found == path and resolution.state != first[0].state
    assert _resolve_and_load(where, "workers/w.yaml")[1].kinds == [("depot", "v1beta")]
    assert reads == [path, path]
    # read with other limits, it is read again: what a file holds is remembered per limits
    limited = bundle.load_referenced(
        path, {}, 10_000, bundle.Limits(max_line_length=10), real=resolution.real, state=resolution.state
    )
    assert limited.unreadable and reads == [path, path, path]


@pytest.mark.usefixtures("_fresh_memos")
def test_a_remembered_resolution_follows_the_file_system(tmp_path: Path) -> None:
    """Each answer is the one a fresh resolution gives, as files appear, go, and become links."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    worker = "version: v1beta\nname: w\ntype: worker\nworker: {}\n"
    at_root = _write(repo, "w.yaml", worker)
    outside = _write(tmp_path, "elsewhere/w.yaml", worker)
    where = bundle.place(str(repo / "deploy" / "bundle.yaml"), Settings(), {})
    (repo / "deploy").mkdir()

    def both() -> tuple[bundle.Resolution, bundle.Resolution]:
        fresh = bundle.resolve_file("w.yaml", where.directory, where.root, where.searched, where.real_root)
        return where.resolve("w.yaml", {}), fresh

    remembered, fresh = both()
    assert remembered == fresh and fresh.found == at_root
    assert both()[0] is remembered  # nothing changed: the remembered answer itself
    beside = _write(repo, "deploy/w.yaml", worker)  # a file appears where it is looked for first
    remembered, fresh = both()
    assert remembered == fresh and fresh.found == beside
    beside.unlink()
    os.symlink(outside, beside)  # a link out of the root, where it was looked for first: not followed
    remembered, fresh = both()
    assert remembered == fresh and fresh.found == at_root
    beside.unlink()
    at_root.unlink()
    os.symlink(outside, at_root)  # the file found is now a link out of the root
    remembered, fresh = both()
    assert remembered == fresh and (fresh.found, fresh.outside, fresh.via_symlink) == (None, at_root, outside)
    at_root.unlink()
    remembered, fresh = both()
    assert remembered == fresh and fresh.found is None
    # the folder of the file found becomes a link: the file's one name is where the link leads
    (repo / "inner").mkdir()
    _write(repo, "inner/w.yaml", worker)
    first = where.resolve("inner/w.yaml", {})
    (repo / "inner" / "w.yaml").unlink()
    (repo / "inner").rmdir()
    (repo / "real").mkdir()
    _write(repo, "real/w.yaml", worker)
    os.symlink(repo / "real", repo / "inner")
    then = where.resolve("inner/w.yaml", {})
    assert then == bundle.resolve_file("inner/w.yaml", where.directory, where.root, where.searched, where.real_root)
    assert (first.real, then.real) == (repo / "inner" / "w.yaml", repo / "real" / "w.yaml")
