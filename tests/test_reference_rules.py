"""The reference's rules hold for every resource type, not only Workers and Bundles."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli
from linting import lint_text

from worker_lint.core.settings import Settings

_NAME_RULE = (
    "is not a valid resource name: use lower-case letters, digits and '-', start and end with a letter or"
    " digit, at most 48 characters"
)


def _rows(text: str) -> list[tuple[int, int, str, str, str]]:
    return [
        (d.span.line, d.span.column, d.severity.value, d.code, d.message)
        for d in lint_text(textwrap.dedent(text), "manifest.yaml", Settings())
    ]


@pytest.mark.parametrize("kind", ["workflow", "service", "secret", "policy", "lakehouse", "monitor"])
def test_name_rule_on_every_type(kind: str) -> None:
    # "alpha numeric values with the RegEx [a-z0-9]([-a-z0-9]*[a-z0-9]) ... less than or equal to 48 characters"
    body = "dag: [{name: s}]" if kind == "workflow" else "a: 1"
    rows = _rows(f"name: Orders-Job\nversion: v1\ntype: {kind}\n{kind}:\n  {body}\n")
    assert [(r[0], r[1], r[3]) for r in rows] == [(1, 7, "WL106")]
    long_name = "a" * 49
    rows = _rows(f"name: {long_name}\nversion: v1\ntype: service\nservice:\n  a: 1\n")
    assert [r[4] for r in rows] == [f"`{long_name}` {_NAME_RULE}"]


@pytest.mark.parametrize("kind", ["depot", "cluster"])
def test_cluster_and_depot_names_have_no_hyphen(kind: str) -> None:
    # "names of cluster & depot have a different RegEx [a-z]([a-z0-9]*); a hyphen/dash is not allowed"
    assert _rows(f"name: abfssdepot\nversion: v1\ntype: {kind}\n{kind}:\n  a: 1\n") == []
    assert _rows(f"name: abfss-depot\nversion: v1\ntype: {kind}\n{kind}:\n  a: 1\n") == [
        (
            1,
            7,
            "error",
            "WL106",
            "`abfss-depot` is not a valid Cluster or Depot name: use lower-case letters and"
            " digits, starting with a letter, no '-', at most 48 characters",
        )
    ]


def test_inline_workflow_in_a_bundle_gets_the_meta_rules() -> None:
    rows = _rows("""\
        version: v2alpha
        name: test-worker-sleep
        type: bundle
        bundle:
          resources:
            - id: verify-sleep-worker
              workspace: public
              spec:
                version: v2alpha
                name: Verify_Sleep_Worker
                type: workflow
                spec:
                  dag: []
        """)
    assert [(r[0], r[3]) for r in rows] == [(10, "WL106"), (13, "WL105")]
    assert rows[1][4] == (
        '`spec.dag` is empty; a Workflow needs at least one step (`dataos-ctl`: "length of workflow'
        ' dag should be greater than 0")'
    )


@pytest.mark.parametrize("kind", ["workflow", "service", "depot", "secret", "volume"])
def test_the_body_section_named_after_the_type_is_mandatory(kind: str) -> None:
    name = "orders" if kind == "depot" else "orders-job"
    label = kind.title()
    assert _rows(f"name: {name}\nversion: v1\ntype: {kind}\n") == [
        (
            1,
            1,
            "error",
            "WL101",
            f"missing required field `{kind}`; a {label} keeps its body under `{kind}:` (`spec:` in v2-era manifests)",
        )
    ]
    # v2-era manifests keep the body under `spec:`
    body = "dag: [{name: s}]" if kind == "workflow" else "a: 1"
    assert _rows(f"name: {name}\nversion: v2alpha\ntype: {kind}\nspec:\n  {body}\n") == []


def test_workflow_dag_must_not_be_missing_or_empty() -> None:
    assert _rows("name: wf\nversion: v1\ntype: workflow\nworkflow:\n  title: x\n") == [
        (
            4,
            1,
            "error",
            "WL101",
            "missing required field `dag` in `workflow`; a Workflow runs the steps of its dag, and"
            " `dataos-ctl` refuses a Workflow without one",
        )
    ]
    assert [r[3] for r in _rows("name: wf\nversion: v1\ntype: workflow\nworkflow:\n  dag:\n")] == ["WL105"]


@pytest.mark.parametrize(
    ("field", "value", "advice"),
    [
        ("envs", "{LOG_FORMAT: json}", "environment variables go in `use.projection` (`projections.envVarsTemplate`)"),
        ("secrets", "[mysecret]", "Secrets are projected through `use.projection`"),
        ("dataosSecrets", "[{name: s, workspace: public}]", "Secrets are projected through `use.projection`"),
        # said once: not "does not list; in v2alpha the v2alpha field table has no `logLevel`"
        ("logLevel", "INFO", "the stack's own configuration sets the log level"),
    ],
)
def test_v1beta_runtime_fields_in_a_v2alpha_spec_warn(field: str, value: str, advice: str) -> None:
    text = (
        "version: v2alpha\nname: sleep-worker\ntype: worker\nspec:\n  compute: runnable-default\n"
        f"  stack: container\n  {field}: {value}\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )
    assert _rows(text) == [
        (
            7,
            3,
            "warning",
            "WL110",
            f"`spec.{field}` is a v1beta Worker field that the v2alpha field table does not list; in v2alpha {advice}",
        )
    ]


def test_the_v2alpha_reference_sleep_worker_is_clean() -> None:
    worker = """\
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
          use:
            projection:
              projections:
                envVarsTemplate: |
                  WORKER_NAME: sleep-worker
        """
    assert _rows(worker) == []


def test_custom_stack_schema_is_named_by_a_path_relative_to_the_working_directory(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "echo.yaml").write_text(
        'name: echo-def\nversion: v1alpha\ntype: stack\nstack:\n  name: echo\n  version: "1.0"\n'
        '  stackSpecValueSchema:\n    jsonSchema: \'{"type": "object", "required": ["topic"]}\'\n'
        "  workerConfig:\n    configFileTemplate: x\n",
        encoding="utf-8",
    )
    (tmp_path / "worker.yaml").write_text(
        "name: echo-worker\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: echo:1.0\n  stackSpec: {}\n",
        encoding="utf-8",
    )
    run = run_cli(
        "check",
        "--format",
        "json",
        "--no-cache",
        str(tmp_path / "worker.yaml"),
        str(stacks / "echo.yaml"),
        cwd=tmp_path,
    )
    messages = [d["message"] for d in run.diagnostics]
    assert messages == [
        "missing required field `topic` in `worker.stackSpec` (schema of Stack `echo-def` in"
        f" {os.path.join('stacks', 'echo.yaml')})"
    ]


def test_every_yaml_example_of_the_reference_pages_lints_without_error(shared: Path) -> None:
    """The reference pages' examples: no error, except the placeholders of the page's syntax template.

    The Bundle example's `file:` paths point into the repository the page was
    written for, so the file-existence rule is left to the Bundle tests, which
    rebuild that layout.
    """
    import re

    blocks = []
    for page in sorted((shared / "reference").glob("*.md")):
        for match in re.finditer(r"^```yaml[^\n]*\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S):
            blocks.append((page.name, match.group(1)))
    assert len(blocks) >= 8
    errors = []
    for name, block in blocks:
        for d in lint_text(block, name, Settings()):
            if d.severity.value == "error" and d.code != "WL413" and "${{" not in (d.source_line or ""):
                errors.append((name, d.span.line, d.code, d.message))
    assert errors == []


def test_a_body_named_after_the_version_or_unknown_is_not_an_error() -> None:
    # the published `type: resource` domain definitions keep their body under `v1alpha:`
    assert (
        _rows("name: vulcan-app-domain\nversion: v1alpha\nentity: domain\ntype: resource\nv1alpha:\n  resource: {}\n")
        == []
    )
    assert _rows("name: wf\nversion: v1\ntype: workflow\nworkfow:\n  dag: [{name: a}]\n") == [
        (
            1,
            1,
            "error",
            "WL101",
            "missing required field `workflow`; a Workflow keeps its body under `workflow:`"
            " (`spec:` in v2-era manifests); `workfow:` looks like it, misspelt",
        )
    ]
