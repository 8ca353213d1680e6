"""Fixes through the command line: what is written, what is left alone byte for byte, and what is reported."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from test_formats import validate_sarif

BAD = ROOT / "examples" / "bad"
HEAD = "version: v1beta\nname: orders-relay\ntype: worker\n"


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_fix_on_the_bad_examples_fixes_the_safe_fix_and_nothing_else(tmp_path: Path):
    shutil.copytree(BAD, tmp_path / "bad")
    before = {p.name: p.read_bytes() for p in (tmp_path / "bad").iterdir()}
    first = run_cli("check", "--no-cache", "bad", cwd=tmp_path)
    assert (
        "bad/replicas-and-typos.yaml:9:3: error WL102 [*] unknown field `stackspec` in `spec`; did you mean"
        " `stackSpec`?" in first.stdout
    )
    assert first.stdout.rstrip().endswith("1 fixable with --fix.")

    diff = run_cli("check", "--no-cache", "--diff", "bad", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout == (
        "--- bad/replicas-and-typos.yaml\n+++ bad/replicas-and-typos.yaml\n"
        '@@ -6,5 +6,5 @@\n   compute: runnable-default\n   replicas: "two"\n   stack: container\n'
        "-  stackspec:\n+  stackSpec:\n     image: docker.io/library/alpine:3.20\n"
    )
    assert "Would fix 1 problem in 1 file." in diff.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "bad").iterdir()} == before  # --diff writes nothing

    fixed = run_cli("check", "--no-cache", "--fix", "bad", cwd=tmp_path)
    assert fixed.returncode == 1  # errors without a safe fix remain
    assert "WL102" not in fixed.stdout and "Fixed 1 problem in 1 file." in fixed.stdout
    after = {p.name: p.read_bytes() for p in (tmp_path / "bad").iterdir()}
    assert after == {
        **before,
        "replicas-and-typos.yaml": before["replicas-and-typos.yaml"].replace(b"  stackspec:", b"  stackSpec:"),
    }

    again = run_cli("check", "--no-cache", "bad", cwd=tmp_path)
    assert "[*]" not in again.stdout and "fixable" not in again.stdout
    assert run_cli("check", "--no-cache", "--diff", "bad", cwd=tmp_path).returncode == 0


def test_unsafe_fixes_need_the_flag_and_the_summary_counts_them(tmp_path: Path):
    _write(
        tmp_path / "w.yaml",
        HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  logLevl: INFO\n"
        "  stackspec:\n    image: docker.io/library/alpine:3.20\n",
    )
    report = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert "w.yaml:7:3: error WL102 unknown field `logLevl`" in report.stdout  # unsafe: not marked
    assert "w.yaml:8:3: error WL102 [*] unknown field `stackspec`" in report.stdout
    assert report.stdout.endswith("1 fixable with --fix (1 more with --unsafe-fixes).\n")
    marked = run_cli("check", "--no-cache", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert "w.yaml:7:3: error WL102 [*] unknown field `logLevl`" in marked.stdout
    assert marked.stdout.endswith("2 fixable with --fix --unsafe-fixes.\n")
    assert (tmp_path / "w.yaml").read_text().count("stackspec") == 1  # --unsafe-fixes alone writes nothing

    safe = run_cli("check", "--no-cache", "--fix", "w.yaml", cwd=tmp_path)
    assert safe.returncode == 1 and "logLevl" in (tmp_path / "w.yaml").read_text()
    assert "stackSpec:" in (tmp_path / "w.yaml").read_text()
    both = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "--show-fixes", "w.yaml", cwd=tmp_path)
    assert both.returncode == 0, both.stdout
    assert (
        both.stdout
        == "No problems found in 1 file.\nw.yaml:\n  1 x WL102 (unknown-field)\nFixed 1 problem in 1 file.\n"
    )
    assert (tmp_path / "w.yaml").read_text() == HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n  logLevel: INFO\n"
        "  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )


def test_fix_only_reports_nothing_that_remains(tmp_path: Path):
    _write(
        tmp_path / "w.yaml",
        HEAD + 'worker:\n  stack: container\n  replicas: "2"\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n',
    )
    result = run_cli("check", "--no-cache", "--fix-only", "w.yaml", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == "Fixed 1 problem in 1 file.\n"
    assert "  replicas: 2\n" in (tmp_path / "w.yaml").read_text()


def test_stdin_fix_prints_the_fixed_text_and_reports_on_stderr(tmp_path: Path):
    text = (
        HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  replicas: '3'  # three\n"
        "  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )
    result = run_cli("check", "--no-cache", "--fix", "-", cwd=tmp_path, stdin=text)
    assert result.stdout == text.replace("'3'  # three", "3  # three")
    assert "No problems found in 1 file." in result.stderr and "Fixed 1 problem in 1 file." in result.stderr
    assert result.returncode == 0
    unchanged = HEAD + "worker: {}\n"
    result = run_cli("check", "--no-cache", "--fix", "-", cwd=tmp_path, stdin=unchanged)
    assert result.stdout == unchanged and result.returncode == 1


def test_crlf_bom_mode_and_missing_final_newline_are_kept(tmp_path: Path):
    text = (
        "\ufeff" + HEAD + "worker:\n  replicas: 2\n  stack: container\n  compute: runnable-default\n"
        "  replicas: 3\n  stackspec:\n    image: x\n  resources:\n    limits:\n      memory: 2gi"
    ).replace("\n", "\r\n")
    target = _write(tmp_path / "w.yaml", text)
    os.chmod(target, 0o640)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert (
        target.read_bytes()
        == (
            "\ufeff" + HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
            "  replicas: 3\n  stackSpec:\n    image: x\n  resources:\n    limits:\n"
            "      memory: 2Gi"
        )
        .replace("\n", "\r\n")
        .encode()
    )
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_comments_tabs_in_block_scalars_flow_style_and_several_documents(tmp_path: Path):
    text = (
        HEAD + "description: |\n  a\ttabbed\tline\n  \tand another\n"
        "worker:\n  stack: container  # the stack\n  compute: runnable-default\n"
        '  replicas: "2"  # two, "quoted"\n'
        "  resources: {requests: {memory: 16 Gi, cpu: 100m}, limits: {cpu: 1, cpu: 2}}\n"
        "  stackspec:   # settings\n    image: x\n"
        "---\n" + HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
        "  tags: [a, b]\n  container:\n    image: y\n"
    )
    target = _write(tmp_path / "w.yaml", text)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert target.read_text() == (
        HEAD + "description: |\n  a\ttabbed\tline\n  \tand another\n"
        "worker:\n  stack: container  # the stack\n  compute: runnable-default\n"
        '  replicas: 2  # two, "quoted"\n'
        "  resources: {requests: {memory: 16Gi, cpu: 100m}, limits: {cpu: 2}}\n"
        "  stackSpec:   # settings\n    image: x\n"
        "---\n" + HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
        "  tags: [a, b]\n  stackSpec:\n    image: y\n"
    )
    assert "Fixed 5 problems in 1 file." in result.stdout


def test_a_file_with_a_syntax_error_is_never_touched(tmp_path: Path):
    text = HEAD + "worker:\n  stackspec:\n    image: [x\n"
    target = _write(tmp_path / "w.yaml", text)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "WL001" in result.stdout
    assert target.read_text() == text


def test_a_fix_that_adds_a_diagnostic_is_rolled_back_and_reported(tmp_path: Path):
    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n  resources:\n    requests:\n"
        "      memory: 16Gi\n    limits:\n      memory: 500m\n  stackspec:\n    image: x\n"
    )
    target = _write(tmp_path / "w.yaml", text)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert target.read_text() == text.replace("stackspec", "stackSpec")  # the other fix of the pass still applies
    assert (
        "worker-lint: w.yaml:11:15: the fix for WL203 was not applied: it would introduce WL201 at 9:15:"
        " `worker.resources.requests.memory` is `16Gi`, above its limit `500Mi`"
    ) in result.stderr
    assert "w.yaml:11:15: warning WL203 [*]" in result.stdout


def test_a_symbolic_link_out_of_the_project_is_not_written_through(tmp_path: Path):
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    (project / ".worker-lint.yaml").write_text("select: [ALL]\n")
    text = HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  stackspec:\n    image: x\n"
    real = _write(outside / "w.yaml", text)
    (project / "link.yaml").symlink_to(real)
    inside = _write(project / "real.yaml", text)
    (project / "inner-link.yaml").symlink_to(inside)
    result = run_cli("check", "--no-cache", "--fix", "link.yaml", cwd=project)
    assert real.read_text() == text
    # a link out of the project is not even read, so there is nothing to fix through it
    assert "link.yaml:1:1: error WL012 `link.yaml` is a symbolic link to" in result.stdout
    run_cli("check", "--no-cache", "--fix", "inner-link.yaml", cwd=project)
    assert (project / "inner-link.yaml").is_symlink() and "stackSpec:" in inside.read_text()


def test_fix_settings_from_the_configuration(tmp_path: Path):
    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n  stackspec:\n    image: x\n"
        "  resources:\n    limits:\n      memory: 500m\n"
    )
    _write(tmp_path / "w.yaml", text)
    config = tmp_path / ".worker-lint.yaml"
    config.write_text("unfixable: [WL102]\nextend-safe-fixes: [WL203]\n")
    report = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert "error WL102 unknown field" in report.stdout and "warning WL203 [*]" in report.stdout
    config.write_text("extend-unsafe-fixes: [WL1]\n")
    report = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert "error WL102 unknown field" in report.stdout and report.stdout.endswith(
        "2 fixable with --fix --unsafe-fixes.\n"
    )
    config.write_text("fixable: [WL2]\nunfixable: [WL1]\n")
    run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert (tmp_path / "w.yaml").read_text() == text.replace("500m", "500Mi")
    config.write_text("fixable: [WL9999]\n")
    bad = run_cli("check", "--no-cache", "w.yaml", cwd=tmp_path)
    assert (bad.returncode, bad.stderr) == (2, ".worker-lint.yaml:1:11: unknown rule code `WL9999`\n")


def test_json_and_sarif_carry_the_fixes(tmp_path: Path):
    _write(
        tmp_path / "w.yaml",
        HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
        "  resources:\n    requests:\n      memory: 2Gi\n    limits:\n      memory: 1Gi\n  stackSpec:\n    image: x\n",
    )
    (diagnostic,) = run_cli("check", "--no-cache", "--format", "json", "w.yaml", cwd=tmp_path).diagnostics
    assert diagnostic["code"] == "WL201"
    assert diagnostic["fixes"] == [
        {
            "title": "Lower the request to the limit `1Gi`",
            "applicability": "display-only",
            "edits": [{"line": 9, "column": 15, "end_line": 9, "end_column": 18, "content": "1Gi"}],
        },
        {
            "title": "Raise the limit to the request `2Gi`",
            "applicability": "display-only",
            "edits": [{"line": 11, "column": 15, "end_line": 11, "end_column": 18, "content": "2Gi"}],
        },
    ]
    log = json.loads(run_cli("check", "--no-cache", "--format", "sarif", "w.yaml", cwd=tmp_path).stdout)
    validate_sarif(log)
    (result,) = log["runs"][0]["results"]
    assert result["fixes"][1] == {
        "description": {"text": "Raise the limit to the request `2Gi`"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": "w.yaml", "uriBaseId": "%SRCROOT%"},
                "replacements": [
                    {
                        "deletedRegion": {"startLine": 11, "startColumn": 15, "endLine": 11, "endColumn": 18},
                        "insertedContent": {"text": "2Gi"},
                    }
                ],
            }
        ],
        "properties": {"applicability": "display-only"},
    }


def test_fixes_survive_the_result_cache(tmp_path: Path):
    _write(
        tmp_path / "w.yaml",
        HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  stackspec:\n    image: x\n",
    )
    first = run_cli("check", "--cache-dir", "c", "w.yaml", cwd=tmp_path)
    second = run_cli("check", "--cache-dir", "c", "w.yaml", cwd=tmp_path)
    assert "[*]" in first.stdout and second.stdout == first.stdout
    fixed = run_cli("check", "--cache-dir", "c", "--fix", "w.yaml", cwd=tmp_path)
    assert fixed.returncode == 0 and "stackSpec:" in (tmp_path / "w.yaml").read_text()
    assert run_cli("check", "--cache-dir", "c", "w.yaml", cwd=tmp_path).stdout == "No problems found in 1 file.\n"


def test_unused_suppression_codes_are_removed_one_at_a_time(tmp_path: Path):
    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n"
        "  # worker-lint: disable-file=WL201\n"
        "  replicas: 2  # worker-lint: disable=WL102, WL201 -- old  # keep this\n"
        "  stackSpec:\n    image: x\n"
    )
    target = _write(tmp_path / "w.yaml", text)
    result = run_cli("check", "--no-cache", "--fix", "w.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert target.read_text() == HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n"
        "  replicas: 2  # keep this\n  stackSpec:\n    image: x\n"
    )


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_nothing_to_fix_exits_as_check_does(tmp_path: Path, flag: str):
    _write(
        tmp_path / "w.yaml",
        HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  stackSpec:\n    image: x\n",
    )
    result = run_cli("check", "--no-cache", flag, "w.yaml", cwd=tmp_path)
    assert result.returncode == 0


def test_a_file_that_needs_more_passes_than_allowed_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from worker_lint.checks.context import Project
    from worker_lint.core.settings import Settings
    from worker_lint.run import fixing

    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n"
        "  replicas: 2  # worker-lint: disable=WL102,WL201,WL202\n  stackSpec:\n    image: x\n"
    )
    settings = Settings()
    # the middle code waits for the first pass, whose two fixes it touches; the comment goes in the third
    complete = fixing.fix_bytes(text.encode(), "w.yaml", settings, Project(settings), unsafe=False)
    assert complete.converged and len(complete.applied) == 3
    assert (
        complete.fixed
        == (
            HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
            "  replicas: 2\n  stackSpec:\n    image: x\n"
        ).encode()
    )
    monkeypatch.setattr(fixing, "MAX_PASSES", 1)
    partial = fixing.fix_bytes(text.encode(), "w.yaml", settings, Project(settings), unsafe=False)
    assert not partial.converged and len(partial.applied) == 2  # the first and the last code: they do not touch
    fixer = fixing.Fixer(settings, fix=True, unsafe=False, diff=False, fix_only=False, show=False, files=[], buffers={})
    fixer.outcomes.append(partial)
    import io
    import sys

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    fixer.finish([], "", "text")
    assert (
        err.getvalue() == "worker-lint: w.yaml: fixes did not converge after 1 passes; the file was fixed as far"
        " as it got, please report it\n"
    )


def test_a_deselected_syntax_error_still_keeps_the_file_untouched(tmp_path: Path):
    text = HEAD + 'worker:\n  replicas: "2"\n  stackspec: {image: [x}\n'
    target = _write(tmp_path / "w.yaml", text)
    run_cli("check", "--no-cache", "--ignore", "WL001", "--fix", "w.yaml", cwd=tmp_path)
    assert target.read_text() == text


def test_a_link_through_a_folder_outside_the_project_is_not_written_through(tmp_path: Path):
    outside = tmp_path / "outside"
    project = tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    (project / ".worker-lint.yaml").write_text("select: [ALL]\n")
    text = HEAD + "worker:\n  stack: container\n  compute: runnable-default\n  stackspec:\n    image: x\n"
    real = _write(outside / "w.yaml", text)
    (project / "linked").symlink_to(outside)
    result = run_cli("check", "--no-cache", "--fix", "linked/w.yaml", cwd=project)
    assert real.read_text() == text and "outside the project" in result.stderr


def test_an_unknown_dependency_with_two_close_ids_gets_no_fix(tmp_path: Path):
    text = (
        "name: b\nversion: v1beta\ntype: bundle\nbundle:\n  resources:\n"
        "    - id: orders-depot-a\n      spec: {name: a, version: v1, type: depot, depot: {type: s3}}\n"
        "    - id: orders-depot-b\n      spec: {name: b, version: v1, type: depot, depot: {type: s3}}\n"
        "    - id: audit-log\n      spec: {name: p, version: v1, type: policy, policy: {}}\n"
        "      dependencies: [orders-depot-c, audit-logs]\n"
    )
    _write(tmp_path / "b.yaml", text)
    found = run_cli("check", "--no-cache", "--format", "json", "b.yaml", cwd=tmp_path).diagnostics
    assert [(d["code"], d["json_path"], [f["title"] for f in d["fixes"]]) for d in found] == [
        ("WL401", ["bundle", "resources", 2, "dependencies", 0], []),
        ("WL401", ["bundle", "resources", 2, "dependencies", 1], ["Depend on `audit-log`"]),
    ]


def test_the_cache_gives_back_equal_fixes():
    from linting import lint_text

    from worker_lint.run.cache import dump, load

    text = HEAD + (
        "worker:\n  stack: container\n  compute: runnable-default\n  resources:\n    requests:\n"
        "      memory: 2Gi\n    limits:\n      memory: 1Gi\n  stackspec:\n    image: x\n"
    )
    diagnostics = lint_text(text, "w.yaml")
    assert sum(len(d.fixes) for d in diagnostics) == 3
    assert load(dump(diagnostics)) == diagnostics
    with pytest.raises(ValueError):
        load([{**dump(diagnostics)[0], "fixes": [["t", "sometimes", []]]}])
