"""The shared corpora are reached through one fixture: a failure under CI, a skip that says why elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _run_without_shared(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """A copy of the test helpers in a folder with no ../shared beside it."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (project / "tests" / "test_needs_shared.py").write_text(
        "def test_corpus(shared):\n    assert (shared / 'corpus').is_dir()\n"
    )
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_missing_shared_fails_under_ci(tmp_path: Path) -> None:
    result = _run_without_shared(tmp_path, "true")
    assert result.returncode != 0
    assert "CI=true but" in result.stdout + result.stderr
    assert "corpus/dataos/SOURCES.tsv" in result.stdout + result.stderr


def test_missing_shared_skips_with_the_reason_elsewhere(tmp_path: Path) -> None:
    result = _run_without_shared(tmp_path, "")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "shared is missing (the shared corpora and references beside the checkout)" in result.stdout
