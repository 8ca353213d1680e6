"""Generate (once) and describe the benchmark corpora with the shared deterministic generator."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Corpus:
    """One input the tools are timed on: a folder of files or a single big file."""

    label: str
    #: what the tools are given: the folder, or the one file
    target: Path
    files: tuple[Path, ...]
    #: False when some files hold several YAML documents, which check-jsonschema cannot read
    single_document: bool
    #: how many files the corpus has (``files`` is the list itself)
    count: int
    size_bytes: int


def _stamp(generator: Path, args: list[str]) -> str:
    digest = hashlib.sha256(generator.read_bytes()).hexdigest()[:16]
    return json.dumps({"generator": digest, "args": args})


def ensure_repository(root: Path) -> None:
    """Make the corpus folder a git repository of its own.

    The corpora sit under bench/out/, which this project's .gitignore
    excludes, and worker-lint skips git-ignored files when it walks a folder.
    As their own repository they are linted like manifests in any project,
    git's ignore check included.
    """
    root.mkdir(parents=True, exist_ok=True)
    if (root / ".git").exists() or shutil.which("git") is None:
        return
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def _generate(generator: Path, out: Path, args: list[str]) -> None:
    """Run the generator into ``out`` unless a finished run with the same inputs is there."""
    stamp_file = out / ".stamp"
    stamp = _stamp(generator, args)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(f"generating {out.name} ...", file=sys.stderr, flush=True)
    subprocess.run(
        [sys.executable, str(generator), "--out", str(out), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Written last: an interrupted generation is redone next time, never reused half-made.
    stamp_file.write_text(stamp)


def _describe(label: str, target: Path, files: list[Path], single_document: bool) -> Corpus:
    return Corpus(label, target, tuple(files), single_document, len(files), sum(f.stat().st_size for f in files))


def file_corpus(generator: Path, root: Path, n: int, seed: int, multidoc: float) -> Corpus:
    """``n`` generated manifests; ``multidoc`` is the fraction of multi-document files (0 for all single)."""
    name = f"files-{n}-seed{seed}" + (f"-multidoc{multidoc:g}" if multidoc else "")
    out = root / name
    _generate(generator, out, ["--n", str(n), "--seed", str(seed), "--multidoc", repr(multidoc)])
    files = sorted(out.glob("*.yaml"))
    label = f"{n} file" + ("s" if n != 1 else "") + (", multi-document" if multidoc else "")
    # One file is named as an editor or a pre-commit hook names it, not found by walking a folder.
    target = files[0] if n == 1 else out
    return _describe(label, target, files, single_document=not multidoc)


def big_corpora(generator: Path, root: Path, seed: int, which: list[str]) -> list[Corpus]:
    """The 1 MB and 10 MB single-document files (the generator writes both at once)."""
    out = root / f"big-seed{seed}"
    _generate(generator, out, ["--big", "--seed", str(seed)])
    result = []
    for size in which:
        path = out / f"big-{size}.yaml"
        result.append(_describe(f"one {size.upper()} file", path, [path], single_document=True))
    return result
