"""`worker-lint schema`: one self-contained schema that editors can use, generated from schemas/."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import ROOT, run_cli

from worker_lint.dataos.editor_schema import build as editor_schema
from worker_lint.document.parse import parse


def _data(path: Path):
    return parse(path.read_text(encoding="utf-8")).documents[0].data


def test_schema_is_self_contained_and_valid():
    schema = editor_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(schema)
    assert ".schema.json" not in text  # every cross-file reference was inlined


def test_schema_accepts_good_examples_and_rejects_bad_ones():
    validator = jsonschema.Draft202012Validator(editor_schema())
    assert list(validator.iter_errors(_data(ROOT / "examples" / "good" / "sleep-worker.yaml"))) == []
    assert list(validator.iter_errors(_data(ROOT / "examples" / "good" / "orders-relay.yaml"))) == []
    errors = {e.message for e in validator.iter_errors(_data(ROOT / "examples" / "bad" / "replicas-and-typos.yaml"))}
    assert errors == {
        "'Sleep_Worker' does not match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
        "'stackSpec' is a required property",
        "'two' is not of type 'integer'",
        "Additional properties are not allowed ('stackspec' was unexpected)",
    }
    bundle = {"name": "b", "version": "v1beta", "type": "bundle", "bundle": {"Resources": []}}
    assert [e.message for e in validator.iter_errors(bundle)] == [
        "Additional properties are not allowed ('Resources' was unexpected)"
    ]
    # other resource types are left alone
    assert list(validator.iter_errors({"name": "x", "version": "v1", "type": "depot", "depot": {}})) == []


def test_cli_prints_the_schema():
    result = run_cli("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout) == editor_schema()
