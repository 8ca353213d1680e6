"""Organisation policies (`policies:` in the configuration): declared, validated, evaluated, reported as rules are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

pytest.importorskip("cel_expr_python", reason="policies evaluate CEL with the `policies` extra")

#: the issue's example: a team tag, at most three replicas, the production compute under prod/
POLICIES = """\
policies:
  - code: ORG001
    name: team-tag
    message: every Worker carries a `team:` tag
    severity: error
    types: [worker]
    require: 'has(resource.tags) && resource.tags.exists(t, t.startsWith("team:"))'
    at: tags
  - code: ORG002
    message: at most 3 replicas
    severity: warning
    types: [worker]
    schema:
      properties:
        worker:
          properties:
            replicas: {maximum: 3}
  - code: ORG003
    name: prod-compute
    message: production Workers run on the production compute
    types: [worker]
    files: ["prod/**"]
    require: 'has(resource.worker.compute) && resource.worker.compute == "runnable-prod"'
    at: worker.compute
"""

#: breaks all three: no team tag (tags at 4:1), five replicas (8:13), the default compute (9:3)
WORKER = """\
version: v1beta
name: orders-relay
type: worker
tags:
  - orders
workspace: public
worker:
  replicas: 5
  compute: runnable-default
  stack: container
  stackSpec:
    image: docker.io/library/alpine:3.20
"""

#: meets all three
GOOD_WORKER = (
    WORKER.replace("  - orders\n", "  - orders\n  - team:payments\n")
    .replace("replicas: 5", "replicas: 2")
    .replace("runnable-default", "runnable-prod")
)

#: a Bundle with no team tag, whose inlined Worker breaks every policy: the policies judge documents
BUNDLE = """\
version: v1beta
name: orders
type: bundle
tags: [orders]
bundle:
  resources:
    - id: relay
      workspace: public
      spec:
        version: v1beta
        name: inner
        type: worker
        worker:
          replicas: 9
          compute: runnable-default
          stack: container
          stackSpec:
            image: docker.io/library/alpine:3.20
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def org_rows(result) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (d["path"], d["line"], d["column"], d["severity"], d["code"], d["message"])
        for d in result.diagnostics
        if not d["code"].startswith("WL")
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".worker-lint.yaml", POLICIES)
    write(tmp_path / "prod" / "relay.yaml", WORKER)
    write(tmp_path / "dev" / "relay.yaml", WORKER)
    write(tmp_path / "prod" / "good.yaml", GOOD_WORKER)
    write(tmp_path / "prod" / "bundle.yaml", BUNDLE)
    return tmp_path


def test_the_issue_example_reports_each_policy_where_it_should(project: Path):
    result = run_cli("check", "--format", "json", "--no-cache", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert org_rows(result) == [
        ("dev/relay.yaml", 4, 1, "error", "ORG001", "every Worker carries a `team:` tag"),
        ("dev/relay.yaml", 8, 13, "warning", "ORG002", "at most 3 replicas: 5 is greater than the maximum of 3"),
        ("prod/relay.yaml", 4, 1, "error", "ORG001", "every Worker carries a `team:` tag"),
        ("prod/relay.yaml", 8, 13, "warning", "ORG002", "at most 3 replicas: 5 is greater than the maximum of 3"),
        ("prod/relay.yaml", 9, 3, "error", "ORG003", "production Workers run on the production compute"),
    ]
    names = {d["code"]: d["name"] for d in result.diagnostics}
    assert (names["ORG001"], names["ORG002"], names["ORG003"]) == ("team-tag", "ORG002", "prod-compute")


def test_text_report_shows_a_policy_as_a_rule(project: Path):
    result = run_cli("check", "--no-cache", "prod/relay.yaml", cwd=project)
    assert "prod/relay.yaml:4:1: error ORG001 every Worker carries a `team:` tag" in result.stdout
    assert "prod/relay.yaml:9:3: error ORG003 production Workers run on the production compute" in result.stdout


def test_an_expression_that_errors_is_not_met_and_says_why(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / ".worker-lint.yaml",
        "policies:\n  - code: ORG010\n    message: Workers on the prod compute\n"
        "    require: 'resource.spec.compute == \"runnable-prod\"'\n",
    )
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", "w.yaml", cwd=tmp_path)
    assert org_rows(result) == [
        (
            "w.yaml",
            3,
            1,
            "error",
            "ORG010",
            "Workers on the prod compute (the requirement could not be evaluated: there is no `spec`"
            " (test it with `has()` first))",
        )
    ]


def test_when_limits_a_policy_and_a_condition_that_cannot_be_evaluated_does_not_hold(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / ".worker-lint.yaml",
        "policies:\n  - code: ORG020\n    message: container Workers name their image's registry\n"
        "    when: 'resource.worker.stack == \"container\"'\n"
        "    require: 'resource.worker.stackSpec.image.startsWith(\"registry.example.com/\")'\n"
        "    at: worker.stackSpec.image\n",
    )
    write(tmp_path / "container.yaml", WORKER)
    write(tmp_path / "bento.yaml", WORKER.replace("stack: container", "stack: bento"))
    # a v2alpha Worker has no `worker:` section: the condition errors, so the policy does not apply
    write(
        tmp_path / "v2.yaml",
        "version: v2alpha\nname: w\ntype: worker\nspec:\n  compute: runnable-default\n  stack: container\n"
        "  stackSpec:\n    image: docker.io/library/alpine:3.20\n",
    )
    result = run_cli("check", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert org_rows(result) == [
        ("container.yaml", 12, 5, "error", "ORG020", "container Workers name their image's registry")
    ]


def test_file_is_relative_to_the_declaring_configuration(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / "product" / ".worker-lint.yaml",
        "policies:\n  - code: ORG030\n    message: Workers live under workers/\n"
        "    require: 'file.startsWith(\"workers/\")'\n",
    )
    write(tmp_path / "product" / "workers" / "w.yaml", GOOD_WORKER)
    write(tmp_path / "product" / "stray" / "w.yaml", GOOD_WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert [(d["path"], d["code"]) for d in result.diagnostics] == [("product/stray/w.yaml", "ORG030")]


def test_schema_failures_point_at_each_failing_value(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / ".worker-lint.yaml",
        "policies:\n  - code: ORG040\n    message: resources are declared\n    types: [worker]\n"
        "    schema:\n      required: [description]\n      properties:\n        worker:\n"
        "          required: [resources]\n          properties:\n            replicas: {type: integer, maximum: 3}\n",
    )
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", "w.yaml", cwd=tmp_path)
    assert [(line, column, message) for _, line, column, _, _, message in org_rows(result)] == [
        (3, 1, 'resources are declared: "description" is a required property'),
        (7, 1, 'resources are declared: "resources" is a required property'),
        (8, 13, "resources are declared: 5 is greater than the maximum of 3"),
    ]


def test_pyproject_policies_work_and_their_errors_name_the_right_table(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / "pyproject.toml",
        '[tool.worker-lint]\nselect = ["ALL"]\n\n'
        '[[tool.worker-lint.policies]]\ncode = "ORG001"\nmessage = "a team tag"\nrequire = "has(resource.tags)"\n\n'
        '[[tool.worker-lint.policies]]\ncode = "ORG002"\nmessage = "at most 3 replicas"\n'
        "[tool.worker-lint.policies.schema.properties.worker.properties.replicas]\nmaximum = 3\n",
    )
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", "w.yaml", cwd=tmp_path)
    assert [(d["line"], d["column"], d["code"]) for d in result.diagnostics] == [(8, 13, "ORG002")]
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    write(
        tmp_path / "pyproject.toml",
        text.replace('require = "has(resource.tags)"', 'require = "true"').replace(
            'code = "ORG002"', 'code = "ORG002"\nrequire = "resource.tags.exists(t,"'
        ),
    )
    result = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "pyproject.toml:9:1: policy `ORG002` gives both of `require` and `schema`: give exactly one",
        "pyproject.toml:11:11: `require` of policy `ORG002` does not compile: Syntax error: mismatched input '<EOF>'"
        " expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING,"
        " BYTES, IDENTIFIER} (column 24)",
    ]


BROKEN = """\
policies:
  - code: WL901
    message: x
    require: 'true'
  - code: ORG001
    message: a
    require: 'resource.tags.exists(t, t.startsWith("team:"))'
  - code: ORG001
    message: b
    types: [wroker]
    require: 'teams(resource)'
  - code: ORG002
    message: c
    when: '1 + 1'
    schema: {type: 12}
  - code: ORG004
    message: d
"""


def test_every_policy_mistake_is_a_usage_error_at_its_line_and_column(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".worker-lint.yaml", BROKEN)
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        ".worker-lint.yaml:2:11: `WL901` is in the range of worker-lint's own rules; use another prefix such as `ORG`",
        ".worker-lint.yaml:8:11: duplicate policy code `ORG001`: policy 2 already uses it",
        ".worker-lint.yaml:10:13: `wroker` is not a DataOS resource type; did you mean `worker`?",
        ".worker-lint.yaml:11:14: `require` of policy `ORG001` does not compile: undeclared reference to 'teams'"
        " (in container '') (column 6)",
        ".worker-lint.yaml:14:11: `when` of policy `ORG002` is not a condition: it gives int, not true or false",
        ".worker-lint.yaml:15:5: `schema` of policy `ORG002` is not a valid JSON Schema at `type`: 12 is not valid"
        " under any of the schemas listed in the 'anyOf' keyword",
        ".worker-lint.yaml:16:5: policy `ORG004` gives neither of `require` and `schema`: give exactly one",
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "  - code: ORG001\n    require: 'true'\n",
            ".worker-lint.yaml:2:5: `policies[0]` has no `message`: every policy says what is wrong, as its"
            " diagnostics' message",
        ),
        (
            "  - code: org1\n    message: a\n    require: 'true'\n",
            ".worker-lint.yaml:2:11: `org1` is not a policy code: write upper-case letters then at least three"
            " digits, such as `ORG001`",
        ),
        (
            "  - code: ORG001\n    message: a\n    require: 'true'\n    colour: red\n",
            ".worker-lint.yaml:5:5: unknown key `colour`",
        ),
        (
            "  - code: ORG001\n    message: a\n    require: 'true'\n    at: worker..compute\n",
            ".worker-lint.yaml:5:9: `worker..compute` is not a dotted path into the document such as `worker.compute`",
        ),
    ],
)
def test_a_policy_of_the_wrong_shape_is_a_usage_error(tmp_path: Path, entry: str, expected: str):
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".worker-lint.yaml", "policies:\n" + entry)
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()) == (2, [expected])


def test_the_cache_key_includes_the_policies(project: Path, tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    first = run_cli("check", "--format", "json", "--cache-dir", str(cache), "dev/relay.yaml", cwd=project)
    assert [d["code"] for d in first.diagnostics if d["code"].startswith("ORG")] == ["ORG001", "ORG002"]
    config = project / ".worker-lint.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("maximum: 3", "maximum: 5"), encoding="utf-8")
    second = run_cli("check", "--format", "json", "--cache-dir", str(cache), "dev/relay.yaml", cwd=project)
    assert [d["code"] for d in second.diagnostics if d["code"].startswith("ORG")] == ["ORG001"]


def test_a_run_without_policies_imports_neither_cel_nor_pydantic(tmp_path: Path):
    import subprocess
    import sys

    write(tmp_path / "w.yaml", GOOD_WORKER)
    code = (
        "import sys; from worker_lint.cli import main\n"
        "try:\n    main(['check', '--no-cache', 'w.yaml'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('cel_expr_python', 'pydantic'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert json.loads(out.stdout.splitlines()[-1]) == []


# -- policy codes everywhere a rule code works ---------------------------------------------------------------------


def codes_of(result, prefix: str = "ORG") -> list[tuple[str, str, str]]:
    return [(d["path"], d["code"], d["severity"]) for d in result.diagnostics if d["code"].startswith(prefix)]


@pytest.mark.parametrize(
    ("added", "flags", "expected"),
    [
        # a selection that names the built-in rules only leaves the policies out, as ruff's prefixes do
        ("select: [WL1]\n", (), []),
        (
            "select: [WL1, ORG00]\n",
            (),
            [("prod/relay.yaml", "ORG001", "error"), ("prod/relay.yaml", "ORG002", "warning")],
        ),
        ("ignore: [ORG001]\nseverity: {ORG002: info}\n", (), [("prod/relay.yaml", "ORG002", "info")]),
        ("per-file-ignores:\n  'prod/*.yaml': [ORG001]\n", (), [("prod/relay.yaml", "ORG002", "warning")]),
        ("", ("--select", "ORG001"), [("prod/relay.yaml", "ORG001", "error")]),
        ("select: [WL1]\n", ("--extend-select", "ORG002"), [("prod/relay.yaml", "ORG002", "warning")]),
        ("", ("--ignore", "ORG"), []),
        (
            "severity: {ORG: warning}\n",
            ("--per-file-ignores", "prod/*:ORG002"),
            [("prod/relay.yaml", "ORG001", "warning")],
        ),
    ],
)
def test_policy_codes_select_ignore_and_take_severities(tmp_path: Path, added: str, flags: tuple[str, ...], expected):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / ".worker-lint.yaml", added + POLICIES.replace('    files: ["prod/**"]\n', '    files: ["dev/**"]\n')
    )
    write(tmp_path / "prod" / "relay.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", *flags, "prod/relay.yaml", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert codes_of(result) == expected


def test_a_configuration_selector_naming_no_declared_policy_is_a_usage_error(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".worker-lint.yaml", "ignore: [ORG004, ORX]\n" + POLICIES)
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()) == (
        2,
        [
            ".worker-lint.yaml:1:10: unknown rule code `ORG004`; did you mean `ORG003`?",
            ".worker-lint.yaml:1:18: `ORX` selects no rule",
        ],
    )


def test_inline_suppressions_cover_policy_codes_and_unused_ones_are_reported(project: Path):
    relay = project / "prod" / "relay.yaml"
    text = relay.read_text(encoding="utf-8").replace("tags:\n", "tags:  # worker-lint: disable=ORG001,ORG003\n")
    relay.write_text(text + "# worker-lint: disable-file=ORG002 -- reviewed in CHG-12\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", "prod/relay.yaml", cwd=project)
    rows = [(d["line"], d["column"], d["code"], d["message"]) for d in result.diagnostics if d["code"] != "WL101"]
    assert rows == [
        (
            4,
            38,
            "WL050",
            "`ORG003` is not reported on this line, so disabling it does nothing; remove it from the comment",
        ),
        (9, 3, "ORG003", "production Workers run on the production compute"),
    ]
    sarif = json.loads(run_cli("check", "--format", "sarif", "--no-cache", "prod/relay.yaml", cwd=project).stdout)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0].get("justification")) for r in suppressed] == [
        ("ORG001", None),
        ("ORG002", "reviewed in CHG-12"),
    ]


def test_an_unknown_policy_code_in_a_directive_is_reported(project: Path):
    relay = project / "prod" / "relay.yaml"
    relay.write_text(relay.read_text(encoding="utf-8") + "# worker-lint: disable-file=ORG009\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", "prod/relay.yaml", cwd=project)
    assert [(d["line"], d["code"], d["message"]) for d in result.diagnostics if d["code"] == "WL051"] == [
        (13, "WL051", "`ORG009` is not a worker-lint rule code")
    ]


def test_the_baseline_records_and_hides_policy_findings(project: Path):
    written = run_cli("check", "--no-cache", "--write-baseline", "baseline.json", "prod/relay.yaml", cwd=project)
    assert written.returncode == 0, written.stderr
    entries = json.loads((project / "baseline.json").read_text(encoding="utf-8"))["entries"]
    assert {e["code"] for e in entries} >= {"ORG001", "ORG002", "ORG003"}
    again = run_cli(
        "check", "--format", "json", "--no-cache", "--baseline", "baseline.json", "prod/relay.yaml", cwd=project
    )
    assert (again.returncode, again.diagnostics) == (0, [])


def test_statistics_count_policies_by_code_and_name(project: Path):
    result = run_cli("check", "--no-cache", "--statistics", "--select", "ORG", ".", cwd=project)
    assert result.stdout.splitlines()[-3:] == [
        "     2  ORG001  team-tag (error)",
        "     2  ORG002  ORG002 (warning)",
        "     1  ORG003  prod-compute (error)",
    ]


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "junit", "json"])
def test_every_report_format_carries_policy_findings(project: Path, fmt: str):
    result = run_cli("check", "--format", fmt, "--no-cache", "--select", "ORG003", "prod/relay.yaml", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "ORG003" in result.stdout
    assert "production Workers run on the production compute" in result.stdout


def test_sarif_lists_each_policy_as_a_rule_with_its_message_as_description(project: Path):
    result = run_cli("check", "--format", "sarif", "--no-cache", "prod/relay.yaml", cwd=project)
    rules = {r["id"]: r for r in json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ORG001"]["name"] == "team-tag"
    assert rules["ORG001"]["shortDescription"] == {"text": "every Worker carries a `team:` tag"}
    assert rules["ORG001"]["fullDescription"] == {"text": "every Worker carries a `team:` tag"}
    assert rules["ORG002"]["defaultConfiguration"] == {"level": "warning"}
    assert "- require: `has(resource.tags)" in rules["ORG001"]["help"]["markdown"]
    assert [code for code in rules if not code.startswith("WL")] == ["ORG001", "ORG002", "ORG003"]


def test_rules_lists_the_policies_after_the_built_in_ones(project: Path):
    listing = run_cli("rules", cwd=project).stdout.splitlines()
    assert listing[-3:] == [
        "ORG001  team-tag                           error    every Worker carries a `team:` tag  (this project's policy)",
        "ORG002  ORG002                             warning  at most 3 replicas  (this project's policy)",
        "ORG003  prod-compute                       error    production Workers run on the production compute"
        "  (this project's policy)",
    ]
    assert listing[-4].startswith("WL")
    as_json = json.loads(run_cli("rules", "--format", "json", cwd=project).stdout)
    assert as_json[-3] == {
        "code": "ORG001",
        "name": "team-tag",
        "severity": "error",
        "summary": "every Worker carries a `team:` tag",
        "policy": True,
    }


def test_explain_prints_a_policys_declaration(project: Path):
    page = run_cli("explain", "ORG003", cwd=project)
    assert page.returncode == 0, page.stderr
    assert page.stdout.splitlines() == [
        "# prod-compute (ORG003)",
        "",
        "Default severity: error.",
        "",
        "A policy of this project, declared in `.worker-lint.yaml`.",
        "",
        "- message: production Workers run on the production compute",
        "- types: worker",
        "- files: prod/**",
        '- require: `has(resource.worker.compute) && resource.worker.compute == "runnable-prod"`',
        "- at: worker.compute",
        "",
    ]
    assert run_cli("explain", "team-tag", cwd=project).stdout.startswith(
        "# team-tag (ORG001)\n\nDefault severity: error."
    )
    schema_page = run_cli("explain", "org002", cwd=project).stdout
    assert '"maximum": 3' in schema_page
    assert run_cli("explain", "ORG009", cwd=project).returncode == 2


# -- the documentation's examples ----------------------------------------------------------------------------------


def test_the_examples_folder_breaks_each_policy_where_its_comments_say():
    from conftest import ROOT

    result = run_cli("check", "--format", "json", "--no-cache", "examples/policies", cwd=ROOT)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in result.diagnostics] == [
        ("examples/policies/dev/orders-relay.yaml", 13, 3, "ORG004"),
        ("examples/policies/prod/orders-relay.yaml", 5, 1, "ORG001"),
        ("examples/policies/prod/orders-relay.yaml", 10, 13, "ORG002"),
        ("examples/policies/prod/orders-relay.yaml", 11, 3, "ORG003"),
    ]


def test_the_readme_policies_are_valid_and_report_as_shown(tmp_path: Path):
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Policies") : readme.index("## Suppressing a diagnostic")]
    blocks = re.findall(r"```yaml\n(policies:\n.+?)```", section, re.DOTALL)
    assert len(blocks) == 3
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".worker-lint.yaml", "policies:\n" + "".join(b.split("\n", 1)[1] for b in blocks))
    write(tmp_path / "prod" / "orders-relay.yaml", (ROOT / "examples/policies/prod/orders-relay.yaml").read_text())
    result = run_cli("check", "--no-cache", "--select", "ORG002", "prod/orders-relay.yaml", cwd=tmp_path)
    shown = re.search(r"```text\n(prod/orders-relay.yaml:.+?)\n```", section)
    assert shown is not None
    assert result.stdout.splitlines()[0] == shown.group(1)


def test_cel_policies_without_the_evaluator_are_left_out_saying_so_and_the_rest_still_applies(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    # where the evaluator cannot be installed (it has no build for Python 3.10), the run goes on without
    # the CEL policies, and says once which ones it left out and why
    import sys

    from worker_lint.config import policy

    monkeypatch.setitem(sys.modules, "cel_expr_python", None)  # as when it is not installed
    monkeypatch.setattr(policy, "_SAID", set())
    policy._environment.cache_clear()
    policy.compiled.cache_clear()
    try:
        result = run_cli("check", "--format", "json", "--no-cache", "prod/relay.yaml", cwd=project)
    finally:
        policy._environment.cache_clear()
        policy.compiled.cache_clear()
    assert (result.returncode, result.stderr.splitlines()) == (
        0,
        [
            f"worker-lint: warning: {project / '.worker-lint.yaml'}: ORG001, ORG003 not checked: CEL policies need"
            " the CEL evaluator (cel-expr-python, on Python 3.11 or later), which is not installed; install it"
            " with `pip install 'worker-lint[policies]'`"
        ],
    )
    assert org_rows(result) == [
        ("prod/relay.yaml", 8, 13, "warning", "ORG002", "at most 3 replicas: 5 is greater than the maximum of 3")
    ]
