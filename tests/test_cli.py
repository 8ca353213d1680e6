"""The command line end to end, in real subprocesses: formats, exit codes, stdin, scope."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

SLEEP_WORKER = (ROOT / "examples" / "good" / "sleep-worker.yaml").read_text(encoding="utf-8")


def test_reference_sleep_worker_is_clean():
    result = run_cli("check", "--format", "json", "examples/good/sleep-worker.yaml", cwd=ROOT)
    assert (result.returncode, result.diagnostics) == (0, [])


def test_replicas_two_is_one_error_at_the_value(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("replicas: 1", 'replicas: "two"'), encoding="utf-8")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert [
        (d["path"], d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["name"], d["severity"])
        for d in result.diagnostics
    ] == [("w.yaml", 12, 13, 12, 18, "WL103", "wrong-type", "error")]
    assert result.diagnostics[0]["message"] == "`spec.replicas` must be an integer, not a string (`two`)"


def test_missing_compute_is_one_error_on_the_spec_line(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert [(d["line"], d["column"], d["code"], d["message"]) for d in result.diagnostics] == [
        (10, 1, "WL101", "missing required field `compute` in `spec`")
    ]


def test_stackspec_typo_suggests_stackSpec(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("stackSpec:", "stackspec:"), encoding="utf-8")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert [(d["line"], d["column"], d["code"], d["message"]) for d in result.diagnostics] == [
        (22, 3, "WL102", "unknown field `stackspec` in `spec`; did you mean `stackSpec`?")
    ]


def test_text_format_matches_the_documented_pattern_and_has_a_caret(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("replicas: 1", 'replicas: "two"'), encoding="utf-8")
    result = run_cli("check", "w.yaml", cwd=tmp_path)
    lines = result.stdout.splitlines()
    pattern = re.compile(
        r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) "
        r"(?P<code>WL\d{3}) (?P<message>.+)$"
    )
    match = pattern.match(lines[0])
    assert match is not None
    assert match.group("file", "line", "col", "severity", "code") == ("w.yaml", "12", "13", "error", "WL103")
    assert lines[1] == '   12 |   replicas: "two"'
    assert lines[2] == "      |             ^^^^^"
    assert lines[-1] == "Found 1 error in 1 of 1 file."
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_colour_is_forced_with_color_but_never_with_no_color(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("replicas: 1", "replicas: 0"), encoding="utf-8")
    assert "\x1b[" in run_cli("check", "--color", "w.yaml", cwd=tmp_path).stdout
    assert "\x1b[" not in run_cli("check", "w.yaml", cwd=tmp_path, env={"NO_COLOR": "1"}).stdout


def test_stdin_with_stdin_filename():
    result = run_cli(
        "check",
        "--format",
        "json",
        "--stdin-filename",
        "from/editor.yaml",
        "-",
        stdin=SLEEP_WORKER.replace("name: sleep-worker", "name: Bad_Name"),
    )
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in result.diagnostics] == [
        ("from/editor.yaml", 3, 7, "WL106")
    ]


def test_directories_are_searched_and_relative_paths_stay_relative():
    result = run_cli("check", "--format", "json", "examples", cwd=ROOT)
    assert result.returncode == 1
    paths = sorted({d["path"] for d in result.diagnostics})
    from worker_lint.config.policy import cel_missing

    assert paths == [
        "examples/bad/missing-compute.yaml",
        "examples/bad/replicas-and-typos.yaml",
        "examples/bad/wrong-body.yaml",
        # with the policies of their own folder's configuration (only CEL ones catch the dev Worker, and
        # where the interpreter has no CEL evaluator, Python 3.10, they are left out)
        *(["examples/policies/dev/orders-relay.yaml"] if cel_missing() is None else []),
        "examples/policies/prod/orders-relay.yaml",
    ]


def test_exit_codes(tmp_path: Path):
    (tmp_path / "good.yaml").write_text(SLEEP_WORKER, encoding="utf-8")
    # an empty optional field: a warning (WL111)
    (tmp_path / "warn.yaml").write_text(SLEEP_WORKER.replace("type: worker", "type: worker\nowner:"), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(SLEEP_WORKER.replace("replicas: 1", "replicas: 0"), encoding="utf-8")
    assert run_cli("check", "good.yaml", cwd=tmp_path).returncode == 0
    assert run_cli("check", "warn.yaml", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--strict", "warn.yaml", cwd=tmp_path).returncode == 1
    assert run_cli("check", "bad.yaml", cwd=tmp_path).returncode == 1
    assert run_cli("check", "--exit-zero", "bad.yaml", cwd=tmp_path).returncode == 0
    missing = run_cli("check", "nowhere.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "path does not exist: nowhere.yaml" in missing.stderr
    assert run_cli("check", "--format", "nonsense", "good.yaml", cwd=tmp_path).returncode == 2
    assert "Traceback" not in missing.stderr


def test_other_yaml_files_get_no_diagnostic(tmp_path: Path):
    (tmp_path / "ci.yml").write_text(
        "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: two\n", encoding="utf-8"
    )
    (tmp_path / "compose.yaml").write_text(
        "version: '3'\nservices:\n  web:\n    image: nginx\n    ports: [80]\n", encoding="utf-8"
    )
    (tmp_path / "cfn.yaml").write_text(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n",
        encoding="utf-8",
    )
    (tmp_path / "helm.yaml").write_text(
        "metadata:\n  name: {{ .Release.Name }}\n  labels: {{- include x }}\n", encoding="utf-8"
    )
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert (result.returncode, result.diagnostics) == (0, [])


def test_rules_and_explain():
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert re.search(r"^WL103  wrong-type\s+error\s+A value of the wrong type", listing.stdout, re.MULTILINE)
    page = run_cli("explain", "WL102")
    assert page.returncode == 0
    # the page's title once, then its severity; fences without the markers the tests read
    assert page.stdout.startswith("# unknown-field (WL102)\n\nDefault severity: error.\n\n## What it does\n")
    assert page.stdout.count("unknown-field (WL102)") == 1
    assert "## Why is this bad?" in page.stdout
    fences = [line for line in page.stdout.splitlines() if line.startswith("```")]
    assert fences and set(fences) <= {"```yaml", "```"}
    assert run_cli("explain", "unknown-field").stdout == page.stdout
    assert run_cli("explain", "WL999").returncode == 2


def test_module_and_version():
    result = run_cli("--version")
    assert result.returncode == 0 and re.match(r"worker-lint, version \d+\.\d+\.\d+", result.stdout)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path):
    # `worker-lint check . | head -1`: the report is far larger than a pipe holds, and the reader leaves.
    spec = "".join(f"  unknownField{i}: {i}\n" for i in range(3000))
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("spec:\n", "spec:\n" + spec, 1), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker_lint", "check", "--no-cache", "w.yaml"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"w.yaml:")
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


def test_a_reader_gone_before_the_report_is_flushed_gets_no_traceback(tmp_path: Path):
    # `worker-lint check w.yaml | true`: a one-line report, still buffered when the process ends.
    (tmp_path / "w.yaml").write_text(SLEEP_WORKER.replace("replicas: 1", 'replicas: "two"'), encoding="utf-8")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout written at exit
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker_lint", "check", "--no-cache", "w.yaml"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=buffered,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
