"""CI report formats from one set of diagnostics: SARIF (schema-valid), GitHub, GitLab, JUnit; editor hooks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SHARED, missing_shared, run_cli

from worker_lint import catalogue
from worker_lint.core.diagnostic import Diagnostic, RelatedLocation, Severity, Span
from worker_lint.report import default_format, fingerprints, render

SARIF_SCHEMA = SHARED / "schemas-ext" / "sarif-2.1.0.json"
BAD = ROOT / "examples" / "bad"

#: The VS Code problem matcher the README documents for the text format.
PROBLEM_MATCHER_REGEXP = r"^(.+?):(\d+):(\d+): (error|warning|info) (WL\d{3}) (?:\[\*\] )?(.*)$"


def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        missing_shared("../shared/schemas-ext/sarif-2.1.0.json is not present")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def validate_sarif(log: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.validate(log, sarif_schema())


@pytest.fixture
def sample(tmp_path: Path) -> list[Diagnostic]:
    return [
        Diagnostic(
            str(tmp_path / "workers" / "orders relay.yaml"),
            Span(12, 7, 12, 11),
            "WL102",
            "unknown-field",
            Severity.ERROR,
            "unknown field `cpus`: 50% of\nthe node",
            ("worker", "resources", "cpus"),
            related=(RelatedLocation(Span(10, 3, 10, 12), "the mapping it belongs to"),),
        ),
        Diagnostic(
            str(tmp_path / "workers" / "a,b:c.yaml"),
            Span(3, 1, 3, 5),
            "WL050",
            "unused-suppression",
            Severity.WARNING,
            "`WL102` is not reported <here> & \x01 there",
            (),
        ),
        Diagnostic(
            str(tmp_path / "b.yaml"),
            Span(1, 1, 1, 2),
            "WL109",
            "invalid-log-level",
            Severity.INFO,
            "note",
            ("worker", "logLevel"),
        ),
    ]


# -- SARIF ------------------------------------------------------------------------------------------------------


def test_sarif_is_valid_and_carries_every_rule(sample: list[Diagnostic], tmp_path: Path):
    suppressed = [
        Diagnostic(
            str(tmp_path / "b.yaml"),
            Span(5, 3, 5, 9),
            "WL102",
            "unknown-field",
            Severity.ERROR,
            "unknown field `x`",
            ("worker", "x"),
            suppression_reason="read by the sidecar",
        )
    ]
    rules = catalogue.rules()
    log = json.loads(render("sarif", sample, rules, base=tmp_path, suppressed=suppressed, version="9.8.7"))
    validate_sarif(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    # no informationUri: the project has no public page to point at yet
    assert (driver["name"], driver["version"], "informationUri" in driver) == ("worker-lint", "9.8.7", False)
    assert [r["id"] for r in driver["rules"]] == sorted(rules)
    for descriptor in driver["rules"]:
        meta = rules[descriptor["id"]]
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"] == meta.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == meta.body
        assert (
            descriptor["defaultConfiguration"]["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[meta.severity.value]
        )
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    first = run["results"][0]
    assert first["ruleId"] == "WL102"
    assert driver["rules"][first["ruleIndex"]]["id"] == "WL102"
    assert first["level"] == "error"
    assert first["message"] == {"text": "unknown field `cpus`: 50% of\\nthe node"}  # a message is one line
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "workers/orders%20relay.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 7, "endLine": 12, "endColumn": 11},
            }
        }
    ]
    assert first["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "workers/orders%20relay.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 10, "startColumn": 3, "endLine": 10, "endColumn": 12},
            },
            "message": {"text": "the mapping it belongs to"},
        }
    ]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note", "error"]
    assert "suppressions" not in first
    assert run["results"][3]["suppressions"] == [{"kind": "inSource", "justification": "read by the sidecar"}]
    assert all(len(r["partialFingerprints"]["worker-lint/v1"]) == 32 for r in run["results"])


def test_sarif_uris_outside_the_base_and_from_stdin(tmp_path: Path):
    outside = Diagnostic("/elsewhere/w.yaml", Span(1, 1, 1, 2), "WL101", "missing-required-field", Severity.ERROR, "m")
    piped = Diagnostic("<stdin>", Span(1, 1, 1, 2), "WL101", "missing-required-field", Severity.ERROR, "m")
    log = json.loads(render("sarif", [outside, piped], catalogue.rules(), base=tmp_path))
    validate_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris == [{"uri": "file:///elsewhere/w.yaml"}, {"uri": "stdin"}]


def test_fingerprints_survive_shifted_lines_and_separate_twins():
    def at(line: int, path: tuple[str, ...] = ("worker", "envs")) -> Diagnostic:
        return Diagnostic("w.yaml", Span(line, 3, line, 6), "WL301", "n", Severity.ERROR, "m", path)

    before = fingerprints([at(4), at(9)], None)
    after = fingerprints([at(14), at(19)], None)
    assert before == after
    assert before[0] != before[1]
    assert fingerprints([at(4, ("worker", "other"))], None)[0] != before[0]


# -- GitHub -----------------------------------------------------------------------------------------------------


def test_github_workflow_commands_are_escaped(sample: list[Diagnostic], tmp_path: Path):
    out = render("github", sample, {}, base=tmp_path)
    assert out.splitlines() == [
        "::error file=workers/orders relay.yaml,line=12,col=7,endLine=12,endColumn=11,"
        "title=worker-lint WL102 (unknown-field)::unknown field `cpus`: 50%25 of\\nthe node",
        "::warning file=workers/a%2Cb%3Ac.yaml,line=3,col=1,endLine=3,endColumn=5,"
        "title=worker-lint WL050 (unused-suppression)::`WL102` is not reported <here> & \\x01 there",
        "::notice file=b.yaml,line=1,col=1,endLine=1,endColumn=2,title=worker-lint WL109 (invalid-log-level)::note",
    ]


def test_github_format_is_the_default_inside_github_actions():
    assert default_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert default_format({"GITHUB_ACTIONS": "false"}) is None
    assert default_format({}) is None


# -- GitLab -----------------------------------------------------------------------------------------------------


def test_gitlab_code_quality(sample: list[Diagnostic], tmp_path: Path):
    issues = json.loads(render("gitlab", sample, {}, base=tmp_path))
    assert [{k: v for k, v in issue.items() if k != "fingerprint"} for issue in issues] == [
        {
            "type": "issue",
            "check_name": "WL102",
            "categories": ["Bug Risk"],
            "severity": "major",
            "description": "WL102 unknown field `cpus`: 50% of\\nthe node (unknown-field)",
            "location": {
                "path": "workers/orders relay.yaml",
                "lines": {"begin": 12, "end": 12},
                "positions": {"begin": {"line": 12, "column": 7}, "end": {"line": 12, "column": 11}},
            },
        },
        {
            "type": "issue",
            "check_name": "WL050",
            "categories": ["Style"],
            "severity": "minor",
            "description": "WL050 `WL102` is not reported <here> & \\x01 there (unused-suppression)",
            "location": {
                "path": "workers/a,b:c.yaml",
                "lines": {"begin": 3, "end": 3},
                "positions": {"begin": {"line": 3, "column": 1}, "end": {"line": 3, "column": 5}},
            },
        },
        {
            "type": "issue",
            "check_name": "WL109",
            "categories": ["Style"],
            "severity": "info",
            "description": "WL109 note (invalid-log-level)",
            "location": {
                "path": "b.yaml",
                "lines": {"begin": 1, "end": 1},
                "positions": {"begin": {"line": 1, "column": 1}, "end": {"line": 1, "column": 2}},
            },
        },
    ]
    prints = [issue["fingerprint"] for issue in issues]
    assert len(set(prints)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", p) for p in prints)


def test_gitlab_fingerprints_are_unique_for_identical_problems():
    twins = [Diagnostic("w.yaml", Span(n, 1, n, 2), "WL101", "n", Severity.ERROR, "m", ("worker",)) for n in (2, 8)]
    issues = json.loads(render("gitlab", twins, {}))
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


# -- JUnit ------------------------------------------------------------------------------------------------------


def test_junit_has_a_test_case_per_file_and_a_failure_per_diagnostic(sample: list[Diagnostic], tmp_path: Path):
    out = render("junit", sample, {}, base=tmp_path, files=[str(tmp_path / "clean.yaml"), sample[0].path])
    assert (
        out
        == """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="worker-lint" tests="4" failures="3" errors="0">
  <testsuite name="worker-lint" tests="4" failures="3" errors="0" skipped="0">
    <testcase name="b.yaml" classname="worker-lint" file="b.yaml">
      <failure type="WL109" message="1:1: note">b.yaml:1:1: info [WL109] note (invalid-log-level)</failure>
    </testcase>
    <testcase name="clean.yaml" classname="worker-lint" file="clean.yaml" />
    <testcase name="workers/a,b:c.yaml" classname="worker-lint" file="workers/a,b:c.yaml">
      <failure type="WL050" message="3:1: `WL102` is not reported &lt;here&gt; &amp; \\x01 there">\
workers/a,b:c.yaml:3:1: warning [WL050] `WL102` is not reported &lt;here&gt; &amp; \\x01 there \
(unused-suppression)</failure>
    </testcase>
    <testcase name="workers/orders relay.yaml" classname="worker-lint" file="workers/orders relay.yaml">
      <failure type="WL102" message="12:7: unknown field `cpus`: 50% of\\nthe node">\
workers/orders relay.yaml:12:7: error [WL102] unknown field `cpus`: 50% of\\nthe node (unknown-field)</failure>
    </testcase>
  </testsuite>
</testsuites>
"""
    )
    parsed = ET.fromstring(out.split("\n", 1)[1])
    assert [len(case.findall("failure")) for case in parsed.iter("testcase")] == [1, 0, 1, 1]


# -- through the command line -----------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the bad examples in a subfolder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copytree(BAD, tmp_path / "manifests")
    return tmp_path


def test_cli_sarif_from_a_subfolder_uses_repository_relative_uris(repo: Path):
    result = run_cli("check", "--format", "sarif", ".", cwd=repo / "manifests")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    validate_sarif(log)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    assert sorted({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}) == [
        "manifests/missing-compute.yaml",
        "manifests/replicas-and-typos.yaml",
        "manifests/wrong-body.yaml",
    ]
    assert len(run["tool"]["driver"]["rules"]) == len(catalogue.rules())


def test_cli_sarif_rules_carry_their_page_inline_and_no_help_uri(repo: Path):
    # The project has no public address for its rule pages: a `helpUri` would point nowhere, so each
    # rule carries its whole page as `help` instead, which code scanning shows beside the alert.
    log = json.loads(run_cli("check", "--format", "sarif", "manifests", cwd=repo).stdout)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules if "helpUri" in r] == []
    wl102 = next(r for r in rules if r["id"] == "WL102")
    assert wl102["help"]["markdown"] == catalogue.rules()["WL102"].body
    assert wl102["help"]["markdown"].startswith("# unknown-field (WL102)\n\n## What it does\n")


def test_cli_every_format_reports_the_same_diagnostics(repo: Path):
    expected = sorted(
        (d["path"], d["line"], d["code"])
        for d in run_cli("check", "--format", "json", "manifests", cwd=repo).diagnostics
    )
    assert len(expected) >= 3
    sarif = json.loads(run_cli("check", "--format", "sarif", "manifests", cwd=repo).stdout)
    assert (
        sorted(
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["ruleId"],
            )
            for r in sarif["runs"][0]["results"]
        )
        == expected
    )
    gitlab = json.loads(run_cli("check", "--format", "gitlab", "manifests", cwd=repo).stdout)
    assert sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in gitlab) == expected
    github = run_cli("check", "manifests", cwd=repo, env={"GITHUB_ACTIONS": "true"}).stdout.splitlines()
    found = [re.match(r"::\w+ file=([^,]+),line=(\d+),.*title=worker-lint (WL\d{3}) ", line) for line in github]
    assert sorted((m[1], int(m[2]), m[3]) for m in found if m) == expected
    junit = ET.fromstring(run_cli("check", "--format", "junit", "manifests", cwd=repo).stdout.split("\n", 1)[1])
    failures = [
        (case.get("name"), int(f.get("message").split(":")[0]), f.get("type"))
        for case in junit.iter("testcase")
        for f in case.findall("failure")
    ]
    assert sorted(failures) == expected


def test_cli_output_file_and_statistics_keep_machine_output_parseable(repo: Path):
    result = run_cli("check", "--format", "gitlab", "--statistics", "--output", "cq.json", "manifests", cwd=repo)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(json.loads((repo / "cq.json").read_text(encoding="utf-8"))) >= 3
    assert re.search(r"^\s+1  WL101  missing-required-field \(error\)$", result.stderr, re.M)


# -- editors ----------------------------------------------------------------------------------------------------


def test_text_format_matches_the_documented_problem_matcher(repo: Path):
    result = run_cli("check", "--no-color", "manifests", cwd=repo)
    pattern = re.compile(PROBLEM_MATCHER_REGEXP)
    matched = [pattern.match(line) for line in result.stdout.splitlines()]
    headers = [m.groups() for m in matched if m]
    json_view = run_cli("check", "--format", "json", "manifests", cwd=repo).diagnostics
    assert headers == [
        (d["path"], str(d["line"]), str(d["column"]), d["severity"], d["code"], d["message"]) for d in json_view
    ]
    # the snippet, caret and summary lines never look like a problem
    assert len(result.stdout.splitlines()) > len(headers)


def test_readme_documents_the_same_problem_matcher():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r'"regexp":\s*"((?:[^"\\]|\\.)*)"', readme[readme.index("problemMatcher") :])
    assert documented is not None
    assert json.loads(f'"{documented[1]}"') == PROBLEM_MATCHER_REGEXP
