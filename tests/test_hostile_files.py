"""Hostile files and trees: a repository's own git configuration, endless standard input, links out of the project."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_hostile import VALID, _limit_memory, cli_found
from test_hostile_cache import cli

BROKEN = VALID.replace("  compute: runnable-default\n", "")


# ---------------------------------------------------------------- 13: the linted tree's git configuration


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_check_ignore_never_runs_the_trees_fsmonitor(tmp_path: Path):
    project = tmp_path / "vendored"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    marker = tmp_path / "ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    subprocess.run(["git", "-C", str(project), "config", "core.fsmonitor", str(hook)], check=True)
    (project / "w.yaml").write_text(BROKEN, encoding="utf-8")
    (project / "ignored").mkdir()
    (project / "ignored" / "x.yaml").write_text("a: [\n", encoding="utf-8")
    (project / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    subprocess.run(
        ["git", "-C", str(project), "add", "w.yaml", ".gitignore"],
        check=True,
        env={**os.environ, "GIT_CONFIG_PARAMETERS": "'core.fsmonitor=false'"},
    )
    marker.unlink(missing_ok=True)
    run = cli("check", "--format", "json", "--no-cache", ".", cwd=project)
    assert not marker.exists(), "the repository's core.fsmonitor command ran"
    assert (run.returncode, cli_found(run)) == (
        1,
        [("w.yaml", "WL101", 4, 1, "missing required field `compute` in `worker`")],
    )  # and ignored/ is still skipped


# ---------------------------------------------------------------- 22: standard input without end


def test_endless_standard_input_stops_at_the_file_size_limit(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    yes = subprocess.Popen(
        [sys.executable, "-c", "import sys\nwhile True: sys.stdout.buffer.write(b'y\\n' * 65536)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "worker_lint", "check", "--format", "json", "--no-cache", "-"],
            stdin=yes.stdout,
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            preexec_fn=_limit_memory,
        )
    finally:
        yes.kill()
        yes.wait()
    assert b"Traceback" not in done.stderr
    assert done.returncode == 1
    (diagnostic,) = __import__("json").loads(done.stdout)["diagnostics"]
    assert (
        diagnostic["path"],
        diagnostic["code"],
        diagnostic["line"],
        diagnostic["column"],
        diagnostic["message"],
    ) == (
        "<stdin>",
        "WL011",
        1,
        1,
        "the file is larger than 52,428,800 bytes; it was not read"
        " (split it, or raise `max-file-size` in the configuration if it really is a manifest)",
    )


# ---------------------------------------------------------------- 25: a link out of the project


@pytest.mark.parametrize("cache", [["--no-cache"], ["--cache-dir", "cache"]], ids=["no-cache", "cache"])
def test_the_folder_walk_never_follows_a_link_out_of_the_project(tmp_path: Path, cache: list[str]):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("password: hunter2\nkey: [unclosed\n", encoding="utf-8")
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / ".git").mkdir()
    (project / "w.yaml").write_text(VALID, encoding="utf-8")
    os.symlink(outside / "secret.yaml", project / "sub" / "leak.yaml")
    os.symlink("../w.yaml", project / "sub" / "alias.yaml")  # inside: linted as before
    for _ in range(2):  # the second run with a cache too
        run = cli("check", "--format", "json", *cache, ".", cwd=project)
        assert "hunter2" not in run.stdout
        assert (run.returncode, cli_found(run)) == (
            1,
            [
                (
                    "leak.yaml",
                    "WL012",
                    1,
                    1,
                    f"`leak.yaml` is a symbolic link to `{outside / 'secret.yaml'}`, outside the"
                    f" project (`{project}`); it was not read",
                )
            ],
        )
    text = cli("check", "--no-cache", "sub/leak.yaml", cwd=project)
    assert "hunter2" not in text.stdout and text.returncode == 1


# ---------------------------------------------------------------- issue 13, 8: portability and packaging


def test_importing_the_writer_leaves_the_umask_alone(monkeypatch: pytest.MonkeyPatch):
    calls: list[int] = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0o022)
    import worker_lint.core.atomic

    importlib.reload(worker_lint.core.atomic)
    assert calls == []


def test_writes_need_no_fchmod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Windows has no os.fchmod before Python 3.13; a new file gets the usual mode from the umask anyway."""
    from worker_lint.core import atomic

    monkeypatch.delattr(os, "fchmod", raising=False)
    atomic.write_bytes(tmp_path / "report.txt", b"x\n")
    assert (tmp_path / "report.txt").read_bytes() == b"x\n"
    if os.name == "posix":
        mask = os.umask(0)
        os.umask(mask)
        assert (tmp_path / "report.txt").stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_license_and_the_python_versions_are_there():
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    # no URL that points nowhere: the project has no public home yet
    assert "urls" not in project
    # the classifiers name the versions CI runs the suite on, from requires-python up
    assert project["requires-python"] == ">=3.10"
    versions = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if re.fullmatch(r".* :: 3\.\d+", c)]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"for version in {' '.join(versions)}; do" in ci
