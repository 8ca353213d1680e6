"""What users of ruff, yamllint and reviewdog reach for: --quiet, --output-format, rdjson,
--exit-non-zero-on-fix, `server --stdio`, and the notes a run prints on standard error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, require_shared, run_cli

BAD = (ROOT / "examples" / "bad" / "replicas-and-typos.yaml").read_text(encoding="utf-8")
GOOD = (ROOT / "examples" / "good" / "sleep-worker.yaml").read_text(encoding="utf-8")
#: the first line of each diagnostic of BAD, as the text report prints it
BAD_HEADS = [
    "w.yaml:3:7: error WL106 `Sleep_Worker` is not a valid resource name: use lower-case letters, digits and '-',"
    " start and end with a letter or digit, at most 48 characters",
    "w.yaml:7:13: error WL103 `spec.replicas` must be an integer, not a string (`two`)",
    "w.yaml:9:3: error WL102 [*] unknown field `stackspec` in `spec`; did you mean `stackSpec`?",
]


def _project(tmp_path: Path, text: str = BAD) -> Path:
    (tmp_path / "w.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_quiet_prints_the_diagnostics_and_no_summary(tmp_path: Path):
    project = _project(tmp_path)
    loud = run_cli("check", "--no-cache", "w.yaml", cwd=project)
    for flag in ("--quiet", "-q"):
        quiet = run_cli("check", "--no-cache", flag, "w.yaml", cwd=project)
        assert quiet.returncode == 1
        assert [line for line in quiet.stdout.splitlines() if not line.startswith(" ")] == BAD_HEADS
        # the same diagnostics and snippets, without the last two lines ("Found 3 errors ...", "1 fixable ...")
        assert quiet.stdout == "".join(line + "\n" for line in loud.stdout.splitlines()[:-2])
        assert loud.stdout.splitlines()[-2:] == ["Found 3 errors in 1 of 1 file.", "1 fixable with --fix."]


def test_quiet_fix_says_nothing_about_what_it_fixed(tmp_path: Path):
    project = _project(tmp_path)
    result = run_cli("check", "--no-cache", "--fix", "-q", "w.yaml", cwd=project)
    assert "stackSpec:" in (project / "w.yaml").read_text(encoding="utf-8")
    assert result.stdout.splitlines()[0] == BAD_HEADS[0] and "Fixed" not in result.stdout + result.stderr


def test_output_format_is_an_alias_of_format(tmp_path: Path):
    project = _project(tmp_path)
    alias = run_cli("check", "--no-cache", "--output-format", "json", "w.yaml", cwd=project)
    assert alias.stdout == run_cli("check", "--no-cache", "--format", "json", "w.yaml", cwd=project).stdout
    assert [(d["line"], d["column"], d["code"]) for d in alias.diagnostics] == [
        (3, 7, "WL106"),
        (7, 13, "WL103"),
        (9, 3, "WL102"),
    ]
    assert "--output-format" in run_cli("check", "--help").stdout


def _rdjson_validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads(require_shared("schemas-ext", "rdjson", "DiagnosticResult.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_rdjson_is_valid_for_reviewdog_with_ranges_and_suggestions(tmp_path: Path):
    project = _project(tmp_path)
    result = run_cli("check", "--no-cache", "--format", "rdjson", "w.yaml", cwd=project)
    assert result.returncode == 1
    report = result.json
    _rdjson_validator().validate(report)
    assert report["source"] == {"name": "worker-lint"}
    first, second, third = report["diagnostics"]
    assert first == {
        "message": BAD_HEADS[0].split(" WL106 ")[1],
        "location": {"path": "w.yaml", "range": {"start": {"line": 3, "column": 7}, "end": {"line": 3, "column": 19}}},
        "severity": "ERROR",
        "source": {"name": "worker-lint"},
        "code": {"value": "WL106"},
    }
    assert "suggestions" not in first and "suggestions" not in second
    assert (second["code"]["value"], second["location"]["range"]["start"]) == ("WL103", {"line": 7, "column": 13})
    # the safe fix --fix applies, as a suggested change
    assert third["suggestions"] == [
        {"range": {"start": {"line": 9, "column": 3}, "end": {"line": 9, "column": 12}}, "text": "stackSpec"}
    ]


def test_rdjson_counts_columns_in_utf8_bytes(tmp_path: Path):
    # `ö` is two bytes: reviewdog's end column is one further than the character column
    project = _project(tmp_path, BAD.replace("Sleep_Worker", "Sleep_Wörker"))
    report = run_cli("check", "--no-cache", "--format", "rdjson", "w.yaml", cwd=project).json
    _rdjson_validator().validate(report)
    assert report["diagnostics"][0]["location"]["range"] == {
        "start": {"line": 3, "column": 7},
        "end": {"line": 3, "column": 20},
    }
    text = run_cli("check", "--no-cache", "--format", "json", "w.yaml", cwd=project).diagnostics[0]
    assert (text["column"], text["end_column"]) == (7, 19)


def test_rdjson_of_a_clean_run_is_valid_and_empty(tmp_path: Path):
    project = _project(tmp_path, GOOD)
    result = run_cli("check", "--no-cache", "--format", "rdjson", "w.yaml", cwd=project)
    assert result.returncode == 0 and result.json == {"source": {"name": "worker-lint"}, "diagnostics": []}
    _rdjson_validator().validate(result.json)


def test_exit_non_zero_on_fix_fails_a_run_that_fixed_everything(tmp_path: Path):
    fixable_only = GOOD.replace("stackSpec:", "stackspec:")
    project = _project(tmp_path, fixable_only)
    plain = run_cli("check", "--no-cache", "--fix", "w.yaml", cwd=project)
    assert plain.returncode == 0 and "Fixed 1 problem in 1 file." in plain.stdout
    (project / "w.yaml").write_text(fixable_only, encoding="utf-8")
    strict = run_cli("check", "--no-cache", "--fix", "--exit-non-zero-on-fix", "w.yaml", cwd=project)
    assert strict.returncode == 1 and "Fixed 1 problem in 1 file." in strict.stdout
    assert (project / "w.yaml").read_text(encoding="utf-8") == GOOD
    # nothing left to fix: the run passes again
    again = run_cli("check", "--no-cache", "--fix", "--exit-non-zero-on-fix", "w.yaml", cwd=project)
    assert again.returncode == 0 and "Fixed 0 problems in 0 files." in again.stdout


def test_server_accepts_stdio():
    result = run_cli("server", "--stdio", "--help")
    assert result.returncode == 0 and "--stdio" in result.stdout


def test_an_empty_tree_says_no_manifests_were_found(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("not yaml\n", encoding="utf-8")
    result = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == "warning: no manifests found (no *.yaml or *.yml file under the paths given)\n"
    assert run_cli("check", "--no-cache", "-q", ".", cwd=tmp_path).stderr == ""


def test_a_baseline_run_says_how_many_diagnostics_it_hid(tmp_path: Path):
    project = _project(tmp_path)
    run_cli("check", "--no-cache", "--write-baseline", "base.json", "w.yaml", cwd=project)
    result = run_cli("check", "--no-cache", "--baseline", "base.json", "w.yaml", cwd=project)
    assert result.returncode == 0 and result.stdout == "No problems found in 1 file.\n"
    assert result.stderr == "3 diagnostics recorded in base.json were not reported.\n"


def test_a_top_level_key_under_worker_says_where_it_belongs(tmp_path: Path):
    text = GOOD.replace("spec:\n", "spec:\n  description: sleeps\n", 1)
    project = _project(tmp_path, text)
    [diagnostic] = run_cli("check", "--no-cache", "--format", "json", "w.yaml", cwd=project).diagnostics
    line = text.splitlines().index("  description: sleeps") + 1
    assert (diagnostic["line"], diagnostic["column"], diagnostic["code"]) == (line, 3, "WL102")
    assert diagnostic["message"] == (
        "unknown field `description` in `spec`; `description` belongs at the top level of the manifest,"
        " beside `name`: move it out of `spec`"
    )


def test_shell_completion_as_the_readme_documents_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '`eval "$(_WORKER_LINT_COMPLETE=bash_source worker-lint)"`' in readme
    # the installed command, as a shell runs it: click names the variable after the program
    command = Path(sys.executable).with_name("worker-lint")
    env = {**os.environ, "_WORKER_LINT_COMPLETE": "bash_source"}
    script = subprocess.run([str(command)], env=env, capture_output=True, text=True, timeout=60)
    assert script.returncode == 0
    assert "complete -o nosort -F _worker_lint_completion worker-lint" in script.stdout
    env = {**os.environ, "_WORKER_LINT_COMPLETE": "bash_complete", "COMP_WORDS": "worker-lint che", "COMP_CWORD": "1"}
    words = subprocess.run([str(command)], env=env, capture_output=True, text=True, timeout=60)
    assert words.stdout.splitlines() == ["plain,check"]


def test_rdjson_never_opens_a_pipe_the_linter_refused(tmp_path: Path):
    # the report reads a file's lines to count bytes: a named pipe (refused with WL012, never opened) must not
    # be opened there either, or the run waits for a writer forever
    os.mkfifo(tmp_path / "pipe.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "worker_lint", "check", "--format", "rdjson", "--no-cache", "pipe.yaml"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    assert [(d["code"]["value"], d["location"]["range"]["start"]) for d in report["diagnostics"]] == [
        ("WL012", {"line": 1, "column": 1})
    ]
