"""The GitHub Action (action.yml): its inputs, and its steps' commands run as the runner runs them
(bash, the inputs in the environment), and the README's workflow that uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT
from test_readme_ci import snippet

from worker_lint.document.parse import parse


def _action() -> dict[str, Any]:
    parsed = parse((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert not parsed.findings
    return parsed.documents[0].data  # type: ignore[no-any-return]


def test_the_action_is_composite_and_installs_its_own_revision():
    action = _action()
    assert set(action["inputs"]) == {"paths", "args", "sarif-file"}
    assert action["runs"]["using"] == "composite"
    install, lint = action["runs"]["steps"]
    assert install["run"] == 'python3 -m pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"'
    assert set(lint["env"].values()) == {f"${{{{ inputs.{name} }}}}" for name in action["inputs"]}


def _lint(
    tmp_path: Path, paths: str, args: str = "", sarif: str = "worker-lint.sarif"
) -> subprocess.CompletedProcess[str]:
    """The action's lint step, as the runner runs it: bash, with each input's default unless given."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    step = _action()["runs"]["steps"][1]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(
        GITHUB_ACTIONS="true",
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        WORKER_LINT_PATHS=paths,
        WORKER_LINT_ARGS=args,
        WORKER_LINT_SARIF=sarif,
    )
    assert set(step["env"]) == {"WORKER_LINT_PATHS", "WORKER_LINT_ARGS", "WORKER_LINT_SARIF"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=tmp_path / "examples",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_action_annotates_and_writes_sarif(tmp_path: Path):
    run = _lint(tmp_path, "good bad/replicas-and-typos.yaml")
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert (
        "::error file=bad/replicas-and-typos.yaml,line=7,col=13,endLine=7,endColumn=18,"
        "title=worker-lint WL103 (wrong-type)::`spec.replicas` must be an integer, not a string (`two`)"
    ) in lines
    assert [line.split(" ", 1)[0] for line in lines] == ["::error"] * 3
    log = json.loads((tmp_path / "examples" / "worker-lint.sarif").read_text(encoding="utf-8"))
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["WL102", "WL103", "WL106"]


def test_the_action_passes_its_arguments_and_can_skip_sarif(tmp_path: Path):
    run = _lint(tmp_path, "bad/replicas-and-typos.yaml", args="--select WL106", sarif="")
    assert run.returncode == 1, run.stderr
    assert [line.split("title=")[1].split("::")[0] for line in run.stdout.splitlines()] == [
        "worker-lint WL106 (invalid-resource-name)"
    ]
    assert not (tmp_path / "examples" / "worker-lint.sarif").exists()


def test_a_clean_tree_passes(tmp_path: Path):
    run = _lint(tmp_path, "good")
    assert (run.returncode, run.stdout) == (0, "")


def test_the_readme_workflow_uses_the_actions_inputs():
    workflow = parse(snippet("GitHub Actions: the worker-lint action")).documents[0].data
    [job] = workflow["jobs"].values()
    [step] = [s for s in job["steps"] if s.get("uses") == "ACTION_REPOSITORY@COMMIT_SHA"]
    assert set(step["with"]) <= set(_action()["inputs"])
    upload = job["steps"][-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == step["with"]["sarif-file"]
