"""The pre-commit hook, run by real pre-commit (`try-repo`) from this repository into a fresh environment.

pre-commit installs the hook repository as an ordinary (non-editable) package,
so a passing run also proves the wheel ships `rules/` and `schemas/`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

GOOD = (ROOT / "examples" / "good" / "sleep-worker.yaml").read_text(encoding="utf-8")
BAD = GOOD.replace("replicas: 1", 'replicas: "two"')


def test_hook_definition():
    from worker_lint.document.parse import parse

    hooks = parse((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")).documents[0].data
    assert hooks == [
        {
            "id": "worker-lint",
            "name": "worker-lint",
            "description": "Lint DataOS Worker and Bundle manifests; YAML files that are not DataOS resources are skipped.",
            "entry": "worker-lint check",
            "language": "python",
            "types_or": ["yaml"],
            "require_serial": True,
            "minimum_pre_commit_version": "2.9.0",
        }
    ]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: installing it is the slow part."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")  # not a DataOS resource
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    return tmp_path


def try_repo(project: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "worker-lint",
            "--color",
            "never",
            "--files",
            *files,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.mark.slow  # installing the hook into a fresh environment takes most of a minute
def test_hook_fails_with_the_diagnostic_on_a_bad_manifest(project: Path, pre_commit_home: Path):
    result = try_repo(project, pre_commit_home, "bad.yaml", "good.yaml", "ci.yml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "worker-lint" in result.stdout and "Failed" in result.stdout
    assert "bad.yaml:12:13: error WL103 `spec.replicas` must be an integer, not a string (`two`)" in result.stdout
    assert "good.yaml:" not in result.stdout and "ci.yml:" not in result.stdout


@pytest.mark.slow  # installing the hook into a fresh environment takes most of a minute
def test_hook_passes_on_good_manifests(project: Path, pre_commit_home: Path):
    result = try_repo(project, pre_commit_home, "good.yaml", "ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
