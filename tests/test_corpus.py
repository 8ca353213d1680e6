"""The 90 real manifests from DataOS's public docs: none crashes the tool, the valid ones lint clean.

SOURCES.tsv describes each file. A file counts as carrying a real defect when its
note says so ("looks invalid", a YAML error), marks it as a fragment of a manifest,
or says it holds documentation placeholders (`${{ }}`, `<angle>`), which are
unfilled templates. Every other file must get no error-level diagnostic.

The corpus is a flat folder, so the `file:` references of its Bundles point at
paths that are not there; the file-existence rule is deselected for the
clean-file check and covered by the Bundle tests with real layouts.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import missing_shared, run_cli

DEFECT_MARKERS = (
    "looks invalid",
    "YAML ERROR",
    "fragment",
    "contains ${{ }} placeholders",
    "<angle> placeholder",
    "bare {{ }}; historical",
)


def _notes(shared: Path) -> dict[str, str]:
    with open(shared / "corpus" / "dataos" / "SOURCES.tsv", encoding="utf-8") as handle:
        return {row["file"]: row["note"] for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def corpus_run():
    shared = Path(__file__).resolve().parents[1].parent / "shared"
    if not shared.is_dir():
        missing_shared("../shared is not present")
    folder = shared / "corpus" / "dataos"
    result = run_cli("check", "--format", "json", ".", cwd=folder)
    return shared, result


def test_every_file_lints_without_a_crash(corpus_run):
    _shared, result = corpus_run
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr
    assert not [d for d in result.diagnostics if d["code"] == "WL900"]


def test_files_without_known_defects_get_no_error(corpus_run):
    shared, result = corpus_run
    notes = _notes(shared)
    assert len(notes) == 90
    errors = defaultdict(list)
    for d in result.diagnostics:
        if d["severity"] == "error" and d["code"] not in LAYOUT_DEPENDENT:
            errors[Path(d["path"]).name].append(f"{d['line']}:{d['column']} {d['code']} {d['message']}")
    clean = {name for name, note in notes.items() if not any(m in note for m in DEFECT_MARKERS)}
    assert len(clean) > 40
    assert {name: errors[name] for name in sorted(clean) if errors.get(name)} == {}


def test_files_with_known_defects_are_reported(corpus_run):
    shared, result = corpus_run
    notes = _notes(shared)
    reported = {Path(d["path"]).name for d in result.diagnostics if d["severity"] in ("error", "warning")}
    defective = {name for name, note in notes.items() if any(m in note for m in DEFECT_MARKERS[:2])}
    assert sorted(defective - reported) == []


#: rules whose verdict depends on the folder layout the manifests were published in
LAYOUT_DEPENDENT = frozenset({"WL413"})


def test_json_output_is_valid_for_every_file(corpus_run):
    _shared, result = corpus_run
    json.loads(result.stdout)
