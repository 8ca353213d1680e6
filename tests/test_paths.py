"""Paths are shown one way everywhere: relative inside the folder, absolute outside, `/` separators."""

from __future__ import annotations

from pathlib import Path

from worker_lint.core.paths import relative


def test_relative_inside_absolute_outside(tmp_path: Path) -> None:
    inside = tmp_path / "a" / "w.yaml"
    assert relative(inside, tmp_path) == "a/w.yaml"
    assert relative(tmp_path, tmp_path) == "."
    assert relative(tmp_path / "x.yaml", tmp_path / "a") == (tmp_path / "x.yaml").as_posix()
    assert relative(tmp_path / "x.yaml", tmp_path / "a", climb=True) == "../x.yaml"
    assert relative("<stdin>", tmp_path) == "<stdin>"


def test_the_working_directory_by_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert relative("sub/../w.yaml") == "w.yaml"
    assert relative(str(tmp_path / "w.yaml")) == "w.yaml"
