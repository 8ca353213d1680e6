"""What the DataOS documentation itself writes is never an error.

Each example is the docs' own text (dataos.info v1 Worker and Bundle pages,
the manifest reference, the v2 pages), shortened to the part in question.
Where the docs contradict each other, both forms are accepted, at most with a
warning naming the form to prefer.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import run_cli
from linting import lint_text

from worker_lint.core.settings import Settings


def _rows(text: str, path: str = "manifest.yaml") -> list[tuple[int, int, str, str, str]]:
    return [
        (d.span.line, d.span.column, d.severity.value, d.code, d.message)
        for d in lint_text(textwrap.dedent(text), path, Settings())
    ]


def test_high_availability_config_with_tags_and_replicas_as_the_worker_page_shows() -> None:
    # docs/examples/resources/worker/manifest_reference.yml, values filled in
    assert (
        _rows("""\
        name: bento-worker-sample
        version: v1beta
        type: worker
        worker:
          tags:
            - worker
          highAvailabilityConfig:
            level: hostname                                            # Options: hostname | zone | region
            mode: preferred                                            # Options: preferred | required
            tags:
              - worker
            replicas: 2
          replicas: 2
          stack: bento-worker:3.0
          compute: runnable-default
          stackSpec:
            input:
              generate: {mapping: 'root = "tick"'}
        """)
        == []
    )


def test_high_availability_config_values_are_still_checked() -> None:
    rows = _rows("""\
        name: bento-worker-sample
        version: v1beta
        type: worker
        worker:
          highAvailabilityConfig:
            level: host
            replicas: 0
          stack: bento-worker:3.0
          compute: runnable-default
          stackSpec: {input: {}}
        """)
    assert [(line, code) for line, _, _, code, _ in rows] == [(6, "WL104"), (7, "WL105")]


_BUNDLE_HEAD = """\
version: v1beta
name: sample-bundle
type: bundle
bundle:
  resources:
    - id: depot
      spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
    - id: policy
      spec: {name: read, version: v1, type: policy, policy: {}}
      dependencies: [depot]
      dependencyConditions:
        - resourceId: depot
"""


@pytest.mark.parametrize("runtime", ["succeeded", "running", "running:2", "5m", "1h30m"])
def test_runtime_condition_as_a_plain_string(runtime: str) -> None:
    # the Bundle page: runtime is "string or time duration format", example `runtime: succeeded`
    assert _rows(_BUNDLE_HEAD + f"          runtime: {runtime}\n") == []


def test_runtime_condition_string_that_can_never_hold_is_a_warning() -> None:
    assert _rows(_BUNDLE_HEAD + "          runtime: runing\n") == [
        (
            13,
            20,
            "warning",
            "WL406",
            "`runing` is never a resource runtime, so this condition can never be met;"
            " runtime values are `running`, `running:N`, `succeeded`, `failed`; did you"
            " mean `running`?; or a duration such as `5m`",
        )
    ]


def test_status_contains_as_the_bundle_page_writes_it() -> None:
    # docs/resources/bundle/templates/bundle_dependencies.md
    assert _rows(_BUNDLE_HEAD + "          status:\n            contains: [error, warning]\n") == []


def test_status_is_still_checked() -> None:
    assert [r[3] for r in _rows(_BUNDLE_HEAD + "          status:\n            is: [actve]\n")] == ["WL405"]


def test_schedule_create_as_one_mapping_is_a_warning_naming_the_list_form() -> None:
    # docs/resources/bundle/index.md and bundle template 3 write `create: {cron: ...}`
    text = """\
        version: v1alpha
        name: dataosbundlejobsv14
        type: bundle
        bundle:
          schedule:
            initialState: create
            timezone: Asia/Kolkata
            create:
             cron: '*/12 * * * *'
            delete:
              - cron: '0 1 * * *'
          resources:
            - id: depot
              spec: {name: orders, version: v1, type: depot, depot: {type: s3}}
        """
    assert _rows(text) == [
        (
            8,
            5,
            "warning",
            "WL418",
            "`create:` is one `cron:` mapping; the Bundle configuration page writes it as a"
            " list: `create:` then `- cron: ...`",
        )
    ]
    broken = text.replace("'*/12 * * * *'", "'61 * * * *'")
    assert [r[3] for r in _rows(broken)] == ["WL418", "WL412"]


def test_volume_mounts_without_name_or_directory() -> None:
    # the docs mark no field of `dataosVolumes[]` or `persistentVolume` mandatory
    assert (
        _rows("""\
        name: volume-worker
        version: v1beta
        type: worker
        worker:
          stack: container
          compute: runnable-default
          dataosVolumes:
            - name: shared
            - directory: /data
              readOnly: true
          persistentVolume:
            name: persistent
          stackSpec:
            image: docker.io/library/alpine:3.20
        """)
        == []
    )


@pytest.mark.parametrize("key", ["toolbox", "alpha"])
def test_toolbox_and_alpha_sections_are_deprecated_not_unknown(key: str) -> None:
    # "Attributes named flare/bento/toolbox/beacon/scanner/alpha has been deprecated and will be removed"
    assert _rows(f"""\
        name: legacy-worker
        version: v1beta
        type: worker
        worker:
          stack: container
          compute: runnable-default
          {key}:
            image: docker.io/library/alpine:3.20
        """) == [
        (7, 3, "warning", "WL123", f"`{key}:` under `worker:` is deprecated; move its contents to `stackSpec:`")
    ]


@pytest.mark.parametrize("kind", ["workflow", "service", "depot", "policy", "operator", "lens"])
def test_v1beta1_on_other_resources(kind: str) -> None:
    name = "orders" if kind == "depot" else "orders-job"
    body = "dag: [{name: step}]" if kind == "workflow" else "a: 1"
    assert _rows(f"name: {name}\nversion: v1beta1\ntype: {kind}\n{kind}:\n  {body}\n") == []


def test_a_version_of_no_dataos_form_is_an_error() -> None:
    assert _rows("name: orders-job\nversion: '1.0'\ntype: workflow\nworkflow:\n  dag: [{name: a}]\n") == [
        (2, 10, "error", "WL104", "`1.0` is not a DataOS manifest version; use `v1`, `v1beta`, `v1alpha` or `v2alpha`")
    ]


def test_upper_case_stack_name_as_dataos_ctl_lists_it() -> None:
    # `dataos-ctl develop stack versions` in the docs lists `Lakesearch 2.0`
    from worker_lint.dataos.stack_ref import StackRef, parse_stack_ref, stack_ref_problem

    assert stack_ref_problem("Lakesearch:2.0") is None
    assert parse_stack_ref("Lakesearch:2.0") == StackRef("lakesearch", None, "2.0")
    text = (
        "name: relay\nversion: v1beta\ntype: worker\nworker:\n  stack: Bento\n  compute: runnable-default\n"
        "  stackSpec:\n    input: {generate: {mapping: 'root = 1'}}\n"
    )
    assert _rows(text) == []


# --- Bundle `file:` paths ----------------------------------------------------------------------------

_WORKER = (
    "name: sleep-worker\nversion: v2alpha\ntype: worker\nspec:\n  compute: runnable-default\n"
    "  stack: container\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
)


def _monorepo(tmp_path: Path, file_value: str) -> Path:
    """A monorepo with one folder per data product, applied from that folder (`dataos-ctl` is run there)."""
    (tmp_path / ".git").mkdir()
    product = tmp_path / "clickstream"
    (product / "deploy").mkdir(parents=True)
    (product / "deploy" / "worker.yaml").write_text(_WORKER, encoding="utf-8")
    (product / "deploy" / "bundle.yaml").write_text(
        "version: v2alpha\nname: clickstream\ntype: bundle\nbundle:\n  resources:\n    - id: w\n"
        f"      workspace: public\n      file: {file_value}\n",
        encoding="utf-8",
    )
    return product


def test_bundle_file_resolved_from_the_working_directory(tmp_path: Path) -> None:
    product = _monorepo(tmp_path, "deploy/worker.yaml")
    run = run_cli("check", "--format", "json", "--no-cache", "deploy/bundle.yaml", cwd=product)
    assert run.diagnostics == []


def test_bundle_file_not_found_lists_every_place_looked(tmp_path: Path) -> None:
    product = _monorepo(tmp_path, "build/worker.yaml")
    run = run_cli("check", "--format", "json", "--no-cache", "deploy/bundle.yaml", cwd=product)
    # one place is outside the working directory: all are named from the project root, the same from everywhere
    message = (
        "`build/worker.yaml` was not found; looked for `clickstream/deploy/build/worker.yaml` (beside the Bundle),"
        " `clickstream/build/worker.yaml` (from the working directory) and `build/worker.yaml` (at the project root)"
    )
    assert [(d["line"], d["code"], d["message"]) for d in run.diagnostics] == [(8, "WL413", message)]
    # a configured root that is not the marked project root is one more place
    (tmp_path / "clickstream" / ".worker-lint.yaml").write_text("root: ..\n", encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "deploy/bundle.yaml", cwd=product)
    assert [d["message"] for d in run.diagnostics] == [message]


def test_apply_time_variables_in_file_and_dependencies() -> None:
    # the README: `$UPPER_CASE` is accepted everywhere
    assert (
        _rows("""\
        version: v1beta
        name: sample-bundle
        type: bundle
        bundle:
          resources:
            - id: first
              workspace: public
              file: $DIR/worker.yaml
            - id: second
              workspace: public
              file: ${DIR}/other.yaml
              dependencies: [$FIRST]
              dependencyConditions:
                - resourceId: $FIRST
                  status: {is: [active]}
        """)
        == []
    )


def test_a_project_root_outside_the_working_directory_is_named_in_full(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    product = _monorepo(tmp_path / "repo", "../../../elsewhere.yaml")
    (tmp_path / "elsewhere.yaml").write_text(_WORKER, encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "deploy/bundle.yaml", cwd=product)
    assert [(d["code"], d["message"]) for d in run.diagnostics] == [
        (
            "WL414",
            f"`../../../elsewhere.yaml` is outside the project root `{tmp_path / 'repo'}`; it was not followed or"
            " checked",
        )
    ]
