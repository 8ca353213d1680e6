"""docs/corpus-triage.md: every error on the two real corpora is counted and explained there.

A change of these figures is made in the table, with its reason; an error code
the table does not list, or a count that moved, fails here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from conftest import missing_shared, run_cli

ROOT = Path(__file__).resolve().parents[1]
_ROW = re.compile(r"^\| (WL\d{3}) \| (\d+) \| (\d+) \| (defect|false error) \|")


def _table() -> dict[str, dict[str, tuple[int, int]]]:
    tables: dict[str, dict[str, tuple[int, int]]] = {}
    corpus = ""
    for line in (ROOT / "docs" / "corpus-triage.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## `corpus/([\w-]+)`", line)
        if heading:
            corpus = heading[1]
            tables[corpus] = {}
        row = _ROW.match(line)
        if row and corpus:
            assert row[1] not in tables[corpus], f"{row[1]} twice for {corpus}"
            tables[corpus][row[1]] = (int(row[2]), int(row[3]))
    return tables


@pytest.mark.parametrize("corpus", ["dataos-docs", "dataos"])
def test_every_error_on_the_corpus_is_triaged(corpus: str) -> None:
    folder = ROOT.parent / "shared" / "corpus" / corpus
    if not folder.is_dir():
        missing_shared(f"../shared/corpus/{corpus} is not present")
    run = run_cli("check", "--no-cache", "--format", "json", ".", cwd=folder)
    assert "Traceback" not in run.stderr
    errors: Counter[str] = Counter()
    files: defaultdict[str, set[str]] = defaultdict(set)
    for d in run.diagnostics:
        if d["severity"] == "error":
            errors[d["code"]] += 1
            files[d["code"]].add(d["path"])
    found = {code: (count, len(files[code])) for code, count in errors.items()}
    assert found == _table()[corpus]
