"""Which documents are DataOS resources: the shape decides, not an exact `type: worker` line.

The reference: "`type` | Resource type. Use `worker`. | Yes", and every type it
lists is lower case.  A manifest whose `type` is capitalised, misspelt or missing
is still a manifest, and a broken one must be reported; any other YAML file
(Kubernetes objects, CI files, compose files, the YAML of installed packages)
stays silent.
"""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path

import pytest
from conftest import require_shared, run_cli
from linting import lint_text

from worker_lint.dataos import resource
from worker_lint.dataos.resource import DATAOS_TYPES, RESOURCE_TYPES, Recognised, classify, file_kinds

#: the v1 Worker of the docs' `first_steps.md`, shortened to what these tests need
_WORKER = """\
name: bento-worker-sample
version: v1beta
type: {type}
tags:
  - worker
worker:
  compute: runnable-default
  stack: bento
  stackSpec:
    input:
      http_server:
        path: /events
"""


def _lint(text: str) -> list[tuple[int, int, str, str]]:
    return [(d.span.line, d.span.column, d.code, d.message) for d in lint_text(text, "worker.yaml")]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("Worker", "`Worker` is not a DataOS resource type; did you mean `worker`? Resource types are lower case"),
        ("WORKER", "`WORKER` is not a DataOS resource type; did you mean `worker`? Resource types are lower case"),
        ("workers", "`workers` is not a DataOS resource type; did you mean `worker`?"),
        ("wroker", "`wroker` is not a DataOS resource type; did you mean `worker`?"),
        (
            "application",
            "`application` is not a DataOS resource type; the `worker:` section says it is a Worker:"
            " use `type: worker`",
        ),
    ],
)
def test_wrong_type_is_an_error_at_its_value(written: str, message: str) -> None:
    assert _lint(_WORKER.format(type=written)) == [(3, 7, "WL104", message)]


def test_missing_type_is_a_missing_required_field_and_the_rest_is_still_checked() -> None:
    text = _WORKER.replace("type: {type}\n", "").replace("bento-worker-sample", "Bento_Worker")
    assert _lint(text) == [
        (1, 1, "WL101", "missing required field `type`; its `worker:` section says it is a Worker: add `type: worker`"),
        (
            1,
            7,
            "WL106",
            "`Bento_Worker` is not a valid resource name: use lower-case letters, digits and '-', start"
            " and end with a letter or digit, at most 48 characters",
        ),
    ]


def test_wrong_type_and_a_syntax_error_in_one_file_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "worker.yaml"
    path.write_text(_WORKER.format(type="Worker") + "  replicas: [1\n", encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", str(path), cwd=tmp_path)
    assert run.returncode == 1
    assert [(d["line"], d["code"]) for d in run.diagnostics] == [(14, "WL001")]


@pytest.mark.parametrize(
    "text",
    [
        # a byte order mark before line 1
        "\ufeff" + _WORKER.format(type="worker") + "  replicas: [1\n",
        # a quoted key
        _WORKER.format(type="worker").replace("type:", '"type":') + "  replicas: [1\n",
        # `type :`
        _WORKER.format(type="worker").replace("type:", "type :") + "  replicas: [1\n",
        # a tag on the value
        _WORKER.format(type="!!str worker") + "  replicas: [1\n",
        # JSON style, broken
        '{\n  "name": "bento-worker-sample",\n  "version": "v1beta",\n  "type": "worker",\n  "worker": {"compute": [}\n}\n',
        # JSON style on one line, broken
        '{"name": "bento-worker-sample", "version": "v1beta", "type": "worker", "worker": [}\n',
    ],
)
def test_a_broken_manifest_is_reported_however_its_type_line_is_written(text: str) -> None:
    codes = [code for _, _, code, _ in _lint(text)]
    assert codes and set(codes) <= {"WL001"}, codes


def test_a_broken_yaml_file_that_is_no_manifest_stays_silent() -> None:
    assert _lint("jobs:\n  build:\n    type: worker\n    steps: [\n") == []
    assert _lint("apiVersion: v1\nkind: Service\nmetadata: {name: [x}\n") == []


def test_inline_bundle_item_with_a_capitalised_type_is_checked() -> None:
    text = """\
version: v1beta
name: sample-bundle
type: bundle
bundle:
  resources:
    - id: relay
      workspace: public
      spec:
        name: Relay
        version: v1beta
        type: Worker
        worker:
          compute: runnable-default
          stack: bento
          stackSpec:
            input: {}
"""
    assert _lint(text) == [
        (
            9,
            15,
            "WL106",
            "`Relay` is not a valid resource name: use lower-case letters, digits and '-', start and"
            " end with a letter or digit, at most 48 characters",
        ),
        (
            11,
            15,
            "WL104",
            "`Worker` is not a DataOS resource type; did you mean `worker`? Resource types are lower case",
        ),
    ]


def test_bundle_file_pointing_at_a_capitalised_worker_lints_that_worker(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "worker.yaml").write_text(_WORKER.format(type="Worker"), encoding="utf-8")
    (tmp_path / "bundle.yaml").write_text(
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      workspace: public\n"
        "      file: worker.yaml\n",
        encoding="utf-8",
    )
    run = run_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path)
    assert [(d["path"], d["line"], d["code"]) for d in run.diagnostics] == [("worker.yaml", 3, "WL104")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "a", "version": "v1beta", "type": "worker"}, Recognised("worker", "v1beta")),
        ({"name": "a", "type": "workflow"}, Recognised("workflow", None)),
        ({"name": "a", "version": "v1beta", "type": "Worker"}, Recognised("worker", "v1beta")),
        ({"name": "a", "version": "v1beta1", "type": "Workflow"}, Recognised("workflow", "v1beta1")),
        ({"name": "a", "version": "v1", "bundle": {}}, Recognised("bundle", "v1")),
        ({"name": "a", "version": "v2alpha", "spec": {}}, Recognised("", "v2alpha")),
        # not the shape of a DataOS resource
        ({"type": "worker"}, None),
        ({"name": "a", "version": "3.8", "services": {}}, None),  # compose
        ({"name": "a", "version": "1.0.2", "type": "Worker"}, None),  # not a DataOS version
        ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"type": "ClusterIP"}}, None),
        ({"name": "chart", "version": "v1", "type": "application"}, None),
        (["type", "worker"], None),
    ],
)
def test_classify(data: object, expected: Recognised | None) -> None:
    assert classify(data) == expected


def test_one_table_of_resource_types() -> None:
    from worker_lint.dataos import bundle, schema

    assert {t for t, info in RESOURCE_TYPES.items() if info.level == "workspace"} == bundle.WORKSPACE_LEVEL
    assert {t for t, info in RESOURCE_TYPES.items() if info.level == "instance"} == bundle.INSTANCE_LEVEL
    assert {info.checked for info in RESOURCE_TYPES.values()} == {resource.BODY, resource.META, resource.NAME}
    # the schemas check a Worker's body in the section the table gives each version
    assert schema.worker_versions() == RESOURCE_TYPES["worker"].bodies == {"v1beta": "worker", "v2alpha": "spec"}
    for version, name in schema.index()["worker"].items():
        assert RESOURCE_TYPES["worker"].bodies[version] in schema.load(name)["required"]
    # the Data Product spec keeps its body under its version
    assert RESOURCE_TYPES["data"].bodies == {"v1alpha": "v1alpha", "v1beta": "v1beta"}


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ({"version": "v1beta", "worker": {}}, "worker"),
        ({"version": "v2alpha", "spec": {}}, "spec"),
        # the section of its version wins over a stray one of the other version
        ({"version": "v2alpha", "worker": {}, "spec": {}}, "spec"),
        ({"version": "v1beta", "worker": {}, "spec": {}}, "worker"),
        # the other version's section is still where the body is read
        ({"version": "v1beta", "spec": {}}, "spec"),
        ({"version": "v2alpha", "worker": {}}, "worker"),
        ({"version": "v3"}, "worker"),
        ({"version": "v2alpha"}, "spec"),
    ],
)
def test_one_answer_to_which_section_holds_the_body(data: dict[str, object], body: str) -> None:
    from worker_lint.lsp import navigate

    document = {"name": "a", "type": "worker", **data}
    assert resource.body_key(document, "worker", document["version"]) == body  # type: ignore[arg-type]
    assert navigate._body_key(document, "worker") == body
    # the editor's outline shows the body's sections under the section the checks read
    text = "".join(
        f"{key}: {value if not isinstance(value, dict) else '{replicas: 1}'}\n" for key, value in document.items()
    )
    outline = {
        symbol.name: [child.name for child in symbol.children] for symbol in navigate.symbols(navigate.parsed(text))
    }
    assert all(children == ([] if name != body else ["replicas"]) for name, children in outline.items())


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("name: a\nversion: v1beta\ntype: bundle\nbundle:\n  resources: []\n", {"bundle"}),
        ("name: a\nversion: v1\ntype: Workflow\nworkflow:\n  dag: []\n", {"workflow"}),
        ('{"name": "a", "version": "v1", "type": "workflow", "workflow": {}}\n', {"workflow"}),
        ("name: a\nversion: v1beta\ntype: worker\nworker:\n  stack: bento\n", set()),
        # a `type: bundle` line alone is no manifest
        ("jobs:\n  test:\n    type: bundle\n", set()),
    ],
)
def test_the_language_server_asks_the_same_question(text: str, kinds: set[str]) -> None:
    """Which documents offer ids and steps to complete: the server's question, answered by the run's function."""
    from worker_lint.lsp import server

    assert file_kinds(text, server._NAMED_TYPES) == kinds


def test_a_tab_indented_body_fragment_reports_its_syntax_error(tmp_path: Path) -> None:
    """A body section alone (`operator:`), indented with tabs: the platform's parser refuses it, so do we."""
    (tmp_path / "operator.yaml").write_text(
        "operator:\n\tcomponents:\n\t\t- name: adf-pipeline\n\t\t  type: worker\n", encoding="utf-8"
    )
    # the same keys in a file that parses, and a broken file whose only key is no body section: silent
    (tmp_path / "fragment.yaml").write_text("operator:\n  components: []\n", encoding="utf-8")
    (tmp_path / "other.yaml").write_text("server:\n\tport: 80\n", encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert [
        (d["path"], d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["message"])
        for d in run.diagnostics
    ] == [("operator.yaml", 2, 1, 2, 2, "WL001", "a tab character cannot indent YAML; indent with spaces")]


@pytest.mark.parametrize(
    ("text", "kinds", "certain"),
    [
        ("name: a\nversion: v1beta\ntype: bundle\nbundle:\n  resources: []\n", {"bundle"}, True),
        ('name: a\nversion: v1beta\n"type": "bundle"\nbundle: {}\n', {"bundle"}, False),
        ("name: a\nversion: v1beta\ntype : Bundle\n", {"bundle"}, True),
        ("name: a\nversion: v1alpha\ntype: !!str stack\n", {"stack"}, False),
        ('{"name": "a", "version": "v1alpha", "type": "stack"}\n', {"stack"}, False),
        ("name: a\nversion: v1\ntype: &t bundle\n---\nname: b\nversion: v1\ntype: *t\n", {"bundle"}, False),
        ("\ufeffname: a\nversion: v1beta\ntype: stack\n", {"stack"}, True),
        ("  name: a\n  version: v1beta\n  type: bundle\n", {"bundle"}, False),
        ("jobs:\n  test:\n    type: bundle\n", set(), True),
        # a quoted value running over lines is read by a parse, not taken line by line
        ('name: a\nversion: v1\ndescription: "x\ntype: bundle"\ntype: worker\n', {"worker"}, False),
        ("- name: a\n  version: v1\n  type: bundle\n", set(), True),
        ("--- !!map\nname: a\nversion: v1\ntype: bundle\n", {"bundle"}, False),
    ],
)
def test_the_run_finds_bundles_and_stacks_however_written(text: str, kinds: set[str], certain: bool) -> None:
    assert file_kinds(text.encode("utf-8"), DATAOS_TYPES) == kinds == file_kinds(text, DATAOS_TYPES)
    assert (resource._scan_block(text) is not None) is certain


def test_a_json_style_bundle_is_never_taken_from_the_cache(tmp_path: Path) -> None:
    """A Bundle's result depends on the files it names: however it is written, it is linted again."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "worker.yaml").write_text(_WORKER.format(type="worker"), encoding="utf-8")
    (tmp_path / "bundle.yaml").write_text(
        '{"version": "v1beta", "name": "b", "type": "bundle",\n "bundle": {"resources": [\n'
        '  {"id": "w", "workspace": "public", "file": "worker.yaml"}]}}\n',
        encoding="utf-8",
    )
    args = ("check", "--format", "json", "--cache-dir", str(tmp_path / "cache"), "bundle.yaml")
    assert run_cli(*args, cwd=tmp_path).diagnostics == []
    (tmp_path / "worker.yaml").unlink()
    assert [d["code"] for d in run_cli(*args, cwd=tmp_path).diagnostics] == ["WL413"]


def test_a_tagged_stack_definition_is_found_before_the_workers_that_use_it(tmp_path: Path) -> None:
    (tmp_path / "a-worker.yaml").write_text(
        "name: echo-worker\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n"
        "  stack: echo:1.0\n  stackSpec: {}\n",
        encoding="utf-8",
    )
    (tmp_path / "z-stack.yaml").write_text(
        'name: echo-def\nversion: v1alpha\ntype: !!str stack\nstack:\n  name: echo\n  version: "1.0"\n'
        '  stackSpecValueSchema:\n    jsonSchema: \'{"type": "object", "required": ["topic"]}\'\n'
        "  workerConfig:\n    configFileTemplate: x\n",
        encoding="utf-8",
    )
    run = run_cli("check", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert [(d["path"], d["code"], d["message"]) for d in run.diagnostics] == [
        (
            "a-worker.yaml",
            "WL101",
            "missing required field `topic` in `worker.stackSpec` (schema of Stack `echo-def` in z-stack.yaml)",
        )
    ]


# --- the non-DataOS corpus --------------------------------------------------------------------------

#: places on a machine that hold YAML of installed software: none of it is a DataOS manifest
_NON_DATAOS_GLOBS = (
    os.path.join(sys.prefix, "lib", "python3*", "site-packages", "**", "*.y*ml"),
    os.path.join(sys.base_prefix, "lib", "python3*", "**", "*.y*ml"),
    "/usr/lib/python3*/**/*.y*ml",
    "/usr/local/lib/python3*/**/*.y*ml",
    "/usr/lib/google-cloud-sdk/**/*.y*ml",
    "/usr/share/**/*.y*ml",
    "/usr/lib/node_modules/**/*.y*ml",
    "/opt/**/*.y*ml",
    "/etc/**/*.y*ml",
)
_MINIMUM = 500


def _non_dataos_yaml() -> list[str]:
    found: set[str] = set()
    for pattern in _NON_DATAOS_GLOBS:
        for path in glob.iglob(pattern, recursive=True):
            if (
                path.endswith((".yaml", ".yml"))
                and os.path.isfile(path)
                and "dataos" not in path.lower()
                and "worker" not in path.lower()
            ):
                found.add(os.path.realpath(path))
    return sorted(found)


@pytest.mark.slow
def test_yaml_of_installed_software_stays_silent(tmp_path: Path) -> None:
    files = _non_dataos_yaml()
    if len(files) < _MINIMUM:
        message = f"only {len(files)} YAML files of installed software found on this machine; {_MINIMUM} needed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # paths passed by argument, in chunks small enough for any command line
    diagnostics = []
    for start in range(0, len(files), 2000):
        run = run_cli(
            "check", "--isolated", "--no-cache", "--format", "json", *files[start : start + 2000], cwd=tmp_path
        )
        assert "Traceback" not in run.stderr
        diagnostics.extend(run.diagnostics)
    assert [(d["path"], d["line"], d["code"], d["message"]) for d in diagnostics] == []


def test_the_reference_coverage_lists_every_resource_type() -> None:
    """docs/reference-coverage.md's resource-type rows say what the table in `dataos/resource.py` says."""
    how = {
        resource.BODY: "its body, field by field",
        resource.META: "its meta section, and that its body section is there",
        resource.NAME: "its name; its meta section as every resource's",
    }
    table = (Path(__file__).resolve().parents[1] / "docs" / "reference-coverage.md").read_text(encoding="utf-8")
    rows = {
        cells[0]: cells[1:5]
        for line in table.splitlines()
        if line.startswith("| `type: ")
        for cells in [[cell.strip() for cell in line.split(" | ")]]
    }
    expected = {
        f"| `type: {kind}`": [
            info.page.removeprefix("docs/") or "the `dataos-ctl` type list (no reference page)",
            "; ".join(f"{version}: `{body}:`" for version, body in info.bodies.items()) or "not documented",
            info.level or "not documented",
            how[info.checked],
        ]
        for kind, info in RESOURCE_TYPES.items()
    }
    assert rows == expected


_CRAFTED = [
    "TYPE: Bundle\n",
    "name: x\n  type: STACK\n",
    "Stack:\n  x: 1\n",
    "\r\ntype: data\r\n",
    "{type: worker}\n",
    "  'quoted': 1\n",
    "name: w\ntype: worker\nworker:\n  stack: container\n",
    "# type: bundle\n",
    "version: v1\ntype : Datum\n",
    "",
]


def test_the_survey_reads_bytes_as_it_reads_text() -> None:
    """The survey looks at a file's bytes (lower-cased, each line after a break), the language server at a
    text (a case-insensitive search of every line start): both readings say the same of every file."""
    text_pattern, bytes_pattern = resource._may_hold(resource.SURVEYED)
    files = sorted(require_shared("corpus", "dataos").glob("*.yaml"))
    files += sorted(require_shared("corpus", "dataos-docs").glob("*"))
    texts = [*_CRAFTED, *(path.read_text(encoding="utf-8", errors="replace") for path in files if path.is_file())]
    ascii_texts = [text for text in texts if text.isascii()]  # `(?i)` folds more than ASCII in a text
    assert len(ascii_texts) > 900
    differ = [
        text[:60]
        for text in ascii_texts
        if bool(text_pattern.search(text)) != resource._may_hold_bytes(bytes_pattern, text.encode("ascii"))
    ]
    assert differ == []
    assert [bool(text_pattern.search(text)) for text in _CRAFTED] == [True] * 5 + [False] * 5
