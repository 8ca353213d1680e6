"""The rule contract: a check declares its codes and resource types, and is held to them."""

from __future__ import annotations

from pathlib import Path

import pytest
from linting import lint_text

from worker_lint import catalogue, checks
from worker_lint.core.diagnostic import Finding
from worker_lint.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BAD = (ROOT / "examples" / "bad" / "replicas-and-typos.yaml").read_text(encoding="utf-8")


def test_a_check_must_say_which_resource_types_it_runs_on() -> None:
    with pytest.raises(TypeError, match="kinds"):
        checks.check("WL400")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("codes", "kinds", "message"),
    [
        (("WL998",), {"bundle"}, r"rule codes with a page under rules/; \['WL998'\] given"),
        ((), {"bundle"}, "rule codes with a page under rules/; none given"),
        (("WL400",), {"bundel"}, r"DataOS resource types; \['bundel'\] given"),
        (("WL400",), set(), "DataOS resource types; none given"),
    ],
)
def test_a_declaration_is_checked_when_the_check_registers(
    codes: tuple[str, ...], kinds: set[str], message: str
) -> None:
    with pytest.raises(checks.CheckDeclarationError, match=message):
        checks.check(*codes, kinds=kinds)


def test_every_registered_code_has_a_page() -> None:
    declared = {code for spec in checks.all_checks() for code in spec.codes}
    assert declared <= catalogue.codes()
    assert {"WL120", "WL205", "WL300", "WL400", "WL416"} <= declared


def _module(func: object) -> str:
    return getattr(func, "__module__", "").rpartition(".")[2]


def test_a_module_the_table_of_types_names_holds_only_checks_of_those_types() -> None:
    for spec in checks.all_checks():
        listed = checks.MODULE_KINDS.get(_module(spec.func))
        if listed is not None:
            assert spec.kinds is not None and spec.kinds <= listed, (_module(spec.func), spec.codes)
    for stream_spec in checks.stream_checks():  # text that did not parse has no resource type
        assert _module(stream_spec.func) not in checks.MODULE_KINDS
    modules = {path.stem for path in (ROOT / "worker_lint" / "checks").glob("*.py")}
    assert set(checks.MODULE_KINDS) <= modules


def test_the_checks_of_a_type_are_the_registered_checks_that_run_on_it_in_the_same_order() -> None:
    from worker_lint.dataos.resource import DATAOS_TYPES

    every = checks.all_checks()
    for kind in sorted(DATAOS_TYPES):
        assert checks.checks_for(kind) == [spec for spec in every if spec.kinds is None or kind in spec.kinds]
    assert [_module(spec.func) for spec in every] == sorted(_module(spec.func) for spec in every)


def test_a_code_reported_without_being_declared_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def sloppy(res, ctx):
        yield Finding("WL201", ("worker",), "not mine to report")

    registry = [checks.CheckSpec(("WL205",), sloppy, frozenset({"worker"}))]
    monkeypatch.setattr("worker_lint.run.engine.checks_for", lambda kind: registry)
    internal = [d for d in lint_text(BAD, "bad.yaml") if d.code == "WL900"]
    assert [d.message for d in internal] == [
        "internal error: the check for WL205 reported WL201, which it does not declare; please report it"
    ]


def test_checks_whose_codes_are_all_deselected_do_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def spy(name: str):
        def run(res, ctx):
            ran.append(name)
            return iter(())

        return run

    registry = [
        checks.CheckSpec(("WL205", "WL206"), spy("quantities"), frozenset({"worker"})),
        checks.CheckSpec(("WL210",), spy("autoscaling"), frozenset({"worker"})),
    ]
    monkeypatch.setattr("worker_lint.run.engine.checks_for", lambda kind: registry)
    lint_text(BAD, "bad.yaml", Settings(select=("WL1", "WL206")))
    assert ran == ["quantities"]
    lint_text(BAD, "bad.yaml", Settings(ignore=("WL2",)))
    assert ran == ["quantities"]


def test_the_v1beta_schema_owns_the_legacy_stack_sections() -> None:
    from worker_lint.dataos import schema

    sections = schema.legacy_stack_sections()
    assert {"bento", "container", "scanner", "flare", "beacon"} <= set(sections)
    for key in sections:
        text = f"name: w\nversion: v1beta\ntype: worker\nworker:\n  stack: bento\n  compute: c\n  {key}: {{}}\n"
        assert [(d.code, d.span.line, d.span.column) for d in lint_text(text, "w.yaml") if d.code == "WL123"] == [
            ("WL123", 7, 3)
        ], key


# --- every semantic rule is a check; explanations are declared ----------------------------------------------

_PACKAGE = ROOT / "worker_lint"


def _exact_codes(path: Path) -> set[str]:
    """Every string literal of a module that is a rule code and nothing else: how code decides by code."""
    import ast
    import re

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"WL\d{3}", node.value)
    }


def test_semantic_codes_are_decided_in_checks_only() -> None:
    named = {
        path.relative_to(_PACKAGE).as_posix(): sorted(code for code in _exact_codes(path) if code[2] in "1234")
        for path in sorted(_PACKAGE.rglob("*.py"))
        if path.relative_to(_PACKAGE).parts[0] != "checks"
    }
    assert {module: codes for module, codes in named.items() if codes} == {}


def test_the_engine_names_no_rule_but_the_internal_error() -> None:
    assert _exact_codes(_PACKAGE / "run" / "engine.py") == {"WL900"}


def test_the_resource_schema_check_declares_every_code_the_resource_schemas_name() -> None:
    import re

    from worker_lint.checks import schema_keywords

    spec = next(spec for spec in checks.all_checks() if spec.func.__name__ == "resource_schema")
    named = set(schema_keywords.CODE_BY_KEYWORD.values()) | {
        schema_keywords.INVALID_VALUE,
        schema_keywords.EMPTY_OPTIONAL,
    }
    for path in (ROOT / "schemas").glob("*.json"):
        named |= set(re.findall(r'"x-rule": "(WL\d{3})"', path.read_text(encoding="utf-8")))
    assert named == set(spec.codes)


def test_a_finding_hides_what_its_check_declares_but_not_its_own_checks_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def cause(res, ctx):
        yield Finding("WL205", ("worker", "replicas"), "the cause")
        yield Finding("WL206", ("worker", "replicas"), "the check's own, so shown")

    def effect(res, ctx):
        yield Finding("WL210", ("worker", "replicas"), "an effect, hidden")
        yield Finding("WL210", ("worker",), "about the cause's place, hidden", subject=("worker", "replicas"))
        yield Finding("WL205", ("worker", "replicas"), "hidden too")
        yield Finding("WL210", ("worker", "title"), "elsewhere, so shown")

    registry = [
        checks.CheckSpec(("WL205", "WL206"), cause, frozenset({"worker"}), frozenset({"WL205", "WL206", "WL210"})),
        checks.CheckSpec(("WL205", "WL210"), effect, frozenset({"worker"})),
    ]
    monkeypatch.setattr("worker_lint.run.engine.checks_for", lambda kind: registry)
    found = lint_text(BAD, "bad.yaml")
    assert sorted(d.message for d in found) == ["elsewhere, so shown", "the cause", "the check's own, so shown"]
