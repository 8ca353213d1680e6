"""The wheel ships rules/ and schemas/, and the installed tool finds them (as pre-commit installs it)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("worker_lint-*.whl")
    return found


def test_wheel_contains_rules_and_schemas(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    pages = {p.name for p in (ROOT / "rules").glob("*.md")}
    schemas = {p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").rglob("*.json")}
    assert {f"worker_lint/_data/rules/{p}" for p in pages} <= names
    assert {f"worker_lint/_data/schemas/{s}" for s in schemas} <= names


def test_installed_wheel_finds_its_data(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: v2alpha\nname: Bad_Name\ntype: worker\nspec: {compute: c, stack: container, stackSpec: {image: i}}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import worker_lint.core.data as d; print(d.data_dir('rules'))"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert probe.stdout.strip() == str(target / "worker_lint" / "_data" / "rules")
    run = subprocess.run(
        [sys.executable, "-m", "worker_lint", "check", "bad.yaml"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 1
    assert run.stdout.startswith("bad.yaml:2:7: error WL106 ")
