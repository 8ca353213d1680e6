"""The pre-commit hook, run by real pre-commit (`try-repo`) from this repository into a fresh environment.

pre-commit installs the hook repository as an ordinary (non-editable) package,
so a passing run also proves the wheel ships `rules/` and `schemas/`.
"""

from __future__ import annotations

import importlib.util
import os
import re
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


def _hooks() -> list[dict[str, object]]:
    from worker_lint.document.parse import parse

    return parse((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")).documents[0].data  # type: ignore[no-any-return]


def test_hook_definition():
    assert _hooks() == [
        {
            "id": "worker-lint",
            "name": "worker-lint",
            "description": "Lint DataOS Worker and Bundle manifests; YAML files that are not DataOS resources are skipped.",
            "entry": "worker-lint check",
            "language": "python",
            "types_or": ["yaml"],
            "require_serial": True,
            "minimum_pre_commit_version": "2.9.0",
        },
        {
            "id": "worker-lint-fix",
            "name": "worker-lint (fix)",
            "description": "Apply worker-lint's safe fixes to DataOS Worker and Bundle manifests, then lint what is left.",
            "entry": "worker-lint check",
            "args": ["--fix"],
            "language": "python",
            "types_or": ["yaml"],
            "require_serial": True,
            "minimum_pre_commit_version": "2.9.0",
        },
    ]


def _readme_config() -> str:
    """The README's `.pre-commit-config.yaml`, verbatim."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^```yaml\n(# \.pre-commit-config\.yaml\n.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_readme_snippet_names_the_hooks_and_its_placeholders():
    from worker_lint.document.parse import parse

    snippet = _readme_config()
    [repo] = parse(snippet).documents[0].data["repos"]
    assert (repo["repo"], repo["rev"]) == ("REPOSITORY_URL", "COMMIT_SHA")
    commented = re.findall(r"^\s*# - id: (\S+)$", snippet, re.MULTILINE)
    assert [hook["id"] for hook in repo["hooks"]] + commented == [hook["id"] for hook in _hooks()]


def test_autoupdate_freeze_pins_the_readme_snippet_to_a_commit(tmp_path: Path):
    """What the README says to do: the URL filled in, `pre-commit autoupdate --freeze` writes a full SHA."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_readme_config().replace("REPOSITORY_URL", str(ROOT)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "home"), PRE_COMMIT_COLOR="never")
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "autoupdate", "--freeze"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", head)
    assert f"updating COMMIT_SHA -> {head}" in run.stdout
    expected = _readme_config().replace("REPOSITORY_URL", str(ROOT)).replace("rev: COMMIT_SHA", f"rev: {head}")
    assert config.read_text(encoding="utf-8") == expected


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


def try_repo(project: Path, home: Path, *files: str, hook: str = "worker-lint") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            hook,
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


@pytest.mark.slow  # installing the hook into a fresh environment takes most of a minute
def test_fix_hook_fixes_what_it_can_and_stops_the_commit(project: Path, pre_commit_home: Path):
    fixable = project / "fixable.yaml"
    fixable.write_text(GOOD.replace("stackSpec:", "stackspec:"), encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=project, check=True)
    result = try_repo(project, pre_commit_home, "fixable.yaml", "bad.yaml", "good.yaml", hook="worker-lint-fix")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "worker-lint (fix)" in result.stdout and "files were modified by this hook" in result.stdout
    assert fixable.read_text(encoding="utf-8") == GOOD
    # what cannot be fixed is still reported
    assert "bad.yaml:12:13: error WL103 `spec.replicas` must be an integer, not a string (`two`)" in result.stdout
    assert "fixable.yaml:" not in result.stdout.split("Fixed")[0]
