"""The baseline: keyed by file, rule and JSON path, counted, written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from worker_lint.core.diagnostic import Diagnostic, Severity, Span
from worker_lint.run import baseline
from worker_lint.run.baseline import BaselineError


def diag(path: str, code: str, json_path: tuple[str | int, ...], line: int, message: str = "m") -> Diagnostic:
    return Diagnostic(path, Span(line, 3, line, 7), code, "name", Severity.ERROR, message, json_path)


def test_written_baseline_is_sorted_relative_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ci").mkdir()
    found = [
        diag("workers/b.yaml", "WL102", ("worker", "logLevl"), 8),
        diag("workers/a.yaml", "WL201", ("worker", "resources", "requests", "cpu"), 12),
        diag("workers/a.yaml", "WL101", (), 1),
        diag("workers/a.yaml", "WL201", ("worker", "resources", "requests", "cpu"), 30),
        diag("workers/a.yaml", "WL102", ("bundle", "resources", 10, "id"), 4),
        diag("workers/a.yaml", "WL102", ("bundle", "resources", 2, "id"), 5),
    ]
    assert baseline.write(Path("ci/baseline.json"), found) == 5
    document = json.loads((tmp_path / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert document == {
        "worker-lint-baseline": 1,
        "entries": [
            {"file": "../workers/a.yaml", "code": "WL101", "path": [], "count": 1},
            {"file": "../workers/a.yaml", "code": "WL102", "path": ["bundle", "resources", 2, "id"], "count": 1},
            {"file": "../workers/a.yaml", "code": "WL102", "path": ["bundle", "resources", 10, "id"], "count": 1},
            {
                "file": "../workers/a.yaml",
                "code": "WL201",
                "path": ["worker", "resources", "requests", "cpu"],
                "count": 2,
            },
            {"file": "../workers/b.yaml", "code": "WL102", "path": ["worker", "logLevl"], "count": 1},
        ],
    }
    assert [p.name for p in (tmp_path / "ci").iterdir()] == ["baseline.json"]  # no temporary file left behind


def test_known_problems_survive_shifted_lines_and_new_wording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    baseline.write(Path("baseline.json"), [diag("w.yaml", "WL102", ("worker", "logLevl"), 8, "old wording")])
    later = [
        diag("w.yaml", "WL102", ("worker", "logLevl"), 15, "new wording"),
        diag("w.yaml", "WL102", ("worker", "stackSpc"), 16),
    ]
    result = baseline.load(Path("baseline.json")).filter(later)
    assert [(d.span.line, d.json_path) for d in result.new] == [(16, ("worker", "stackSpc"))]
    assert [d.span.line for d in result.known] == [15]
    assert result.fixed == 0


def test_counts_match_identical_problems_one_for_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    key = ("worker", "envs", "TOKEN")
    baseline.write(Path("b.json"), [diag("w.yaml", "WL301", key, 4), diag("w.yaml", "WL301", key, 9)])
    loaded = baseline.load(Path("b.json"))
    one_fixed = loaded.filter([diag("w.yaml", "WL301", key, 9)])
    assert (len(one_fixed.new), len(one_fixed.known), one_fixed.fixed) == (0, 1, 1)
    one_more = loaded.filter([diag("w.yaml", "WL301", key, n) for n in (4, 9, 12)])
    assert [d.span.line for d in one_more.new] == [12]  # the last in file order is the new one
    assert (len(one_more.known), one_more.fixed) == (2, 0)


def test_files_match_whatever_folder_the_run_starts_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "workers").mkdir()
    monkeypatch.chdir(tmp_path)
    baseline.write(Path("baseline.json"), [diag("workers/w.yaml", "WL102", ("x",), 2)])
    monkeypatch.chdir(tmp_path / "workers")
    result = baseline.load(Path("../baseline.json")).filter([diag("w.yaml", "WL102", ("x",), 2)])
    assert (result.new, len(result.known)) == ([], 1)


def test_other_rules_and_files_are_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    baseline.write(Path("b.json"), [diag("a.yaml", "WL102", ("x",), 2)])
    result = baseline.load(Path("b.json")).filter(
        [diag("a.yaml", "WL103", ("x",), 2), diag("b.yaml", "WL102", ("x",), 2)]
    )
    assert [(d.path, d.code) for d in result.new] == [("a.yaml", "WL103"), ("b.yaml", "WL102")]
    assert result.fixed == 1


def test_standard_input_keeps_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    baseline.write(Path("b.json"), [diag("<stdin>", "WL102", ("x",), 2)])
    assert json.loads(Path("b.json").read_text())["entries"][0]["file"] == "<stdin>"


def test_a_failed_write_leaves_the_old_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    baseline.write(Path("b.json"), [diag("a.yaml", "WL102", ("x",), 2)])
    before = Path("b.json").read_text()

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        baseline.write(Path("b.json"), [])
    assert Path("b.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "b.json: baseline file not found; create it with --write-baseline"),
        ("{not json", "b.json:1:2: the baseline is not valid JSON: Expecting property name enclosed in double quotes"),
        ('{"entries": []}', "b.json: not a worker-lint baseline (version 1); rewrite it with --write-baseline"),
        (
            '{"worker-lint-baseline": 1, "entries": [{"file": "a", "code": "WL1", "path": "x", "count": 1}]}',
            "b.json: entry 0 needs a string `file` and `code`, a list `path` and a positive integer `count`",
        ),
        (
            '{"worker-lint-baseline": 1, "entries": [{"file": "a", "code": "WL1", "path": [], "count": 0}]}',
            "b.json: entry 0 needs a string `file` and `code`, a list `path` and a positive integer `count`",
        ),
    ],
)
def test_bad_baselines_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, message: str
):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        Path("b.json").write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as exc:
        baseline.load(Path("b.json"))
    assert str(exc.value) == message


# -- through the command line -----------------------------------------------------------------------------------


def test_cli_baseline_reports_only_new_problems_after_lines_shift(tmp_path: Path):
    from conftest import ROOT, run_cli

    worker = (ROOT / "examples" / "bad" / "replicas-and-typos.yaml").read_text(encoding="utf-8")
    (tmp_path / "w.yaml").write_text(worker, encoding="utf-8")
    written = run_cli("check", "--write-baseline", "baseline.json", "w.yaml", cwd=tmp_path)
    assert (written.returncode, written.stdout) == (0, "")
    assert written.stderr == "Recorded 3 diagnostics (3 entries) in baseline.json.\n"
    assert run_cli("check", "--baseline", "baseline.json", "w.yaml", cwd=tmp_path).returncode == 0
    # Two comment lines on top shift every line; a new typo appears; the name problem is fixed.
    edited = "# owned by the orders team\n# reviewed\n" + worker.replace("Sleep_Worker", "sleep-worker").replace(
        "  replicas:", "  logLevl: INFO\n  replicas:"
    )
    (tmp_path / "w.yaml").write_text(edited, encoding="utf-8")
    result = run_cli("check", "--format", "json", "--baseline", "baseline.json", "w.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert [(d["line"], d["code"], d["json_path"]) for d in result.diagnostics] == [(9, "WL102", ["spec", "logLevl"])]
    assert result.stderr == (
        "2 diagnostics recorded in baseline.json were not reported.\n"
        "1 problem recorded in baseline.json no longer occur; rewrite it with --write-baseline to lock that in.\n"
    )


def test_cli_baseline_errors_are_usage_errors(tmp_path: Path):
    from conftest import run_cli

    (tmp_path / "w.yaml").write_text("a: 1\n", encoding="utf-8")
    missing = run_cli("check", "--baseline", "none.json", "w.yaml", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2,
        "none.json: baseline file not found; create it with --write-baseline\n",
    )
    both = run_cli("check", "--baseline", "a.json", "--write-baseline", "b.json", "w.yaml", cwd=tmp_path)
    assert both.returncode == 2
    assert "--baseline and --write-baseline cannot be combined" in both.stderr
