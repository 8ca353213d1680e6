"""One pipeline: the same bytes under the same name give the same diagnostics from a path, from
standard input with `--stdin-filename`, and from the Python API, with and without the cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

from worker_lint.api import lint
from worker_lint.config import Resolver


def _by_path(diagnostics: list[dict[str, Any]], name: str) -> list[tuple[Any, ...]]:
    return sorted(
        (d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["message"])
        for d in diagnostics
        if d["path"] == name
    )


def _same_everywhere(folder: Path, names: list[str], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = run_cli("check", "--format", "json", "--cache-dir", str(cache), *names, cwd=folder)
    warm = run_cli("check", "--format", "json", "--cache-dir", str(cache), *names, cwd=folder)
    uncached = run_cli("check", "--format", "json", "--no-cache", *names, cwd=folder)
    assert cold.returncode in (0, 1), cold.stderr
    assert cold.stdout == warm.stdout == uncached.stdout
    for name in names:
        expected = _by_path(cold.diagnostics, name)
        piped = run_cli(
            "check",
            "--format",
            "json",
            "--no-cache",
            "--stdin-filename",
            name,
            "-",
            cwd=folder,
            stdin=(folder / name).read_bytes(),
        )
        assert _by_path(piped.diagnostics, name) == expected, name


def _api(folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    monkeypatch.chdir(folder)
    # the configuration of the file's folder, as an editor's buffer gets it (examples/policies has one)
    results = dict(lint(buffers={name: (folder / name).read_bytes()}, settings=Resolver(folder)))
    return sorted(
        (d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.code, d.message)
        for d in results[name].diagnostics
    )


def test_every_example_gives_the_same_diagnostics_from_a_path_stdin_and_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").rglob("*.yaml"))
    assert len(names) >= 5
    _same_everywhere(ROOT, names, tmp_path)
    on_disk = run_cli("check", "--format", "json", "--no-cache", *names, cwd=ROOT).diagnostics
    assert any(d["code"] == "WL102" for d in on_disk)
    for name in names:
        assert _api(ROOT, name, monkeypatch) == _by_path(on_disk, name), name


def test_every_corpus_manifest_gives_the_same_diagnostics_from_a_path_stdin_and_the_api(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(shared / "corpus" / "dataos", folder)
    names = sorted(p.name for p in folder.glob("*.y*ml"))
    assert len(names) >= 90
    _same_everywhere(folder, names, tmp_path)
    on_disk = run_cli("check", "--format", "json", "--no-cache", *names, cwd=folder).diagnostics
    for name in names:
        assert _api(folder, name, monkeypatch) == _by_path(on_disk, name), name


def test_stdin_sees_the_custom_stacks_of_stack_dirs(tmp_path: Path) -> None:
    """An editor piping a Worker in gets the custom Stack's stackSpec errors, not "unknown stack"."""
    (tmp_path / ".worker-lint.yaml").write_text("stack-dirs: [stacks]\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "relay.yaml").write_text(
        'name: relay-def\nversion: v1alpha\ntype: stack\nstack:\n  name: relay\n  version: "1.0"\n'
        '  flavor: python\n  stackSpecValueSchema:\n    jsonSchema: \'{"type": "object", "required":'
        ' ["topic"], "properties": {"topic": {"type": "string"}}}\'\n'
        "  workerConfig:\n    configFileTemplate: x\n"
    )
    (tmp_path / "workers").mkdir()
    worker = tmp_path / "workers" / "w.yaml"
    worker.write_text(
        "name: relay-worker\nversion: v1beta\ntype: worker\nworker:\n  stack: relay+python:1.0\n"
        "  compute: runnable-default\n  stackSpec:\n    topic: 3\n"
    )
    from_file = run_cli("check", "--format", "json", "--no-cache", "workers/w.yaml", cwd=tmp_path)
    piped = run_cli(
        "check",
        "--format",
        "json",
        "--no-cache",
        "--stdin-filename",
        "workers/w.yaml",
        "-",
        cwd=tmp_path,
        stdin=worker.read_bytes(),
    )
    assert from_file.stdout == piped.stdout
    assert [(d["line"], d["code"]) for d in piped.diagnostics if d["path"] == "workers/w.yaml"] == [(8, "WL103")]
