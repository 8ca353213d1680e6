"""Whether a stream parses is go-yaml's verdict, the parser of the DataOS platform and CLI.

tests/data/go-yaml-verdicts.tsv holds go-yaml v3's and v2's verdicts on every
case of the YAML test suite (after a document `type: worker` and `...`) and
on a seeded mutation corpus of real manifests; conformance/run.py regenerates
it with a go-yaml oracle built from Debian's packages. The streams themselves
are in tests/data/go-yaml-streams.jsonl.gz, so no Go is needed here.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, missing_shared
from linting import lint_text

from worker_lint.document.parse import parse

DATA = ROOT / "tests" / "data"
#: the codes that say a stream does not parse as the platform reads it
REFUSING = {"WL001", "WL003", "WL004"}


def _verdicts() -> dict[tuple[str, str], dict[str, str]]:
    with open(DATA / "go-yaml-verdicts.tsv", encoding="utf-8", newline="") as handle:
        return {(row["set"], row["id"]): row for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}


def _streams() -> dict[tuple[str, str], bytes]:
    with gzip.open(DATA / "go-yaml-streams.jsonl.gz", "rt", encoding="ascii") as handle:
        records = [json.loads(line) for line in handle]
    return {(r["set"], r["id"]): r["stream"].encode("utf-8", "surrogateescape") for r in records}


VERDICTS = _verdicts()
STREAMS = _streams()


def _ours(stream: bytes) -> str:
    found = lint_text(stream, "stream.yaml")
    return "error" if any(d.code in REFUSING for d in found) else "ok"


def test_the_tables_cover_the_suite_and_at_least_1500_mutations():
    sets = [kind for kind, _ in VERDICTS]
    assert sets.count("suite") == 402
    assert sets.count("mutation") >= 1500
    assert set(VERDICTS) == set(STREAMS)
    for key, data in STREAMS.items():
        assert hashlib.sha256(data).hexdigest()[:16] == VERDICTS[key]["sha256"], key


@pytest.mark.parametrize("kind", ["suite", "mutation"])
def test_worker_lint_gives_go_yamls_verdict(kind: str):
    """Where go-yaml v3 and v2 agree, worker-lint refuses exactly the streams go-yaml refuses."""
    compared = 0
    wrong = []
    for (set_, cid), row in VERDICTS.items():
        if set_ != kind or row["v3"] != row["v2"]:
            continue
        compared += 1
        ours = _ours(STREAMS[(set_, cid)])
        if ours != row["v3"]:
            wrong.append(f"{cid}: go-yaml {row['v3']} ({row['v3_message']}), worker-lint {ours}")
    assert compared > (380 if kind == "suite" else 1500)
    assert wrong == []


def test_the_mutation_corpus_is_reproducible_from_its_seed():
    corpus = SHARED / "corpus" / "dataos"
    if not corpus.is_dir():
        missing_shared("../shared is not present")
    sys.path.insert(0, str(ROOT / "conformance"))
    try:
        import mutations
    finally:
        sys.path.remove(str(ROOT / "conformance"))
    generated = dict(mutations.generate(corpus))
    committed = {cid: data for (kind, cid), data in STREAMS.items() if kind == "mutation"}
    assert generated == committed


HEAD = "version: v1beta\nname: relay\ntype: worker\n"
WORKER = (
    HEAD
    + """\
worker:
  compute: runnable-default
  stack: bento
  stackSpec:
    input:
      kafka:
"""
)

#: (body after HEAD, expected (code, line, column) or None when the stream parses as the platform reads it)
POSITIONS = [
    # `:` inside an unquoted value in a flow collection: go-yaml reads on, libyaml stops
    ("addresses: [localhost:9092]\n", None),
    ("datasets: [dataos://depot:collection/dataset]\n", None),
    ("source: {url: http://x:8080/a}\n", None),
    ("hosts: [kafka-0:9092, kafka-1:9092, 10.0.0.1:5432]\n", None),
    ("pairs: [a:, b]\n", None),
    ("keys: {a:b: c}\n", None),
    ("nested: [[x:1], {y: z:2}]\n", None),
    ("multi: [a:1,\n  b:2]\n", None),
    # ...and a real mistake after such a value is still found where it is
    ("addresses: [localhost:9092]\nbad: [a, b]]\n", ("WL001", 5, 12)),
    ('a: [x:1]\nb: [y:2]\nc: "unterminated\n', ("WL001", 7, 1)),
    ("a: [x:1]\n\tb: 1\n", ("WL001", 5, 1)),
    # `?` inside an unquoted value in a flow collection: go-yaml stops at it
    ("datasets: [dataos://lakehouse:sys01/orders?acl=rw]\n", ("WL004", 4, 43)),
    ("datasets: [a?b]\n", ("WL004", 4, 13)),
    ("source: {url: http://x/a?b=1}\n", ("WL004", 4, 25)),
    ("list:\n  [one,\n   two?x]\n", ("WL004", 6, 7)),
    ("list: [x ?y]\n", ("WL004", 4, 10)),
    ("list: [x, ?y]\n", None),
    ("plain: http://x/a?b=1\n", None),
    ("quoted: ['dataos://lakehouse:sys01/orders?acl=rw']\n", None),
    # `%YAML` directives: go-yaml takes only 1.1
    ("...\n%YAML 1.2\n---\ntype: worker\n", ("WL004", 5, 1)),
    ("...\n%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\ntype: worker\n", ("WL004", 5, 1)),
    ("...\n%YAML 1.3\n---\ntype: worker\n", ("WL001", 5, 1)),
    ("...\n%YAML 2.0\n---\ntype: worker\n", ("WL001", 5, 1)),
    ("...\n%YAML 1.1\n---\ntype: worker\n", None),
    ("...\n%TAG !e! tag:example.com,2000:\n---\ntype: worker\n", None),
    ("...\n%FOO bar\n---\ntype: worker\n", ("WL001", 5, 5)),
    ("description: |\n  %YAML 1.2 in a text\n", None),
    # escapes in double-quoted strings
    ('path: "a\\/b"\n', ("WL004", 4, 9)),
    ('path: "first line\n  a\\/b"\n', ("WL004", 5, 4)),
    ('quote: "it\\\'s"\n', None),
    ('quote: "a\\\\/b"\n', None),
    ('bad: "a\\qb"\n', ("WL001", 4, 8)),
    # anchors: on empty values, and defined twice (the later one wins)
    ("a: &x\nb: *x\n", None),
    ("a: &x 1\nb: &x 2\nc: *x\n", None),
    ("list: [&x , b]\n", None),
    ("a: *missing\n", ("WL001", 4, 4)),
    # comments and tabs, where both parsers agree
    ("list: [a#b]\n", None),
    ("list: [a #b]\n", ("WL001", 5, 1)),
    ("key:\tvalue\n", None),
]


@pytest.mark.parametrize(("body", "expected"), POSITIONS, ids=[f"case{i}" for i in range(len(POSITIONS))])
def test_the_platforms_verdict_at_the_offending_character(body: str, expected: tuple[str, int, int] | None):
    found = [d for d in lint_text(HEAD + body, "w.yaml") if d.code in REFUSING]
    if expected is None:
        assert found == []
    else:
        assert [(d.code, d.span.line, d.span.column) for d in found] == [expected]


def test_values_read_past_a_colon_are_the_values_go_yaml_reads():
    result = parse(
        'a: [localhost:9092, dataos://depot:coll/ds]\nb: {url: http://x:8080/a}\nc: "it\\\'s"\n'
        "d: &x 1\ne: &x 2\nf: *x\n"
    )
    assert result.findings == []
    assert result.documents[0].data == {
        "a": ["localhost:9092", "dataos://depot:coll/ds"],
        "b": {"url": "http://x:8080/a"},
        "c": "it's",
        "d": 1,
        "e": 2,
        "f": 2,
    }


def test_the_messages_say_why_and_how_to_fix():
    found = lint_text(HEAD + "datasets: [dataos://lakehouse:sys01/orders?acl=rw]\n", "w.yaml")
    assert [d.message for d in found if d.code == "WL004"] == [
        "DataOS reads YAML with a Go parser (go-yaml) that does not allow `?` in an unquoted value inside `[...]`:"
        " quote the value, or write the list as a block"
    ]
    found = lint_text("%YAML 1.2\n---\n" + HEAD, "w.yaml")
    assert [(d.code, d.span.line, d.span.column, d.span.end_column, d.message) for d in found if d.code == "WL004"] == [
        (
            "WL004",
            1,
            1,
            10,
            "`%YAML 1.2`: DataOS reads YAML with a Go parser (go-yaml) that accepts only `%YAML 1.1`"
            ' and refuses this file ("found incompatible YAML document"); remove the directive',
        )
    ]
    found = lint_text(HEAD + 'description: "a\\/b"\n', "w.yaml")
    assert [(d.code, d.span.column, d.span.end_column, d.message) for d in found if d.code == "WL004"] == [
        (
            "WL004",
            16,
            18,
            "`\\/` in a double-quoted string: DataOS reads YAML with a Go parser (go-yaml) that does not"
            " know this escape and refuses the file; write `/` without the backslash",
        )
    ]


BENTO = """\
version: v1beta
name: clicks-relay
type: worker
worker:
  compute: runnable-default
  replicas: two
  stack: bento
  stackSpec:
    input:
      kafka:
        addresses: [localhost:9092]
        topics: [clicks]
    output:
      plugin:
        metadata: {url: http://x:8080/a}
        datasets: [dataos://depot:collection/dataset]
        address: dataos://depot:collection/dataset
      type: dataos_depot
"""


def test_a_bento_worker_with_ports_in_flow_lists_is_fully_checked(cli, tmp_path: Path):
    target = tmp_path / "bento.yaml"
    target.write_text(BENTO, encoding="utf-8")
    run = cli("check", "--no-cache", "--format", "json", str(target))
    assert [(d["code"], d["line"], d["column"]) for d in run.diagnostics] == [("WL103", 6, 13)]
    clean = BENTO.replace("replicas: two", "replicas: 2")
    target.write_text(clean, encoding="utf-8")
    run = cli("check", "--no-cache", "--format", "json", str(target))
    assert run.returncode == 0 and run.diagnostics == []


def test_a_question_mark_in_a_flow_list_is_an_error_on_its_line(cli, tmp_path: Path):
    target = tmp_path / "bento.yaml"
    target.write_text(
        BENTO.replace("dataos://depot:collection/dataset", "dataos://lakehouse:sys01/orders?acl=rw").replace(
            "replicas: two", "replicas: 2"
        ),
        encoding="utf-8",
    )
    run = cli("check", "--no-cache", "--format", "json", str(target))
    assert run.returncode == 1
    assert [(d["code"], d["line"], d["column"]) for d in run.diagnostics] == [("WL004", 16, 51)]
    assert "`?`" in run.diagnostics[0]["message"]


def test_a_yaml_1_2_directive_on_a_manifest_is_an_error(cli, tmp_path: Path):
    target = tmp_path / "bento.yaml"
    target.write_text("%YAML 1.2\n---\n" + BENTO.replace("replicas: two", "replicas: 2"), encoding="utf-8")
    run = cli("check", "--no-cache", "--format", "json", str(target))
    assert run.returncode == 1
    assert [(d["code"], d["line"], d["column"]) for d in run.diagnostics] == [("WL004", 1, 1)]


def test_a_templated_file_reports_a_later_syntax_error(cli, tmp_path: Path):
    target = tmp_path / "template.yaml"
    target.write_text(
        "name: {{my-worker}}\nversion: v1beta\ntype: worker\ntags:\n  - {{dataos:type:resource}}\n"
        "worker:\n  compute: runnable-default\n  stack: bento\n  stackSpec: [a, b\n",
        encoding="utf-8",
    )
    run = cli("check", "--no-cache", "--format", "json", str(target))
    assert [(d["code"], d["line"]) for d in run.diagnostics] == [("WL303", 1), ("WL303", 5), ("WL001", 10)]


TRICKY = [
    "a{i}: [host-{i}:9092, 'quoted:{i}', \"dq:{i}\", dataos://depot:c/d{i}]  # note: x:y",
    "b{i}: {{url: http://x:80{i}/a, k:v: w{i}, plain: x}}",
    "c{i}: |\n  [not:flow{i}]\n  text: here",
    "d{i}: [a:, b:{i}, [c:d{i}], {{e:f: g}}]",
    "e{i}: !!str [t:{i}]",
    "f{i}: [multi:{i},\n  line:{i}]",
]


def test_many_values_with_colons_read_in_one_scan_as_one_by_one():
    """Past a few such values the rest are found in one scan: the values are those read one value at a time."""
    lines = [line.format(i=i) for i in range(12) for line in TRICKY]
    whole = parse("\n".join(lines) + "\n")
    assert whole.findings == []
    expected: dict = {}
    for line in lines:
        single = parse(line + "\n")
        assert single.findings == []
        expected.update(single.documents[0].data)
    assert whole.documents[0].data == expected
    assert whole.documents[0].data["d3"] == ["a:", "b:3", ["c:d3"], {"e:f": "g"}]
