"""Placeholders, apply-time variables and rendering: scanner, dotenv, render, check, corpus and CLI."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import click
import pytest
from conftest import SHARED, missing_shared
from conftest import run_cli as cli_in_process
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from linting import lint_text

from worker_lint.checks.bare_brace_placeholder import placeholders_past_syntax_error
from worker_lint.checks.context import Stream
from worker_lint.core.diagnostic import Diagnostic, Finding, Span
from worker_lint.core.settings import Settings
from worker_lint.dataos.dotenv import DotenvError, parse_dotenv
from worker_lint.dataos.templating import (
    ANGLE_PLACEHOLDER,
    APPLY_VARIABLE,
    BENTO_ENV,
    BENTO_ESCAPE,
    BENTO_FUNCTION,
    BRACE_TEMPLATE,
    DOC_PLACEHOLDER,
    LOWER_PLACEHOLDER,
    MALFORMED,
    TAG_TEMPLATE,
    bare_brace_spans,
    is_templated,
    scan,
    substitute,
)
from worker_lint.dataos.variables import load_variables, render
from worker_lint.document.parse import parse

CORPUS = SHARED / "corpus" / "dataos"
REFERENCE = SHARED / "reference" / "worker-v2alpha-reference.md"
PROJECT = Path(__file__).resolve().parents[1]
PLACEHOLDER_CODES = {"WL300", "WL301", "WL302", "WL303", "WL304", "WL305", "WL306", "WL307"}


def spans(diagnostics: list[Diagnostic], codes: set[str] | None = None) -> list[tuple[int, int, int, str]]:
    return [
        (d.span.line, d.span.column, d.span.end_column, d.code) for d in diagnostics if codes is None or d.code in codes
    ]


# --- scanner -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${{compute-resource}}", [(DOC_PLACEHOLDER, 0, 21, "compute-resource")]),
        ("x ${{a}} y ${{ b c }}", [(DOC_PLACEHOLDER, 2, 8, "a"), (DOC_PLACEHOLDER, 11, 21, "b c")]),
        ("${{severity, e.g., warning}}", [(DOC_PLACEHOLDER, 0, 28, "severity, e.g., warning")]),
        ("${{key: value}}", [(DOC_PLACEHOLDER, 0, 15, "key: value")]),
        ("${{team-name}", [(MALFORMED, 0, 13, "team-name")]),
        ("${{1Gi} }", [(MALFORMED, 0, 7, "1Gi")]),
        ("${{team-name} and ${{b}}", [(MALFORMED, 0, 13, "team-name"), (DOC_PLACEHOLDER, 18, 24, "b")]),
        ("${{open", [(MALFORMED, 0, 7, "open")]),
        ("${NAME", [(MALFORMED, 0, 6, "NAME")]),
        ("${REPLICAS}", [(APPLY_VARIABLE, 0, 11, "REPLICAS")]),
        ("$REPLICAS", [(APPLY_VARIABLE, 0, 9, "REPLICAS")]),
        (
            "${ENTITY_TENANT_ID}:${LH_S3}",
            [(APPLY_VARIABLE, 0, 19, "ENTITY_TENANT_ID"), (APPLY_VARIABLE, 20, 28, "LH_S3")],
        ),
        ("$Home $home $$HOME", []),
        ("${my-service}", [(LOWER_PLACEHOLDER, 0, 13, "my-service")]),
        ("${true}", [(LOWER_PLACEHOLDER, 0, 7, "true")]),
        ("${WorkerName}", [(LOWER_PLACEHOLDER, 0, 13, "WorkerName")]),
        ("<workspace_name>", [(ANGLE_PLACEHOLDER, 0, 16, "workspace_name")]),
        ("line<br>break <b>x</b> a < b > c", []),
        ('${! meta("kafka_key") }', [(BENTO_FUNCTION, 0, 23, 'meta("kafka_key")')]),
        ("${!error()}", [(BENTO_FUNCTION, 0, 11, "error()")]),
        ("${KAFKA_TOPIC:events}", [(BENTO_ENV, 0, 21, "KAFKA_TOPIC")]),
        ("{{ .ApplicationSpec.LogLevel }}", [(BRACE_TEMPLATE, 0, 31, ".ApplicationSpec.LogLevel")]),
        ("{{- range $flag := .X }}", [(BRACE_TEMPLATE, 0, 24, "range $flag := .X")]),
        ("{%- if spec.depots %}", [(TAG_TEMPLATE, 0, 21, "if spec.depots")]),
        ("plain text", []),
    ],
)
def test_scan(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert [(t.kind, t.start, t.end, t.name) for t in scan(text)] == expected


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}<>!:%-_ aZ.9\n", max_size=40))
def test_scan_tokens_are_ordered_disjoint_and_in_bounds(text: str) -> None:
    tokens = scan(text)
    end = 0
    for token in tokens:
        assert end <= token.start < token.end <= len(text)
        assert text[token.start] in "${<"
        end = token.end
    assert substitute(text, {}) == (text, [t for t in tokens if t.kind == APPLY_VARIABLE])


def test_scan_bento_reads_double_braces_as_an_escape() -> None:
    assert [(t.kind, t.name) for t in scan("literal ${{x}}", bento=True)] == [(BENTO_ESCAPE, "x")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${REPLICAS}", True),
        ("$REPLICAS", True),
        ("${{replica-count}}", True),
        ("${true}", True),
        ("<tenant>", True),
        ("${{team-name}", True),
        ("{{ resource.name }}", True),
        ("${! meta() }", True),
        ("runnable-default", False),
        ("500m", False),
        ("$5 a <br> line", False),
        ("", False),
    ],
)
def test_is_templated(text: str, expected: bool) -> None:
    assert is_templated(text) is expected


def test_substitute_replaces_defined_variables_only() -> None:
    text, missing = substitute("${A}-${B}:$C ${A:d} {{ $A }}", {"A": "1", "C": "3"})
    assert text == "1-${B}:3 ${A:d} {{ $A }}"
    assert [(t.name, t.start, t.end) for t in missing] == [("B", 5, 9)]


def test_bare_brace_spans() -> None:
    text = "name: {{my-worker}}\ntags:\n  - {{dataos:type:resource}}  # tag\ndesc: a {{x}} b\n{{whole}}\n"
    assert bare_brace_spans(text) == [
        (1, 7, 20, "{{my-worker}}"),
        (3, 5, 29, "{{dataos:type:resource}}"),
        (5, 1, 10, "{{whole}}"),
    ]


def test_a_bare_brace_placeholder_with_colons_is_read_as_the_platform_reads_it() -> None:
    """`{{dataos:type:resource}}` is a flow mapping to go-yaml: the file parses and each placeholder is reported."""
    text = "name: {{my-worker}}\nversion: v1beta\ntype: worker\ntags:\n  - {{dataos:type:resource}}\n"
    assert parse(text).findings == []
    found = [d for d in lint_text(text, "t.yaml") if d.code == "WL303"]
    assert [(d.span.line, d.span.column, d.span.end_column) for d in found] == [(1, 7, 20), (5, 5, 29)]
    assert found[1].message == (
        "`{{dataos:type:resource}}` is a template placeholder that was never filled in;"
        " YAML reads bare braces as a mapping, so replace it with a real value"
    )


def test_bare_brace_findings_are_those_past_the_line_the_parser_reached() -> None:
    text = "name: {{my-worker}}\n---\ntags:\n  - {{a}}\n  - {{b}}\n"
    stopped = [Finding("WL001", (), "YAML cannot be parsed", span=Span(4, 5, 4, 6))]
    found = placeholders_past_syntax_error(Stream(text, stopped, 3))
    assert [(f.code, f.span.line, f.span.column) for f in found if f.span] == [
        ("WL303", 4, 5),
        ("WL303", 5, 5),
    ]


# --- dotenv and load_variables -------------------------------------------------------------------------------


def test_parse_dotenv() -> None:
    text = (
        "# a comment\n"
        "\n"
        "export A=1\n"
        "B = two words   # trailing comment\n"
        "C='literal \\n ${X}'\n"
        'D="a\\nb \\"q\\" \\\\ \\$ \\x" # comment\n'
        "E=pa#ss\n"
        'F="multi\nline"\n'
        "G=\n"
        "A=override\n"
    )
    assert parse_dotenv(text) == {
        "A": "override",
        "B": "two words",
        "C": "literal \\n ${X}",
        "D": 'a\nb "q" \\ $ \\x',
        "E": "pa#ss",
        "F": "multi\nline",
        "G": "",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("JUSTAKEY\n", "f.env:1: expected `=` after 'JUSTAKEY'"),
        ("A=1\n1BAD=2\n", "f.env:2: expected KEY=VALUE, found '1BAD=2'"),
        ("A='open\nB=2\n", "f.env:1: the ' quote opened here is never closed"),
        ('A="x" y\n', "f.env:1: unexpected text after the closing quote: 'y'"),
    ],
)
def test_parse_dotenv_errors(text: str, message: str) -> None:
    with pytest.raises(DotenvError) as info:
        parse_dotenv(text, "f.env")
    assert str(info.value) == message


def test_load_variables_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "vars.env"
    env_file.write_text("FROM_FILE=file\nSHARED=file\n", encoding="utf-8")
    monkeypatch.setenv("SHARED", "env")
    monkeypatch.setenv("ONLY_ENV", "env")
    got = load_variables(["SHARED=var", "EMPTY=", "EQ=a=b"], str(env_file), True)
    assert (got["SHARED"], got["FROM_FILE"], got["ONLY_ENV"], got["EMPTY"], got["EQ"]) == (
        "var",
        "file",
        "env",
        "",
        "a=b",
    )
    assert load_variables([], str(env_file), False) == {"FROM_FILE": "file", "SHARED": "file"}
    assert "ONLY_ENV" not in load_variables(["A=1"], None, False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOEQUALS"], "--var expects KEY=VALUE, got 'NOEQUALS'"),
        (["1X=2"], "--var '1X=2': '1X' is not a variable name (letters, digits and _)"),
    ],
)
def test_load_variables_rejects_bad_vars(args: list[str], message: str) -> None:
    with pytest.raises(click.UsageError) as info:
        load_variables(args, None, False)
    assert info.value.message == message


def test_load_variables_bad_env_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.env"
    bad.write_text("OK=1\nnot a line\n", encoding="utf-8")
    with pytest.raises(click.UsageError) as info:
        load_variables([], str(bad), False)
    assert info.value.message == f"--env-file {bad}:2: expected `=` after 'not'"
    with pytest.raises(click.UsageError) as missing:
        load_variables([], str(tmp_path / "absent.env"), False)
    assert missing.value.message == f"--env-file {tmp_path / 'absent.env'}: `absent.env` does not exist"


# --- render --------------------------------------------------------------------------------------------------

RENDER_DOC = """\
name: ${WORKER_NAME}
replicas: ${REPLICAS}
quoted: "${REPLICAS}"
block: |
  n=${REPLICAS}
base: &b
  cpu: ${CPU}
merged:
  <<: *b
  other: $MISSING and $MISSING
${KEY}: 1
list: ${LIST}
bad: ${BAD}
empty: ${EMPTY}
bento: ${TOPIC:events}
"""


def test_render_substitutes_and_retypes() -> None:
    doc = parse(RENDER_DOC).documents[0]
    original = json.dumps(doc.data)
    variables = {
        "WORKER_NAME": "Bad_Name",
        "REPLICAS": "3",
        "CPU": "500m",
        "KEY": "k",
        "LIST": "[1, 2]",
        "BAD": "a: b",
        "EMPTY": "",
        "TOPIC": "x",
    }
    rendered, noted = render(doc.root, doc.data, variables, RENDER_DOC)
    assert rendered == {
        "name": "Bad_Name",
        "replicas": 3,
        "quoted": "3",
        "block": "n=3\n",
        "base": {"cpu": "500m"},
        "merged": {"other": "$MISSING and $MISSING", "cpu": "500m"},
        "k": 1,
        "list": [1, 2],
        "bad": "a: b",
        "empty": None,
        "bento": "${TOPIC:events}",
    }
    assert json.dumps(doc.data) == original  # the parsed data is left as it was
    assert [(u.path, u.written, u.name, u.at) for u in noted.undefined] == [
        (("merged", "other"), "$MISSING", "MISSING", "value")
    ]
    assert [(u.path, u.rendered, u.at) for u in noted.unreadable] == [(("bad",), "a: b", "value")]


def test_undefined_and_unreadable_variables_are_reported_with_how_to_fix_them() -> None:
    text = worker(
        "  stack: container\n  stackSpec:\n    image: alpine:3.20\n  title: $MISSING and $MISSING\n  tags: ${BAD}\n"
    )
    found = lint_text(text, settings=Settings(variables={"BAD": "a: b"}))
    assert [(d.span.line, d.span.column, d.span.end_column, d.code, d.message) for d in found] == [
        (
            9,
            10,
            18,
            "WL305",
            "apply-time variable `$MISSING` is not defined; set it with `--var MISSING=VALUE`,"
            " an `--env-file`, or the environment with `--use-env`",
        ),
        (
            10,
            9,
            15,
            "WL306",
            "after substituting apply-time variables the value of `spec.tags` reads 'a: b', which is"
            " not a single YAML value in this position",
        ),
    ]


def test_render_reports_an_undefined_key_variable_at_the_key() -> None:
    text = "a: 1\n${KEY_NAME}: 2\n"
    doc = parse(text).documents[0]
    rendered, noted = render(doc.root, doc.data, {}, text)
    assert rendered == {"a": 1, "${KEY_NAME}": 2}
    assert [(u.at, u.span.line, u.span.column, u.span.end_column) for u in noted.undefined if u.span] == [
        ("key", 2, 1, 12)
    ]


def test_render_reports_an_aliased_variable_once() -> None:
    text = "a: &x ${NOPE}\nb: *x\nc: [*x, *x]\n"
    doc = parse(text).documents[0]
    _, noted = render(doc.root, doc.data, {}, text)
    assert [u.path for u in noted.undefined] == [("a",)]


# --- the check through the engine ----------------------------------------------------------------------------


def worker(body: str) -> str:
    return "version: v2alpha\nname: sleep-worker\ntype: worker\nspec:\n  compute: runnable-default\n" + body


def test_apply_time_variables_are_accepted_without_variables() -> None:
    text = worker(
        "  replicas: ${REPLICAS}\n  resources:\n    requests:\n      cpu: $CPU\n"
        "  stack: container\n  stackSpec:\n    image: ${IMAGE}\n"
    )
    assert spans(lint_text(text)) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", []),
        ("0", [(6, 13, 24, "WL105")]),
        ("abc", [(6, 13, 24, "WL103")]),
    ],
)
def test_rendered_values_are_validated_at_the_original_position(
    value: str, expected: list[tuple[int, int, int, str]]
) -> None:
    text = worker("  replicas: ${REPLICAS}\n  stack: container\n  stackSpec:\n    image: alpine:3.20\n")
    assert spans(lint_text(text, settings=Settings(variables={"REPLICAS": value}))) == expected


def test_quoted_variable_stays_a_string_when_rendered() -> None:
    text = worker('  replicas: "${REPLICAS}"\n  stack: container\n  stackSpec:\n    image: alpine:3.20\n')
    found = lint_text(text, settings=Settings(variables={"REPLICAS": "3"}))
    assert [(d.span.line, d.code, d.message) for d in found] == [
        (6, "WL103", "`spec.replicas` must be an integer, not a string (`3`)")
    ]


def test_placeholder_in_key_value_and_longer_string() -> None:
    text = worker(
        "  stack: container\n  stackSpec:\n    image: alpine:3.20\n    arguments:\n"
        '      - "run for ${{team}} now"\n    envs:\n      ${{config_key1}}: ${{config_value1}}\n'
    )
    found = lint_text(text)
    assert spans(found) == [(10, 18, 27, "WL300"), (12, 7, 23, "WL300"), (12, 25, 43, "WL300")]
    assert found[1].message == (
        "`${{config_key1}}` is a template placeholder that was never filled in; replace it with a real key"
    )
    assert found[2].message == (
        "`${{config_value1}}` is a template placeholder that was never filled in; replace it"
        " with a real value for `spec.stackSpec.envs.${{config_key1}}`"
    )


def test_placeholders_written_through_an_escape_or_an_alias_are_found() -> None:
    # `\x24\x7b\x7b` writes a `${{` the source does not show; the alias's strings are written in a key,
    # which is not walked, so they are first met where the alias is
    text = worker(
        "  stack: container\n  stackSpec:\n    image: alpine:3.20\n"
        '    arguments: ["\\x24\\x7b\\x7bescaped}}"]\n  ? &envs {A: <team>}\n  : x\n  tags: [*envs]\n'
    )
    assert spans(lint_text(text), PLACEHOLDER_CODES) == [(9, 17, 40, "WL300"), (10, 15, 21, "WL302")]


def test_same_placeholder_twice_in_one_string_is_reported_once() -> None:
    text = worker('  stack: container\n  stackSpec:\n    image: "${{img}}:${{img}}"\n')
    assert spans(lint_text(text)) == [(8, 13, 21, "WL300")]


def test_placeholder_split_by_yaml_is_reported_once_over_both_halves() -> None:
    text = worker("  stack: container\n  stackSpec:\n    image: alpine:3.20\n    envs:\n      ${alpha: beta}\n")
    found = lint_text(text)
    assert spans(found, PLACEHOLDER_CODES) == [(10, 7, 21, "WL301")]
    assert found[0].message.startswith(
        "`${alpha: beta}` looks like a template placeholder that was never filled in"
        " (YAML split it at `: ` into a key and a value); replace it with a real value"
        " for `spec.stackSpec.envs`"
    )


def test_projection_templates_keep_liquid_but_report_doc_placeholders() -> None:
    text = worker(
        "  stack: container\n  stackSpec:\n    image: alpine:3.20\n  use:\n    projection:\n"
        "      projections:\n        envVarsTemplate: |\n          WORKER_NAME: ${{worker-name}}\n"
        "          HOST: {{ defaultProjections.heimdallUrl }}\n"
        "          {%- if x %}${lower} <tag>{%- endif %}\n"
    )
    assert spans(lint_text(text)) == [(13, 24, 40, "WL300")]


def test_brace_placeholder_in_a_plain_worker_string_is_a_warning() -> None:
    text = worker('  stack: container\n  stackSpec:\n    image: "{{image}}"\n')
    found = lint_text(text)
    assert [(d.span.line, d.span.column, d.code, d.severity.value) for d in found] == [(8, 13, "WL307", "warning")]


BENTO = """\
version: v1beta
name: orders-relay
type: worker
worker:
  compute: runnable-default
  stack: bento-worker:3.0
  stackSpec:
    input:
      kafka:
        topics: [ "${KAFKA_TOPIC:orders}" ]
        addresses: [ "${{BROKER}}" ]
    pipeline:
      processors:
        - mapping: 'root.key = "${! meta(\\"kafka_key\\") }" + "${!error()}"'
    output:
      stdout: {}
"""


def test_bento_interpolations_and_escapes_are_not_placeholders() -> None:
    assert spans(lint_text(BENTO), PLACEHOLDER_CODES) == []


def test_double_braces_outside_the_bento_stack_spec_are_still_placeholders() -> None:
    text = BENTO.replace("name: orders-relay", "name: ${{relay-name}}")
    assert spans(lint_text(text), PLACEHOLDER_CODES) == [(2, 7, 22, "WL300")]


def test_go_templates_in_a_stack_are_not_placeholders() -> None:
    text = (
        'name: relay\nversion: v1alpha\ntype: stack\nstack:\n  name: relay\n  version: "1.0"\n'
        "  workerConfig:\n    configFileTemplate: |\n      {{ toYaml .ApplicationSpec.StackSpec | indent 2 }}\n"
        "      - {{ $flag }} <x> ${home}\n"
    )
    assert spans(lint_text(text), PLACEHOLDER_CODES) == []


def test_inline_bundle_resource_is_reported_once() -> None:
    text = (
        "version: v1beta\nname: b\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      workspace: public\n"
        "      spec:\n        version: v1beta\n        name: ${{worker-name}}\n        type: worker\n"
        "        worker:\n          compute: runnable-default\n          stack: container\n"
        "          stackSpec:\n            image: alpine:3.20\n"
    )
    found = lint_text(text)
    assert spans(found, PLACEHOLDER_CODES) == [(10, 15, 31, "WL300")]
    assert found[0].json_path == ("bundle", "resources", 0, "spec", "name")


# --- the reference page's examples ---------------------------------------------------------------------------


def reference_blocks() -> tuple[str, str]:
    if not REFERENCE.is_file():
        missing_shared("../shared is not available")
    blocks = re.findall(r"```yaml\n(.*?)```", REFERENCE.read_text(encoding="utf-8"), re.S)
    syntax = next(b for b in blocks if "${{worker-name}}" in b and "version: v2alpha" in b)
    sleep = next(b for b in blocks if "${WORKER_NAME}" in b)
    return syntax, sleep


def test_reference_syntax_block_errors_on_every_placeholder_line() -> None:
    syntax, _ = reference_blocks()
    found = lint_text(syntax)
    placeholder_lines = [i for i, line in enumerate(syntax.splitlines(), start=1) if "${{" in line]
    assert placeholder_lines == [2, 5, 6, 8, 9, 10, 13, 14, 16, 17, 18, 20]
    assert spans(found) == [
        (2, 7, 23, "WL300"),
        (5, 5, 13, "WL300"),
        (6, 14, 30, "WL300"),
        (8, 12, 33, "WL300"),
        (9, 13, 31, "WL300"),
        (10, 18, 37, "WL300"),
        (13, 12, 28, "WL300"),
        (14, 15, 34, "WL300"),
        (16, 12, 26, "WL300"),
        (17, 15, 32, "WL300"),
        (18, 10, 25, "WL300"),
        (20, 5, 38, "WL300"),
    ]
    assert all(d.severity.value == "error" for d in found)
    assert found[3].message == (
        "`${{compute-resource}}` is a template placeholder that was never filled in; replace"
        " it with a real value for `spec.compute`"
    )


def test_reference_sleep_worker_is_clean() -> None:
    _, sleep = reference_blocks()
    assert spans(lint_text(sleep)) == []


def test_reference_sleep_worker_with_a_bad_name() -> None:
    _, sleep = reference_blocks()
    found = lint_text(
        sleep, settings=Settings(variables={"WORKER_NAME": "Bad_Name", "COMPUTE_NAME": "runnable-default"})
    )
    assert spans(found) == [(2, 7, 21, "WL106")]
    assert found[0].message.startswith("`Bad_Name` is not a valid resource name")
    missing = lint_text(sleep, settings=Settings(variables={"WORKER_NAME": "sleep-worker"}))
    assert spans(missing) == [(10, 12, 27, "WL305")]


# --- the corpus ----------------------------------------------------------------------------------------------

#: files with placeholders in their values, and what each gets
PLACEHOLDER_FILES = {
    "dataosinfo__docs__examples__resources__worker__manifest_reference.yaml": {"WL300": 59},
    "dataosinfo-b6492a22__docs__examples__resources__worker__manifest_reference.yaml": {"WL300": 58},
    "dataosinfo__docs__resources__worker__first_steps__block2.yaml": {"WL300": 6},
    "dataosinfo__docs__resources__monitor__streaming__block1.yaml": {"WL300": 19},
    "dataosinfo-cf22da23__docs__resources__worker__block1.yaml": {"WL300": 6},
    "dataosinfo__docs__resources__bundle__index__block1.yaml": {"WL300": 26},
    "dataosinfo-b2d8b808__docs__examples__resources__volume__manifest_reference.yaml": {"WL300": 8, "WL304": 1},
    "dataosinfo-d753955b__docs__examples__resources__workflow__manifest_reference.yaml": {"WL301": 52, "WL302": 2},
    "dataosinfo__docs__examples__resources__worker__syncing_data_from_fastbase_stream_to_icebase.yaml": {"WL301": 1},
    "dataosinfo-fda593a8__docs__examples__resources__lakehouse__s3__resource_instance_secret_s3_read.yaml": {
        "WL301": 6
    },
    "dataosinfo-fda593a8__docs__examples__resources__lakehouse__s3__resource_instance_secret_s3_read_write.yaml": {
        "WL301": 6
    },
    "dataosinfo__docs__learn__dp_foundations1_learn_track__create_bundle__index__block1.yaml": {"WL302": 6},
    "dataosinfo__docs__learn__dp_foundations2_learn_track__create_bundle__index__block1.yaml": {"WL302": 7},
}
#: bare `{{...}}` skeletons whose YAML does not even parse (`{{dataos:type:resource}}`)
BARE_BRACE_FILES = (
    "dataosinfo-a30428c7__docs__resources__worker__block1.yaml",
    "dataosinfo-2f91242a__docs__resources__stacks__soda__block2.yaml",
    "dataosinfo-c47ee27a__docs__resources__bundle__block1.yaml",
)


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        missing_shared("../shared corpus is not available")
    return path


@pytest.mark.parametrize("name", sorted(PLACEHOLDER_FILES))
def test_corpus_placeholder_files_are_reported(name: str) -> None:
    path = corpus_file(name)
    found = lint_text(path.read_bytes(), str(path))
    assert dict(Counter(d.code for d in found if d.code in PLACEHOLDER_CODES)) == PLACEHOLDER_FILES[name]


@pytest.mark.parametrize("name", BARE_BRACE_FILES)
def test_corpus_bare_brace_files_are_reported_at_a_placeholder(name: str) -> None:
    path = corpus_file(name)
    text = path.read_text(encoding="utf-8")
    found = lint_text(text, str(path))
    placeholder_lines = {line for line, *_ in bare_brace_spans(text)}
    # go-yaml reads the file (each placeholder is a mapping), so it is checked through, without a syntax error
    assert {d.span.line for d in found if d.code == "WL303"} == placeholder_lines
    assert "WL001" not in {d.code for d in found}


def test_corpus_syncing_worker_true_placeholder_position() -> None:
    path = corpus_file(
        "dataosinfo__docs__examples__resources__worker__syncing_data_from_fastbase_stream_to_icebase.yaml"
    )
    found = [d for d in lint_text(path.read_bytes(), str(path)) if d.code == "WL301"]
    assert [(d.span.line, d.span.column, d.span.end_column) for d in found] == [(21, 30, 37)]
    assert found[0].message == (
        "`${true}` looks like a template placeholder that was never filled in; replace it with a real value for"
        " `worker.stackSpec.input.options.cleanupSubscription` (apply-time variables are upper-case, like"
        " `${REPLICAS}`)"
    )


def test_corpus_bento_liquid_go_and_variable_files_are_not_reported() -> None:
    if not CORPUS.is_dir():
        missing_shared("../shared corpus is not available")
    quiet = sorted(
        p for p in CORPUS.glob("*.yaml") if p.name not in PLACEHOLDER_FILES and p.name not in BARE_BRACE_FILES
    )
    # the Bento workers, the Go-templated Stack definitions, the Liquid domain and Stack, the ${ENV} files
    for must in (
        "dataosinfo__docs__examples__resources__worker__sample_worker.yaml",
        "dataosinfo__docs__examples__resources__secret__worker__worker.yaml",
        "dataosinfo__docs__examples__resources__stacks__bento__bento_stack_definition.yaml",
        "dpbs__docs__vulcan-examples__extra__.artefacts__domain-definition.yaml",
        "dpbs__docs__vulcan-examples__extra__.artefacts__stacks__postgres-engine.yaml",
        "dpbs__docs__vulcan-examples__spark__complex__delivery-performance__lakehouse.yaml",
    ):
        assert CORPUS / must in quiet
    assert len(quiet) == 74
    reported = {p.name: spans(lint_text(p.read_bytes(), str(p)), PLACEHOLDER_CODES) for p in quiet}
    assert {name: found for name, found in reported.items() if found} == {}


# --- the command line ----------------------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, object]]:
    run = cli_in_process("check", "--format", "json", *args, cwd=cwd or PROJECT)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, run.json


def test_cli_reports_the_syntax_block(tmp_path: Path) -> None:
    syntax, _ = reference_blocks()
    path = tmp_path / "worker.yaml"
    path.write_text(syntax, encoding="utf-8")
    code, report = run_cli(str(path))
    assert code == 1
    rows = [(d["line"], d["column"], d["end_column"], d["code"], d["severity"]) for d in report["diagnostics"]]  # type: ignore[index]
    assert rows[0] == (2, 7, 23, "WL300", "error")
    assert [r[0] for r in rows] == [2, 5, 6, 8, 9, 10, 13, 14, 16, 17, 18, 20]


def test_cli_sleep_worker_clean_and_with_vars(tmp_path: Path) -> None:
    _, sleep = reference_blocks()
    path = tmp_path / "sleep.yaml"
    path.write_text(sleep, encoding="utf-8")
    assert run_cli(str(path)) == (0, {"diagnostics": []})
    code, report = run_cli("--var", "WORKER_NAME=Bad_Name", "--var", "COMPUTE_NAME=runnable-default", str(path))
    assert code == 1
    assert [(d["line"], d["column"], d["code"]) for d in report["diagnostics"]] == [(2, 7, "WL106")]  # type: ignore[index]
    env = tmp_path / "vars.env"
    env.write_text("export WORKER_NAME='sleep-worker'\n", encoding="utf-8")
    code, report = run_cli("--env-file", str(env), str(path))
    assert code == 1
    assert [(d["line"], d["column"], d["end_column"], d["code"]) for d in report["diagnostics"]] == [  # type: ignore[index]
        (10, 12, 27, "WL305")
    ]


@hsettings(max_examples=300)
@given(st.text(alphabet="${!%<}a \n", max_size=12))
def test_may_hold_placeholder_is_the_pattern_it_counts_for(text: str) -> None:
    # the counting shortcuts answer what one pattern over the text would
    from worker_lint.checks.unfilled_placeholder import _may_hold_placeholder

    assert _may_hold_placeholder(text) == bool(re.search(r"\$(?!\{!)|<|\{\{|\{%", text))
