"""`check --changed-since REF`: the files changed since a git revision and the Bundles naming them, nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

#: every manifest carries one unknown field, so the report shows which files were linted
WORKER = "name: {name}\nversion: v1beta\ntype: worker\nzz: 1\nworker:\n  stack: bento-worker:3.0\n  compute: runnable-default\n"
BUNDLE = "name: {name}\nversion: v1beta\ntype: bundle\nzz: 1\nbundle:\n  resources:\n{items}"
ITEM = "    - id: {id}\n      file: {file}\n      workspace: public\n"


def _bundle(name: str, *files: str) -> str:
    return BUNDLE.format(name=name, items="".join(ITEM.format(id=f"r{i}", file=f) for i, f in enumerate(files)))


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of two data products: `orders` (a Worker, its Bundle, and a Bundle naming that Bundle) and
    `billing` (a Worker and its Bundle), all committed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    files = {
        "orders/relay.yaml": WORKER.format(name="relay"),
        "orders/report.yaml": WORKER.format(name="report"),
        "orders/bundle.yaml": _bundle("orders", "relay.yaml", "report.yaml"),
        "release.yaml": _bundle("release", "orders/bundle.yaml"),
        "billing/invoice.yaml": WORKER.format(name="invoice"),
        "billing/bundle.yaml": _bundle("billing", "invoice.yaml"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    return tmp_path


def _linted(repo: Path, *args: str) -> tuple[list[tuple[str, int, str]], str]:
    """(path, line, code) of every diagnostic, and the summary line."""
    result = run_cli("check", "--no-cache", *args, cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    as_json = run_cli("check", "--no-cache", "--format", "json", *args, cwd=repo)
    rows = sorted((d["path"], d["line"], d["code"]) for d in as_json.diagnostics)
    summary = [line for line in result.stdout.splitlines() if line.startswith(("Found", "All checks"))]
    return rows, summary[0] if summary else ""


def _edit_relay(repo: Path) -> None:
    path = repo / "orders" / "relay.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: relay", "name: relay-v2"), encoding="utf-8")


@pytest.mark.parametrize("state", ["committed", "staged", "unstaged"])
def test_a_changed_worker_brings_its_bundle_and_the_bundle_naming_that_one(repo: Path, state: str):
    _edit_relay(repo)
    if state != "unstaged":
        _git(repo, "add", "orders/relay.yaml")
    if state == "committed":
        _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "relay")
    since = "HEAD~1" if state == "committed" else "HEAD"
    rows, summary = _linted(repo, "--changed-since", since, "--select", "WL102")
    # the unchanged Worker beside it and the billing product are not linted
    assert rows == [("orders/bundle.yaml", 4, "WL102"), ("orders/relay.yaml", 4, "WL102"), ("release.yaml", 4, "WL102")]
    assert summary == "Found 3 errors in 3 of 3 files."


def test_an_untracked_file_is_linted_and_an_ignored_one_is_not(repo: Path):
    (repo / "billing" / "new.yaml").write_text(WORKER.format(name="new"), encoding="utf-8")
    (repo / "billing" / "ignored.yaml").write_text(WORKER.format(name="ignored"), encoding="utf-8")
    (repo / ".gitignore").write_text("ignored.yaml\n", encoding="utf-8")
    rows, _ = _linted(repo, "--changed-since", "HEAD")
    assert rows == [("billing/new.yaml", 4, "WL102")]


def test_a_deleted_worker_brings_the_bundles_that_still_name_it(repo: Path):
    (repo / "billing" / "invoice.yaml").unlink()
    rows, summary = _linted(repo, "--changed-since", "HEAD", "--select", "WL102,WL413")
    assert rows == [("billing/bundle.yaml", 4, "WL102"), ("billing/bundle.yaml", 8, "WL413")]
    assert summary == "Found 2 errors in 1 of 1 file."


def test_only_the_paths_given_are_looked_at(repo: Path):
    _edit_relay(repo)
    (repo / "billing" / "invoice.yaml").write_text(WORKER.format(name="invoice-v2"), encoding="utf-8")
    rows, _ = _linted(repo, "--changed-since", "HEAD", "billing")
    assert rows == [("billing/bundle.yaml", 4, "WL102"), ("billing/invoice.yaml", 4, "WL102")]


def test_nothing_changed_lints_nothing_and_says_so(repo: Path):
    result = run_cli("check", "--no-cache", "--changed-since", "HEAD", cwd=repo)
    assert (result.returncode, result.stdout) == (0, "No problems found in 0 files.\n")
    assert result.stderr == "warning: no manifest changed since HEAD under the paths given\n"


def test_a_revision_that_does_not_exist_is_a_usage_error(repo: Path):
    result = run_cli("check", "--changed-since", "no-such-branch", cwd=repo)
    assert result.returncode == 2
    assert f"--changed-since: `no-such-branch` is not a revision of the repository at {repo}" in result.stderr
    # a value git would read as an option is a revision that does not exist, never an option
    hostile = run_cli("check", "--changed-since=--output=written", cwd=repo)
    assert hostile.returncode == 2
    assert "`--output=written` is not a revision" in hostile.stderr
    assert not (repo / "written").exists()


def test_outside_a_repository_and_with_standard_input_it_is_a_usage_error(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(WORKER.format(name="w"), encoding="utf-8")
    outside = run_cli("check", "--changed-since", "HEAD", cwd=tmp_path)
    assert outside.returncode == 2
    assert f"--changed-since needs a git repository, and {tmp_path} is not inside one" in outside.stderr
    piped = run_cli("check", "--changed-since", "HEAD", "-", cwd=tmp_path, stdin="name: x\n")
    assert piped.returncode == 2
    assert "--changed-since cannot be combined with `-`" in piped.stderr


def test_the_repositorys_own_git_configuration_runs_nothing(repo: Path):
    marker = repo.parent / "fsmonitor-ran"
    hook = repo / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    os.chmod(hook, 0o755)
    _git(repo, "config", "core.fsmonitor", str(hook))
    _edit_relay(repo)
    rows, _ = _linted(repo, "--changed-since", "HEAD", "--select", "WL102")
    assert [row[0] for row in rows] == ["orders/bundle.yaml", "orders/relay.yaml", "release.yaml"]
    assert not marker.exists()
