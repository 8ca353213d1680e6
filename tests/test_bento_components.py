"""A Bento Worker's stackSpec checked component by component, through the command line as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, require_shared, run_cli

HEADER = """\
version: v1beta
name: orders-relay
type: worker
worker:
  compute: runnable-default
  stack: bento
  stackSpec:
"""


def _lint(tmp_path: Path, spec: str, header: str = HEADER) -> list[tuple[int, int, str, str, str]]:
    (tmp_path / "worker.yaml").write_text(header + spec, encoding="utf-8")
    run = run_cli("check", "--no-cache", "--format", "json", "worker.yaml", cwd=tmp_path)
    assert run.stderr == ""
    return [(d["line"], d["column"], d["code"], d["severity"], d["message"]) for d in run.diagnostics]


def test_the_issue_s_runtime_failures_are_found_where_they_are(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
    input:
      kafka_franzz:
        seed_brokers: [kafka:9092]
    pipeline:
      processors:
        - http:
            url: https://enrich.example.com
            verbb: GET
        - rate_limit:
            resource: rl
    rate_limit_resources:
      - label: rl
        local:
          count: many
    output:
      stdout: {}
""",
    )
    assert found == [
        (9, 7, "WL130", "error", "`kafka_franzz` is not a Bento input; did you mean `kafka_franz`?"),
        (15, 13, "WL132", "warning", "the Bento processor `http` has no field `verbb`; did you mean `verb`?"),
        (
            21,
            18,
            "WL103",
            "error",
            "`count` of the Bento rate limit `local` must be an integer, not a string (`many`)",
        ),
    ]


def test_processors_at_any_depth(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
    input:
      stdin: {}
      processors:
        - try:
            - catch:
                - mappin: root = this
    pipeline:
      processors:
        - switch:
            - check: this.a
              processors:
                - workflow:
                    branches:
                      enrich:
                        processors:
                          - log:
                              level: LOUD
        - branch:
            request_map: root = this
            processors:
              - sql_raw:
                  query: SELECT 1
    output:
      broker:
        pattern: fan_outt
        outputs:
          - fallback:
              - http_client: {}
          - stdout: {}
            processors:
              - cached:
                  key: k
                  cache: c
                  processors:
                    - noop: {}
""",
    )
    assert found == [
        (13, 19, "WL130", "error", "`mappin` is not a Bento processor; did you mean `mapping`?"),
        (
            24,
            38,
            "WL104",
            "error",
            "`LOUD` is not a valid value for `level` of the Bento processor `log`; Bento accepts `FATAL`, `ERROR`,"
            " `WARN`, `INFO`, `DEBUG`, `TRACE`, `ALL`",
        ),
        (
            28,
            17,
            "WL101",
            "error",
            "the Bento processor `sql_raw` is missing its required field `driver`; Bento refuses to start without"
            " it: add `driver`",
        ),
        (
            28,
            17,
            "WL101",
            "error",
            "the Bento processor `sql_raw` is missing its required field `dsn`; Bento refuses to start without it:"
            " add `dsn`",
        ),
        (
            32,
            18,
            "WL104",
            "error",
            "`fan_outt` is not a valid value for `pattern` of the Bento output `broker`; Bento accepts `fan_out`,"
            " `fan_out_fail_fast`, `fan_out_sequential`, `fan_out_sequential_fail_fast`, `round_robin`, `greedy`;"
            " did you mean `fan_out`?",
        ),
        (
            35,
            17,
            "WL101",
            "error",
            "the Bento output `http_client` is missing its required field `url`; Bento refuses to start without it:"
            " add `url`",
        ),
    ]


def test_the_dataos_docs_list_of_outputs_and_dataos_components_are_accepted(tmp_path: Path) -> None:
    """docs/resources/stacks/bento/components/output/kafka_depot.md, fastbase_depot.md, bento_on_dataos.md."""
    found = _lint(
        tmp_path,
        """\
    input:
      http_server:
        path: /lookup
    pipeline:
      processors:
        - branch:
            request_map: root.id = this.device_id
            processors:
              - dataos_sql_raw:
                  address: dataos://metisdb:public/table_entity?acl=rw
                  query: "SELECT * FROM table_entity where id = $1"
                  args_mapping: '[this.id]'
            result_map: root.table_result = json()
    output:
      - broker:
          pattern: fan_out
          outputs:
            - kafka:
                addresses:
                  - 20.193.133.234:9092
                topic: kafka_test01
                sasl:
                  mechanism: PLAIN
                  user: admin
                  password: ${KAFKA_PASSWORD}
            - plugin:
                address: dataos://fastbase:default/test08
                metadata:
                  format: AVRO
                  type: STREAM
              type: dataos_depot
            - label: i_kafka
              dataos_kafka:
                address: dataos://kafkabento:default/output02?acl=rw
                max_in_flight: 64
                sasl:
                  mechanism: PLAIN
            - stdout: {}
""",
    )
    assert found == []


def test_the_list_of_outputs_is_checked_item_by_item(tmp_path: Path) -> None:
    found = _lint(tmp_path, "    input:\n      stdin: {}\n    output:\n      - stdout:\n          codek: lines\n")
    assert found == [
        (12, 11, "WL132", "warning", "the Bento output `stdout` has no field `codek`; did you mean `codec`?"),
    ]


def test_an_unlisted_component_is_a_warning_and_a_close_one_an_error(tmp_path: Path) -> None:
    found = _lint(
        tmp_path, "    input:\n      stdin: {}\n    output:\n      teleport: {}\n    buffer:\n      memroy: {}\n"
    )
    assert found == [
        (
            11,
            7,
            "WL131",
            "warning",
            "`teleport` is not a Bento output worker-lint knows; check its spelling, or keep it if your DataOS release"
            " builds it in",
        ),
        (13, 7, "WL130", "error", "`memroy` is not a Bento buffer; did you mean `memory`?"),
    ]


def test_fields_written_beside_their_component_are_one_finding_each(tmp_path: Path) -> None:
    """The d6f7ffe9 sample Worker's lost indentation: `url:` beside `http_client:`, not also a missing `url`."""
    found = _lint(
        tmp_path,
        "    input:\n      http_client:\n      url: https://randomuser.me/api/\n      verb: GET\n"
        "    output:\n      stdout: {}\n",
    )
    assert found == [
        (
            line,
            7,
            "WL132",
            "warning",
            f"`{name}` is a field of the Bento input `http_client` but sits beside it; the indentation broke here:"
            " indent it under `http_client:`",
        )
        for line, name in ((10, "url"), (11, "verb"))
    ]


def test_interpolations_placeholders_and_go_booleans_are_not_type_errors(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
    input:
      label: ${! meta("topic") }
      kafka:
        addresses: ${{kafka-addresses}}
        topics: [orders]
        checkpoint_limit: ${CHECKPOINT_LIMIT}
        start_from_oldest: yes
        batching:
          count: 10.0
    output:
      http_client:
        url: https://example.com
        verb: 42
        max_in_flight: ${MAX:64}
""",
    )
    assert found == []


def test_wrong_types_inside_components(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
    input:
      broker:
        inputs: stdin
    output:
      broker:
        outputs:
          - plugin: dataos
          - fallback:
              stdout: {}
""",
    )
    assert found == [
        (10, 17, "WL103", "error", "`inputs` of the Bento input `broker` must be a list, not a string (`stdin`)"),
        (
            14,
            21,
            "WL103",
            "error",
            "`plugin` of the Bento output `plugin` must be a mapping, not a string (`dataos`)",
        ),
        (16, 15, "WL103", "error", "`fallback` of the Bento output `fallback` must be a list, not a mapping"),
    ]


def test_only_bento_workers_are_checked(tmp_path: Path) -> None:
    header = HEADER.replace("stack: bento", "stack: container")
    found = _lint(tmp_path, "    image: alpine\n    input:\n      kafka_franzz: {}\n", header)
    assert [code for _, _, code, _, _ in found if code.startswith("WL13")] == []


def test_the_rename_fix(tmp_path: Path) -> None:
    path = tmp_path / "worker.yaml"
    path.write_text(HEADER + "    input:\n      stdn: {}\n    output:\n      stdout: {}\n", encoding="utf-8")
    run = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "worker.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert path.read_text(encoding="utf-8").endswith("    input:\n      stdin: {}\n    output:\n      stdout: {}\n")


def test_the_catalogue_is_read_only_when_a_bento_worker_is_linted(tmp_path: Path) -> None:
    """A run without a Bento Worker never reads the catalogue: its load is the first use of `dataos.bento`."""
    (tmp_path / "worker.yaml").write_text(
        HEADER.replace("stack: bento", "stack: container") + "    image: alpine\n", encoding="utf-8"
    )
    probe = (
        "import sys\n"
        "from worker_lint.api import lint\n"
        "from worker_lint.core.settings import Settings\n"
        "from worker_lint.dataos import bento\n"
        "dict(lint([sys.argv[1]], settings=Settings()))\n"
        "print(bento._catalogue.cache_info().currsize)\n"
    )
    container = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "worker.yaml")], capture_output=True)
    assert container.stdout.decode().strip() == "0", container.stderr
    (tmp_path / "worker.yaml").write_text(HEADER + "    input:\n      stdin: {}\n", encoding="utf-8")
    with_bento = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "worker.yaml")], capture_output=True)
    assert with_bento.stdout.decode().strip() == "1", with_bento.stderr


def test_the_shipped_catalogue_is_what_the_generator_makes(tmp_path: Path) -> None:
    require_shared("bento", "bento.schema.json")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bento_catalogue.py"), "--shared", str(SHARED), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    shipped = ROOT / "schemas" / "bento"
    assert (tmp_path / "catalogue.json").read_bytes() == (shipped / "catalogue.json").read_bytes()
    assert (tmp_path / "LICENSE-bento").read_bytes() == (shipped / "LICENSE-bento").read_bytes()


@pytest.mark.parametrize(
    ("kind", "count"),
    [("input", 66), ("output", 80), ("processor", 80), ("cache", 16), ("rate_limit", 2), ("buffer", 4)],
)
def test_the_catalogue_holds_every_documented_component(kind: str, count: int) -> None:
    catalogue = json.loads((ROOT / "schemas" / "bento" / "catalogue.json").read_text(encoding="utf-8"))
    assert len(catalogue["kinds"][kind]) == count


def test_every_section_that_holds_components(tmp_path: Path) -> None:
    found = _lint(
        tmp_path,
        """\
    input:
      stdin: {}
    input_resources:
      - label: in
        stdn: {}
    processor_resources:
      - label: p
        mappin: root = this
    output_resources:
      - label: out
        stdot: {}
    cache_resources:
      - label: c
        memroy: {}
    metrics:
      mapping: root = this
      prometheus:
        use_histogram_timin: true
    tracer:
      jaegr: {}
    output:
      resource: out
""",
    )
    assert [(line, code, message.split(";")[0]) for line, _, code, _, message in found] == [
        (12, "WL130", "`stdn` is not a Bento input"),
        (15, "WL130", "`mappin` is not a Bento processor"),
        (18, "WL130", "`stdot` is not a Bento output"),
        (21, "WL130", "`memroy` is not a Bento cache"),
        (25, "WL132", "the Bento metrics exporter `prometheus` has no field `use_histogram_timin`"),
        (27, "WL130", "`jaegr` is not a Bento tracer"),
    ]
