"""Stack references, built-in stackSpec schemas, custom Stack definitions and the stack checks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import SHARED, missing_shared
from jsonschema import Draft202012Validator
from linting import lint_paths, lint_text
from referencing import Registry
from referencing import Resource as RefResource
from referencing.jsonschema import DRAFT202012

from worker_lint.core.settings import Settings
from worker_lint.dataos.resource import Resource, classify
from worker_lint.dataos.stack_ref import StackRef, parse_stack_ref, repaired, stack_ref_problem
from worker_lint.dataos.stacks import SchemaProblem, StackRegistry, builtin_stacks, definition_schema, schema_problem
from worker_lint.document.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas" / "stacks"
CORPUS = SHARED / "corpus" / "dataos"
STACK_CODES = {f"WL{n}" for n in range(120, 140)}


def needs_corpus() -> None:
    if not (CORPUS / "SOURCES.tsv").is_file():
        missing_shared("../shared/corpus/dataos is not available")


# --------------------------------------------------------------------------- reference grammar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("container", StackRef("container")),
        ("bento", StackRef("bento")),
        ("bento-worker:3.0", StackRef("bento-worker", None, "3.0")),
        ("fastfun+alpha:1.0", StackRef("fastfun", "alpha", "1.0")),
        ("soda+python:1.0", StackRef("soda", "python", "1.0")),
        ("pulsar-function+lakehouse-sink:3.0", StackRef("pulsar-function", "lakehouse-sink", "3.0")),
        ("scanner:2.0", StackRef("scanner", None, "2.0")),
        ("stream-monitor", StackRef("stream-monitor")),
        ("beacon+rest", StackRef("beacon", "rest")),
        ("flare:6", StackRef("flare", None, "6")),
        ("python3:1.0.2", StackRef("python3", None, "1.0.2")),
    ],
)
def test_valid_references(text: str, expected: StackRef) -> None:
    assert parse_stack_ref(text) == expected
    assert stack_ref_problem(text) is None
    assert str(expected) == text


@pytest.mark.parametrize(
    ("text", "reason", "fixed"),
    [
        ("container::1.0", "it has more than one `:`; only the version follows a `:`", "container:1.0"),
        ("bento worker", "it contains a space; a reference is one word such as `bento-worker:3.0`", None),
        ("bento : 3.0", "it contains a space; a reference is one word such as `bento-worker:3.0`", "bento:3.0"),
        (" bento", "it has leading or trailing spaces", "bento"),
        ("bento:latest", "the version `latest` must be numbers separated by dots, such as `1.0`", None),
        ("bento:3.", "the version `3.` must be numbers separated by dots, such as `1.0`", None),
        ("+alpha:1.0", "the stack name is missing before `+` or `:`", None),
        (":1.0", "the stack name is missing before `+` or `:`", None),
        ("fastfun+:1.0", "the flavor after `+` is empty", None),
        ("bento:", "the version after `:` is empty", None),
        ("a+b+c", "it has more than one `+`; only one flavor can follow the name", None),
        ("fastfun:1.0+alpha", "the flavor must come before the version, as in `name+flavor:version`", None),
        (
            "bento_worker",
            "the stack name `bento_worker` may only contain letters, digits and hyphens,"
            " and must start with a letter or digit",
            None,
        ),
        (
            "-bento",
            "the stack name `-bento` may only contain letters, digits and hyphens,"
            " and must start with a letter or digit",
            None,
        ),
        (
            "soda+py.thon",
            "the flavor `py.thon` may only contain letters, digits and hyphens, and must start with a letter or digit",
            None,
        ),
        ("", "the stack reference is empty", None),
    ],
)
def test_malformed_references(text: str, reason: str, fixed: str | None) -> None:
    assert parse_stack_ref(text) is None
    assert stack_ref_problem(text) == reason
    assert repaired(text) == fixed


# --------------------------------------------------------------------------- built-in schemas, on their own


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        uri = f"file:///s/stacks/{path.name}"
        # as in the schema pass, each file gets its location as `$id` so relative `$ref`s resolve
        contents = {**json.loads(path.read_text(encoding="utf-8")), "$id": uri}
        resources.append((uri, RefResource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def _errors(name: str, instance: object) -> list[tuple[str, str, str]]:
    registry = _registry()
    schema = registry.contents(f"file:///s/stacks/{name}")
    validator = Draft202012Validator(schema, registry=registry)
    return sorted(
        (
            e.validator,
            "/".join(map(str, e.absolute_path)),
            e.schema.get("x-rule", "") if isinstance(e.schema, dict) else "",
        )
        for e in validator.iter_errors(instance)
    )


def test_every_stack_schema_is_a_valid_2020_12_schema_with_a_cited_source() -> None:
    names = sorted(p.name for p in SCHEMAS.glob("*.json") if p.name != "index.json")
    assert names == [
        "bento.json",
        "container.json",
        "fastfun.json",
        "function-mesh.json",
        "pulsar-function.json",
        "scanner.json",
        "soda.json",
        "stream-monitor.json",
    ]
    for name in names:
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        assert "moderndatacompany/dataos.info" in schema["description"], name


def test_index_entries_point_at_existing_schemas() -> None:
    entries = builtin_stacks()
    assert len({(e.name, e.flavor, e.version) for e in entries}) == len(entries)
    for entry in entries:
        if entry.schema is not None:
            assert (ROOT / "schemas" / entry.schema).is_file(), entry.schema
        assert entry.worker == (entry.schema is not None), entry.name


def test_container_schema() -> None:
    assert _errors("container.json", {"image": "alpine:3.20", "command": ["sh"], "arguments": ["-c", "x"]}) == []
    assert _errors("container.json", {"command": "sh", "arguments": ["--port", 8080]}) == [
        ("required", "", ""),
        ("type", "arguments/1", ""),
        ("type", "command", ""),
    ]
    assert _errors("container.json", {"image": "a", "args": ["x"]}) == [("not", "args", "WL102")]


def test_bento_schema() -> None:
    spec = {
        "input": {"http_client": {"url": "https://randomuser.me/api/", "verb": "GET"}},
        "pipeline": {"processors": [{"bloblang": "root = this"}, {"log": {"message": "${! meta() }"}}]},
        "output": {
            "broker": {
                "pattern": "fan_out",
                "outputs": [
                    {
                        "broker": {
                            "pattern": "fan_out",
                            "outputs": [
                                {
                                    "plugin": {"address": "dataos://fastbase:default/test001", "metadata": {}},
                                    "type": "dataos_depot",
                                }
                            ],
                        }
                    },
                    {"stdout": {}},
                ],
            }
        },
        "cache_resources": [{"label": "dedupe", "memory": {"default_ttl": "5m"}}],
    }
    assert _errors("bento.json", spec) == []
    assert _errors("bento.json", {"ouput": {}}) == [("additionalProperties", "", ""), ("required", "", "")]
    assert _errors(
        "bento.json",
        {
            "input": {},
            "output": {"broker": {"pattern": "fanout", "outputs": [{"plugin": {"address": "fastbase:default/x"}}]}},
        },
    ) == [("pattern", "output/broker/outputs/0/plugin/address", "WL125")]  # the pattern is the catalogue's to check
    # the DataOS docs' list of outputs (components/output/kafka_depot.md), its depot addresses checked all the same
    listed = {"input": {}, "output": [{"broker": {"outputs": [{"plugin": {"address": "fastbase:default/x"}}]}}]}
    assert _errors("bento.json", listed) == [("pattern", "output/0/broker/outputs/0/plugin/address", "WL125")]


def test_fastfun_schema_is_the_pulsar_function_schema() -> None:
    good = {
        "input": {
            "datasets": ["dataos://systemstreams:poros/workflows"],
            "options": {
                "cleanupSubscription": True,
                "processingGuarantees": "ATLEAST_ONCE",
                "subscriptionPosition": "LATEST",
                "subscriptionName": "s",
            },
        },
        "output": {
            "datasets": ["dataos://lakehouse:sys01/workflowmetadata2?acl=rw"],
            "options": {
                "commitInterval": "30",
                "recordsPerCommit": "100000",
                "iceberg": {"properties": {"write.format.default": "parquet"}},
            },
        },
    }
    for name in ("fastfun.json", "pulsar-function.json"):
        assert _errors(name, good) == []
        assert _errors(name, {"input": good["input"]}) == [("required", "", "")]
    bad = {
        "input": {"datasets": ["systemstreams:poros/x"], "options": {"subscriptionPosition": "latest"}},
        "output": {"datasets": [], "options": {"recordsPerCommit": 100}},
    }
    assert _errors("fastfun.json", bad) == [
        ("enum", "input/options/subscriptionPosition", ""),
        ("minItems", "output/datasets", ""),
        ("pattern", "input/datasets/0", "WL125"),
        ("type", "output/options/recordsPerCommit", "WL103"),
    ]


def test_soda_scanner_and_stream_monitor_schemas() -> None:
    assert (
        _errors(
            "soda.json",
            {"inputs": [{"dataset": "dataos://icebase:retail/customer", "checks": ["row_count > 0", {"schema": {}}]}]},
        )
        == []
    )
    assert _errors(
        "soda.json",
        {"inputs": [{"dataset": "dataos://icebase:retail/customer"}, {"profile": {"columns": []}, "checks": []}]},
    ) == [("anyOf", "inputs/0", "WL101"), ("minItems", "inputs/1/profile/columns", ""), ("required", "inputs/1", "")]
    assert _errors("scanner.json", {"type": "worker", "worker": "poros_indexer"}) == []
    assert _errors("scanner.json", {"type": "workflow"}) == [("const", "type", ""), ("required", "", "")]
    assert (
        _errors(
            "stream-monitor.json",
            {
                "type": "stream_monitor",
                "incident": {"type": "pulsar"},
                "stream": {
                    "source": {"fastbase": {"maxWorkers": 100}},
                    "conditions": [{"operator": "equals", "value": "x"}],
                },
            },
        )
        == []
    )
    assert _errors("stream-monitor.json", {"stream": {"source": {"fastbase": {"maxWorkers": "100"}}}}) == [
        ("required", "", ""),
        ("type", "stream/source/fastbase/maxWorkers", ""),
    ]


# --------------------------------------------------------------------------- registry and Stack definitions


def _resource(text: str) -> Resource:
    doc = parse(text).documents[0]
    kind = classify(doc.data)
    assert kind is not None
    return Resource(doc.data, doc.root, (), kind[0], kind[1], text)


def _stack(name: str, version: str, json_schema: str, flavor: str | None = None, worker: bool = True) -> str:
    lines = [
        f"name: {name}-def",
        "version: v1alpha",
        "type: stack",
        "stack:",
        f"  name: {name}",
        f'  version: "{version}"',
    ]
    if flavor:
        lines.append(f"  flavor: {flavor}")
    lines += ["  stackSpecValueSchema:", f"    jsonSchema: '{json_schema}'"]
    if worker:
        lines += ["  workerConfig:", "    configFileTemplate: x"]
    return "\n".join(lines) + "\n"


def _schema_for(registry: StackRegistry, ref: StackRef) -> tuple[object, str] | None:
    """``(schema, origin)`` of the definition ``ref`` selects, when it has a schema."""
    info = registry.lookup(ref)
    return None if info is None or info.schema is None else (info.schema, info.origin)


def test_builtin_lookup() -> None:
    registry = StackRegistry()
    assert _schema_for(registry, StackRef("fastfun", "alpha", "1.0")) == (
        "stacks/fastfun.json",
        "built-in schema `stacks/fastfun.json`",
    )
    assert _schema_for(registry, StackRef("benthos-worker", None, "3.0"))[0] == "stacks/bento.json"
    assert _schema_for(registry, StackRef("flare", None, "6.0")) is None
    info = registry.lookup(StackRef("beacon", "rest"))
    assert (info.worker, info.runs_as) == (False, ("service",))
    assert registry.lookup(StackRef("docker")) is None
    # retired names are known but never suggested
    assert registry.closest("bentoo") == ["bento"]
    assert registry.closest("stream") == ["stream-monitor"]


def test_custom_definitions_match_name_flavor_and_version_and_override_builtins() -> None:
    registry = StackRegistry()
    registry.add_definition(_resource(_stack("bento", "1.0", '{"type": "object", "required": ["a"]}')), "a.yaml")
    registry.add_definition(_resource(_stack("bento", "2.0", '{"type": "object", "required": ["b"]}')), "b.yaml")
    registry.add_definition(_resource(_stack("echo", "1.0", '{"type": "object"}', flavor="py")), "c.yaml")
    schema, origin = _schema_for(registry, StackRef("bento", None, "1.0"))
    assert (schema["required"], origin) == (["a"], "Stack `bento-def` in a.yaml")
    # without a version, the highest defined version is used
    assert _schema_for(registry, StackRef("bento"))[0]["required"] == ["b"]
    # a version no definition has falls back to the built-in schema
    assert _schema_for(registry, StackRef("bento", None, "3.0"))[0] == "stacks/bento.json"
    assert _schema_for(registry, StackRef("echo", "py", "1"))[0] == {"type": "object"}
    assert _schema_for(registry, StackRef("echo", None, "1.0")) is None
    assert registry.is_known("echo") and "echo" in registry.worker_names()


def test_corpus_stack_definitions_register_cleanly() -> None:
    needs_corpus()
    registry = StackRegistry()
    files = sorted(CORPUS.glob("*stack_orchestrated_by_a_worker*block1.yaml")) + sorted(
        CORPUS.glob("*bento_stack_definition*")
    )
    assert len(files) == 3
    for path in files:
        resource = _resource(path.read_text(encoding="utf-8"))
        assert definition_schema(resource)[1] is None
        registry.add_definition(resource, path.name)
    schema, origin = _schema_for(registry, StackRef("pulsar-function", "lakehouse-sink", "3.0"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert origin.startswith("Stack `pulsar-function-v3` in ")
    assert _schema_for(registry, StackRef("function-mesh", "lakehouse-sink", "1.0"))[0]["required"] == [
        "image",
        "input",
        "output",
    ]
    assert _schema_for(registry, StackRef("bento"))[0]["required"] == ["input"]


@pytest.mark.parametrize(
    ("json_schema", "message", "substring"),
    [
        (
            '{"type": "object",, "required": []}',
            "`jsonSchema` is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 19 of the"
            " schema); Workers using this stack cannot be validated",
            '{"type": "object",, "required": []}',
        ),
        (
            '{"type": "object", "required": "a"}',
            "`jsonSchema` is not a valid JSON Schema at `required`: 'a' is not of type 'array' (checked against"
            " https://json-schema.org/draft/2020-12/schema)",
            None,
        ),
        (
            '{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": []}',
            "`jsonSchema` is not a valid JSON Schema at `required`: [] should be non-empty (checked against"
            " http://json-schema.org/draft-04/schema)",
            None,
        ),
        (
            '{"$schema": "http://example.com/schema", "type": "object"}',
            "`jsonSchema` declares an unknown `$schema` `http://example.com/schema`; use a draft-04, draft-06, draft-07,"
            " 2019-09 or 2020-12 meta-schema URI",
            None,
        ),
        ('["type", "object"]', "`jsonSchema` must be a JSON object (a JSON Schema), not a JSON list", None),
    ],
)
def test_invalid_definition_schemas(json_schema: str, message: str, substring: str | None) -> None:
    registry = StackRegistry()
    resource = _resource(_stack("echo", "1.0", json_schema))
    registry.add_definition(resource, "s.yaml")
    assert definition_schema(resource) == (None, SchemaProblem(message, substring))
    assert _schema_for(registry, StackRef("echo")) is None
    assert registry.is_known("echo")


def test_templated_definition_schema_is_not_reported() -> None:
    assert definition_schema(_resource(_stack("echo", "1.0", "${{json-schema}}"))) == (None, None)


def test_schema_problem_accepts_every_supported_draft() -> None:
    for uri in (
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-06/schema#",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ):
        assert schema_problem({"$schema": uri, "type": "object"}) is None


# --------------------------------------------------------------------------- the checks, through the engine


def _worker(stack: str, spec: str, version: str = "v1beta") -> str:
    body = "worker" if version == "v1beta" else "spec"
    return f"name: w\nversion: {version}\ntype: worker\n{body}:\n  compute: runnable-default\n  stack: {stack}\n" + spec


def _found(text: str) -> list[tuple[int, int, str, str, str]]:
    return [(d.span.line, d.span.column, d.code, d.severity.value, d.message) for d in lint_text(text)]


def test_container_worker_without_image() -> None:
    text = _worker("container", "  stackSpec:\n    command: [sh]\n", version="v2alpha")
    assert _found(text) == [(7, 3, "WL101", "error", "missing required field `image` in `spec.stackSpec`")]


def test_bento_worker_without_input() -> None:
    text = _worker("bento", "  stackSpec:\n    output:\n      stdout: {}\n")
    assert _found(text) == [(7, 3, "WL101", "error", "missing required field `input` in `worker.stackSpec`")]


def test_fastfun_worker_without_output() -> None:
    text = _worker(
        "fastfun+alpha:1.0",
        "  stackSpec:\n    input:\n      datasets:\n        - dataos://systemstreams:poros/workflows\n",
    )
    assert _found(text) == [(7, 3, "WL101", "error", "missing required field `output` in `worker.stackSpec`")]


def test_wrong_enum() -> None:
    text = _worker(
        "fastfun+alpha:2.0",
        "  stackSpec:\n    input:\n      datasets: ['dataos://a:b/c']\n"
        "      options:\n        processingGuarantees: EXACTLY_ONCE\n"
        "    output:\n      datasets: ['dataos://lakehouse:b/c?acl=rw']\n",
    )
    assert _found(text) == [
        (
            11,
            31,
            "WL104",
            "error",
            "`EXACTLY_ONCE` is not a valid value for `worker.stackSpec.input.options.processingGuarantees`;"
            " expected `EFFECTIVELY_ONCE`, `ATLEAST_ONCE`, `ATMOST_ONCE`",
        )
    ]


def test_custom_stack_schema_violation_lands_in_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stack.yaml").write_text(
        _stack(
            "echo", "1.0", '{"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}'
        )
    )
    (tmp_path / "worker.yaml").write_text(_worker("echo:1.0", "  stackSpec:\n    message: 42\n"))
    monkeypatch.chdir(tmp_path)
    results = dict(lint_paths(["worker.yaml", "stack.yaml"], Settings()))
    assert results["stack.yaml"] == []
    assert [(d.span.line, d.span.column, d.code, d.message) for d in results["worker.yaml"]] == [
        (
            8,
            14,
            "WL103",
            "`worker.stackSpec.message` must be a string, not an integer (`42`)"
            " (schema of Stack `echo-def` in stack.yaml)",
        )
    ]


def test_invalid_custom_schema_is_reported_on_its_line() -> None:
    text = _stack("echo", "1.0", '{"type": "object", "required": "a"}')
    assert [(line, code) for line, _, code, _, _ in _found(text)] == [(8, "WL126")]


def test_stack_reference_checks() -> None:
    assert _found(_worker("container::1.0", "")) == [
        (
            6,
            10,
            "WL120",
            "error",
            "`container::1.0` is not a valid stack reference: it has more than one `:`;"
            " only the version follows a `:`; did you mean `container:1.0`?",
        )
    ]
    assert _found(_worker("dokker", "")) == [
        (
            6,
            10,
            "WL121",
            "warning",
            "unknown stack `dokker`; stacks that run Workers are `container`, `bento`,"
            " `bento-worker`, `fastfun`, `pulsar-function`,"
            " `function-mesh`, `soda`, `sodaworker`, `scanner`, `stream-monitor`",
        )
    ]
    assert _found(_worker("fastfunn+alpha:1.0", "")) == [
        (6, 10, "WL121", "warning", "unknown stack `fastfunn`; did you mean `fastfun`?")
    ]
    assert _found(_worker("benthos:3.0", "  stackSpec: {input: {}}\n")) == [
        (6, 10, "WL127", "warning", "stack `benthos` was renamed `bento`; write `bento:3.0`")
    ]
    assert _found(_worker("beacon+rest", "")) == [
        (6, 10, "WL122", "warning", "stack `beacon+rest` does not run as a Worker: it runs in Services")
    ]
    # placeholders and apply-time variables are not references yet: only the placeholder rule speaks
    assert [c for _, _, c, _, _ in _found(_worker("${{stack-name}}", "  stackSpec: {}\n"))] == ["WL300"]
    assert _found(_worker("${STACK}", "  stackSpec: {}\n")) == []


def test_legacy_stack_keys() -> None:
    text = _worker("bento", "  bento:\n    input: {}\n  scanner: {}\n")
    assert _found(text) == [
        (7, 3, "WL123", "warning", "`bento:` under `worker:` is deprecated; move its contents to `stackSpec:`"),
        (9, 3, "WL123", "warning", "`scanner:` under `worker:` is deprecated; move its contents to `stackSpec:`"),
    ]
    # v2alpha never had them: there they are unknown fields, not legacy ones
    assert [c for _, _, c, _, _ in _found(_worker("bento", "  stackSpec: {input: {}}\n  bento: {}\n", "v2alpha"))] == [
        "WL102"
    ]


def test_runtime_expressions_and_spark_quantities_inside_stack_spec_are_never_flagged() -> None:
    text = _worker(
        "bento",
        """  stackSpec:
    input:
      generate:
        interval: 1s
        mapping: 'root.id = uuid_v4()'
      processors:
        - log: {message: '${! json("id") } ${!error()}', level: INFO}
        - resource: ${KAFKA_CACHE:dedupe}
      driver:
        memory: 1024m
        cores: 1
    output:
      label: ${! meta("topic") }
      stdout: {}
""",
    )
    # no quantity, placeholder or type finding; only Bento's own verdict on a field no input takes
    assert [(line, code) for line, _, code, _, _ in _found(text)] == [(15, "WL132")]


def test_one_misplaced_section_among_a_filled_stack_spec() -> None:
    text = _worker("bento", "  stackSpec:\n    input:\n      stdin: {}\n  output:\n    stdout: {}\n")
    found = _found(text)
    assert [(line, col, code) for line, col, code, _, _ in found if code in STACK_CODES] == [(10, 3, "WL124")]
    assert found[[c for _, _, c, _, _ in found].index("WL124")][4] == (
        "`output` is a section of the `bento` stackSpec but sits directly under `worker:`; the indentation broke"
        " here: indent it under `stackSpec:`"
    )
    # `output` counts as present, so it is not also a missing field
    assert not [f for f in found if f[2] == "WL101"]


# --------------------------------------------------------------------------- the corpus


def _corpus_workers() -> dict[str, bool]:
    """Worker files of the corpus -> whether SOURCES.tsv flags them (invalid, or not even YAML)."""
    with (CORPUS / "SOURCES.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        r["file"]: "invalid" in r["note"] or "YAML ERROR" in r["note"]
        for r in rows
        if r["note"].startswith("type=worker")
    }


def _stack_related(diagnostic: object) -> bool:
    path = diagnostic.json_path
    return diagnostic.code in STACK_CODES or "stackSpec" in path or path[-1:] == ("stack",)


def test_unflagged_corpus_workers_have_no_stack_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    needs_corpus()
    workers = _corpus_workers()
    assert len(workers) == 36
    monkeypatch.chdir(CORPUS)
    # linted together, so the corpus' own Stack definitions (bento 1.0, pulsar-function, sodaworker) apply
    together = dict(lint_paths(["."], Settings()))
    checked = 0
    warnings: dict[str, list[tuple[int, str]]] = {}
    for name, flagged in workers.items():
        if flagged:
            continue
        alone = lint_text((CORPUS / name).read_text(encoding="utf-8"), name)
        for diagnostics in (alone, together[name]):
            problems = [
                (d.span.line, d.code, d.message)
                for d in diagnostics
                if _stack_related(d) and d.severity.value == "error" and not d.code.startswith("WL3")
            ]
            assert problems == [], name
            assert [d for d in diagnostics if d.code in STACK_CODES and d.severity.value == "error"] == [], name
        warnings.update({name: [(d.span.line, d.code) for d in alone if d.code in STACK_CODES]})
        checked += 1
    assert checked == 25
    # the only stack warnings: Workers from before Benthos became Bento, one of whose pages lost the
    # indentation of its Bento components (`url:` beside `http_client:`, `codec:` beside `stdout:`)
    assert {name: found for name, found in warnings.items() if found} == {
        "dataosinfo-d6f7ffe9__docs__examples__resources__worker__sample_worker.yaml": [
            (20, "WL127"),
            (36, "WL132"),
            (38, "WL132"),
            (39, "WL132"),
            (42, "WL132"),
        ],
        "dataosinfo-fda593a8__docs__examples__resources__secret__worker__worker.yaml": [(18, "WL127")],
        "dataosinfo-fda593a8__docs__resources__worker__templates__block1.yaml": [(18, "WL127")],
    }


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        (
            "dataosinfo__docs__resources__worker__configurations__block2.yaml",
            22,
            "`input` and `output` are sections of the `bento-worker` stackSpec but sit directly under `worker:`;"
            " the indentation broke here: indent them under `stackSpec:`",
        ),
        (
            "dataosinfo-cf22da23__docs__resources__worker__block4.yaml",
            26,
            "`input` and `output` are sections of the `benthos-worker` stackSpec but sit directly under `worker:`;"
            " the indentation broke here: indent them under `stackSpec:`",
        ),
        (
            "dataosinfo-d6f7ffe9__docs__resources__worker__configuration__block2.yaml",
            19,
            "`input` and `output` are sections of the `benthos-worker` stackSpec but sit directly under `worker:`;"
            " the indentation broke here: indent them under `stackSpec:`",
        ),
    ],
)
def test_misindented_corpus_stack_specs_are_caught_where_the_indentation_broke(
    name: str, line: int, message: str
) -> None:
    needs_corpus()
    diagnostics = lint_text((CORPUS / name).read_text(encoding="utf-8"), name)
    ours = [
        (d.span.line, d.span.column, d.code, d.severity.value, d.message)
        for d in diagnostics
        if d.code in STACK_CODES and d.severity.value == "error"
    ]
    assert ours == [(line, 3 if line == 22 else 5, "WL124", "error", message)]
    wl124 = next(d for d in diagnostics if d.code == "WL124")
    explained = {("worker", "input"), ("worker", "output"), ("worker", "stackSpec")}
    # every other error on these keys has the same cause; the engine may let WL124 explain them away
    others = [
        (d.code, d.json_path)
        for d in diagnostics
        if d is not wl124 and d.severity.value == "error" and (d.json_path in explained)
    ]
    assert (
        sorted(others)
        == [("WL102", ("worker", "input")), ("WL102", ("worker", "output")), ("WL103", ("worker", "stackSpec"))]
        or others == []
    )
    assert [r.message for r in wl124.related] == ["`output` belongs in `stackSpec` too", "`stackSpec` is empty"]
