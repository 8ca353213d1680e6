"""The engine's guarantees: a failing check costs one diagnostic, selection and severity apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from linting import lint_text

from worker_lint import checks
from worker_lint.config.globs import anchor
from worker_lint.core.diagnostic import Severity
from worker_lint.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BAD = (ROOT / "examples" / "bad" / "replicas-and-typos.yaml").read_text(encoding="utf-8")


def test_a_crashing_check_becomes_an_internal_error_and_the_run_goes_on(monkeypatch: pytest.MonkeyPatch):
    def broken(res, ctx):
        raise KeyError("boom")
        yield  # pragma: no cover

    registry = checks.all_checks() + [checks.CheckSpec(("WL999",), broken, frozenset({"worker"}))]
    monkeypatch.setattr("worker_lint.run.engine.checks_for", lambda kind: registry)
    found = lint_text(BAD, "bad.yaml")
    internal = [d for d in found if d.code == "WL900"]
    assert len(internal) == 1
    assert internal[0].message == "internal error in the check for WL999: KeyError: 'boom'; please report it"
    assert {d.code for d in found} >= {"WL102", "WL103", "WL106"}


def test_select_ignore_and_severity_override():
    assert [d.code for d in lint_text(BAD, "b.yaml", Settings(select=("WL10",), ignore=("WL106",)))] == [
        "WL103",
        "WL102",
    ]
    found = lint_text(BAD, "b.yaml", Settings(select=("WL103",), severity={"WL103": Severity.WARNING}))
    assert [(d.code, d.severity) for d in found] == [("WL103", Severity.WARNING)]
    # per-file globs are anchored to the configuration's folder when settings are loaded
    anchored = anchor("b.yaml", Path.cwd())
    assert lint_text(BAD, "b.yaml", Settings(per_file_ignores={anchored: ("WL1",)}, select=("WL1",))) == []
    assert len(lint_text(BAD, "c.yaml", Settings(per_file_ignores={anchored: ("WL1",)}, select=("WL1",)))) == 3
