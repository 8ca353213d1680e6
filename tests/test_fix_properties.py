"""Properties of `--fix --unsafe-fixes` over the shared corpus and generated manifests.

After fixing: the file still parses; lines outside the edits are unchanged;
a second run fixes nothing; no diagnostic appears that was not there; and the
plain data differs only at the fixed paths.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from worker_lint.checks.context import Project
from worker_lint.core.settings import Settings
from worker_lint.document.parse import parse
from worker_lint.document.source import decode
from worker_lint.run.engine import check_text
from worker_lint.run.fixing import chosen_fix, fix_bytes

CORPUS = SHARED / "corpus" / "dataos"


def _data(raw: bytes) -> list[Any]:
    text = decode(raw).text
    assert text is not None
    parsed = parse(text, Settings().limits)
    assert not [f for f in parsed.findings if f.code == "WL001"]
    return [doc.data for doc in parsed.documents]


def _differences(a: Any, b: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                out.append(path + (key,))
            else:
                out += _differences(a[key], b[key], path + (key,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, path + (i,))]
    return [] if a == b and type(a) is type(b) else [path]


def check_properties(raw: bytes, name: str = "m.yaml") -> None:
    settings = Settings()
    before = check_text(raw, name, settings)
    outcome = fix_bytes(raw, name, settings, Project(settings), unsafe=True, result=before)
    if outcome.fixed is None:
        assert not outcome.applied
        return
    fixed = outcome.fixed
    # it parses, and nothing is reported that was not reported before
    after = check_text(fixed, name, settings)
    assert not [d for d in after.diagnostics if d.code == "WL001"]
    known = {(d.code, d.document, d.json_path) for d in before.diagnostics}
    assert [d for d in after.diagnostics if (d.code, d.document, d.json_path) not in known] == []
    # idempotent: a second run has nothing to fix
    assert fix_bytes(fixed, name, settings, Project(settings), unsafe=True).fixed is None
    # lines outside the edits stay byte for byte: no more lines change than the applied edits touch
    touched = sum(
        e.span.end_line - e.span.line + 1 + e.content.count("\n")
        for d in outcome.applied
        for e in chosen_fix(d, True).edits
    )
    old_lines, new_lines = raw.splitlines(keepends=True), fixed.splitlines(keepends=True)
    changed = sum(
        max(i2 - i1, j2 - j1)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
        if tag != "equal"
    )
    assert changed <= touched
    assert raw.endswith(b"\n") == fixed.endswith(b"\n")
    assert (b"\r\n" in raw) == (b"\r\n" in fixed) or b"\r\n" not in raw
    # the data differs only at (or beside, for a renamed key) a fixed path
    old_docs, new_docs = _data(raw), _data(fixed)
    assert len(old_docs) == len(new_docs)
    fixed_paths = [(d.document, d.json_path) for d in outcome.applied if d.json_path]
    for index, (a, b) in enumerate(zip(old_docs, new_docs)):
        for path in _differences(a, b):
            assert any(
                doc == index and len(path) >= len(p) and path[: len(p) - 1] == p[:-1] for doc, p in fixed_paths
            ), (name, path, fixed_paths)


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_properties_hold_on_the_whole_corpus():
    fixed = 0
    for path in _corpus():
        raw = path.read_bytes()
        check_properties(raw, path.name)
        check_properties(raw.replace(b"\n", b"\r\n"), path.name)
        fixed += fix_bytes(raw, path.name, Settings(), Project(Settings()), unsafe=True).fixed is not None
    assert fixed >= 10  # the corpus has real defects with fixes: the properties were exercised


# -- generated manifests: a valid Worker with slips of the kinds that have fixes

_SLIPS = {
    "stackSpec": ["stackSpec", "stackspec", "StackSpec", "stackSpecs", "container"],
    "replicas": ["replicas: 2", 'replicas: "2"', "replicas: '3'", "replicas: 2\n  replicas: 3"],
    "memory": ["2Gi", "2 Gi", "2gi", '"16 Gi"', "500m", "'1mi'"],
    "layer": ["user", "User", "USER", "'System'"],
    "log": ["logLevel: INFO", "logLevl: INFO", "loglevel: INFO"],
    "tag": ["a", "${owner}", "'${team}-x'", '"${Env}"'],
    "comment": ["", "  # note", "  # worker-lint: disable=WL102", "  # worker-lint: disable=WL102,WL201 -- why"],
}


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    pick = {k: draw(st.sampled_from(v)) for k, v in _SLIPS.items()}
    flow = draw(st.booleans())
    resources = (
        f"  resources: {{limits: {{memory: {pick['memory']}}}}}\n"
        if flow
        else f"  resources:\n    limits:\n      memory: {pick['memory']}{pick['comment']}\n"
    )
    doc = (
        f"version: v1beta\nname: orders-relay\ntype: worker\nlayer: {pick['layer']}\n"
        f"description: |\n  a\tblock\n  \tscalar\nworker:\n"
        f"  {pick['replicas']}{pick['comment']}\n  stack: container\n  compute: runnable-default\n"
        f"  {pick['log']}\n  tags: [{pick['tag']}]\n{resources}"
        f"  {pick['stackSpec']}:{pick['comment']}\n    image: docker.io/library/alpine:3.20\n"
    )
    text = doc + ("---\n" + doc if draw(st.booleans()) else "")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text.encode()


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_properties_hold_on_generated_manifests(raw: bytes):
    check_properties(raw)


_BASE = (
    'version: v1beta\nname: orders-relay\ntype: worker\nworker:\n  replicas: "2"\n  stack: container\n'
    "  compute: runnable-default\n  stackspec:\n    image: x\n  resources:\n    limits: {memory: 2gi}\n"
)


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(_BASE)),
    st.text(alphabet=st.sampled_from(list(" \t\n\r:-#'\"{}[],&*!|>?%@`\\ab1\u00e9\u2028")), max_size=8),
)
def test_mangled_manifests_never_break_fixing(at: int, noise: str):
    raw = (_BASE[:at] + noise + _BASE[at:]).encode()
    settings = Settings()
    outcome = fix_bytes(raw, "m.yaml", settings, Project(settings), unsafe=True)
    if outcome.fixed is not None:
        check_properties(raw)
