"""The README's CI snippets (GitHub Actions, reviewdog, GitLab), taken from the README verbatim:
each parses, installs from the repository at a pinned commit, and each worker-lint command it
runs works, with those flags, on the bundled examples."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, require_shared, run_cli

INSTALL = 'pip install "git+REPOSITORY_URL@COMMIT_SHA"'


def snippet(heading: str) -> str:
    """The first ```yaml block under the README heading ``heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^#+ {re.escape(heading)}\n.*?^```yaml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert found is not None, heading
    return found.group(1)


def _data(text: str) -> Any:
    from worker_lint.document.parse import parse

    parsed = parse(text)
    assert not parsed.findings
    return parsed.documents[0].data


def _github_commands(heading: str) -> list[str]:
    workflow = _data(snippet(heading))
    assert set(workflow) >= {"name", "on", "jobs"}
    [job] = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    return [step["run"] for step in job["steps"] if "run" in step]


def _run(command: str, cwd: Path) -> Any:
    """A `worker-lint ...` command line of a snippet, in-process from the shell's words (what a pipe or
    `|| true` follows is the shell's, not worker-lint's)."""
    words = shlex.split(command.split(" | ")[0].split(" || ")[0])
    assert words[0] == "worker-lint"
    return run_cli(*words[1:], cwd=cwd)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def test_github_code_scanning_snippet(examples: Path):
    install, check = _github_commands("GitHub Actions: code scanning")
    assert install == INSTALL
    result = _run(check, examples)
    assert result.returncode == 1 and result.stdout == ""
    log = json.loads((examples / "worker-lint.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert {"WL102", "WL103", "WL106"} <= {r["ruleId"] for r in results}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "bad/replicas-and-typos.yaml" in uris  # relative to where it ran (no repository around the copy)


def test_github_reviewdog_snippet(examples: Path):
    import jsonschema

    workflow = _data(snippet("GitHub Actions: review comments with reviewdog"))
    [job] = workflow["jobs"].values()
    assert {"uses": "reviewdog/action-setup@v1"} in job["steps"]
    install, review = _github_commands("GitHub Actions: review comments with reviewdog")
    assert install == INSTALL
    check, reviewdog = review.split(" | ")
    assert shlex.split(reviewdog)[:2] == ["reviewdog", "-f=rdjson"]
    result = _run(check, examples)
    assert result.returncode == 1
    schema = json.loads(require_shared("schemas-ext", "rdjson", "DiagnosticResult.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(result.json)
    assert ("bad/replicas-and-typos.yaml", "WL103") in {
        (d["location"]["path"], d["code"]["value"]) for d in result.json["diagnostics"]
    }


def test_gitlab_snippet(examples: Path):
    config = _data(snippet("GitLab CI: Code Quality and test reports"))
    job = config["worker-lint"]
    install, junit, codequality = job["script"]
    assert install == INSTALL
    assert junit.endswith(" || true")
    assert _run(junit, examples).returncode == 1
    suites = ET.parse(examples / "worker-lint.xml").getroot()
    assert int(suites.get("failures") or suites[0].get("failures") or 0) > 0
    assert _run(codequality, examples).returncode == 1
    issues = json.loads((examples / "gl-code-quality.json").read_text(encoding="utf-8"))
    assert "WL103" in {issue["check_name"] for issue in issues}
    reports = job["artifacts"]["reports"]
    assert (reports["codequality"], reports["junit"]) == ("gl-code-quality.json", "worker-lint.xml")


def test_the_install_line_installs_from_the_repository_at_a_commit(tmp_path: Path):
    """`git+URL@SHA`, with this repository and its HEAD filled in, builds worker-lint."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    requirement = shlex.split(INSTALL)[2].replace("REPOSITORY_URL", ROOT.as_uri())
    requirement = requirement.replace("COMMIT_SHA", head.stdout.strip())
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            requirement,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    assert [p.name.split("-")[0] for p in tmp_path.glob("*.whl")] == ["worker_lint"]
