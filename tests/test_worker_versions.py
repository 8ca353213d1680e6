"""A Worker is v1beta (`worker:`) or v2alpha (`spec:`): the platform refuses any other version on `type: worker`.

dataos.info `docs/resources/manifest_attributes.md` ("Worker | v1beta") and the
v2 Worker page (`version: v2alpha`).  The meta schema's leniency for any
`vN[alpha|beta][N]` is for the types worker-lint does not model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

_FORMS = "A Worker is `v1beta` (with a `worker:` section) or `v2alpha` (with a `spec:` section)"


def _worker(version: str, section: str = "worker") -> str:
    return (
        f"name: orders-relay\nversion: {version}\ntype: worker\n{section}:\n  compute: runnable-default\n"
        "  stack: container\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )


@pytest.mark.parametrize(
    ("version", "section", "message"),
    [
        ("v1", "worker", f"`v1` is not a Worker version; did you mean `v1beta`? {_FORMS}"),
        ("v1beta1", "worker", f"`v1beta1` is not a Worker version; did you mean `v1beta`? {_FORMS}"),
        ("v1alpha", "worker", f"`v1alpha` is not a Worker version; did you mean `v1beta`? {_FORMS}"),
        ("v2", "spec", f"`v2` is not a Worker version; did you mean `v2alpha`? {_FORMS}"),
        ("v2alpha1", "spec", f"`v2alpha1` is not a Worker version; did you mean `v2alpha`? {_FORMS}"),
        (
            "v2",
            "worker",
            f"`v2` is not a Worker version; did you mean `v2alpha`? {_FORMS};"
            " this one's `worker:` section is the `v1beta` form",
        ),
        ("V1beta", "worker", "`V1beta` is not a Worker version; did you mean `v1beta`? Versions are lower case"),
        # no version of that major number: the body section says which was meant
        ("v3", "spec", f"`v3` is not a Worker version; did you mean `v2alpha`? {_FORMS}"),
        # not even of the DataOS form: one diagnostic, the Worker's, not also the meta section's WL104
        ("'1.0'", "worker", f"`1.0` is not a Worker version; did you mean `v1beta`? {_FORMS}"),
        ("latest", "worker", f"`latest` is not a Worker version; did you mean `v1beta`? {_FORMS}"),
    ],
)
def test_any_other_worker_version_is_an_error_naming_the_one_meant(
    tmp_path: Path, version: str, section: str, message: str
) -> None:
    (tmp_path / "worker.yaml").write_text(_worker(version, section), encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "worker.yaml", cwd=tmp_path)
    rows = [(d["line"], d["column"], d["end_line"], d["severity"], d["code"], d["message"]) for d in run.diagnostics]
    assert rows == [(2, 10, 2, "error", "WL108", message)]
    assert run.returncode == 1


def test_no_section_and_no_near_version_names_both_forms(tmp_path: Path) -> None:
    (tmp_path / "worker.yaml").write_text("name: orders-relay\nversion: v7\ntype: worker\n", encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "worker.yaml", cwd=tmp_path)
    assert [(d["line"], d["code"], d["message"]) for d in run.diagnostics if d["code"] == "WL108"] == [
        (
            2,
            "WL108",
            "`v7` is not a Worker version; a Worker is `v1beta` (with a `worker:` section) or `v2alpha`"
            " (with a `spec:` section)",
        )
    ]


@pytest.mark.parametrize(("version", "section"), [("v1beta", "worker"), ("v2alpha", "spec")])
def test_the_two_worker_versions_are_clean(tmp_path: Path, version: str, section: str) -> None:
    (tmp_path / "worker.yaml").write_text(_worker(version, section), encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "worker.yaml", cwd=tmp_path)
    assert [d["code"] for d in run.diagnostics if d["code"] in ("WL104", "WL107", "WL108")] == []


def test_other_types_keep_the_lenient_version_form(tmp_path: Path) -> None:
    (tmp_path / "workflow.yaml").write_text(
        "name: orders-job\nversion: v3beta2\ntype: workflow\nworkflow:\n  dag: [{name: a}]\n", encoding="utf-8"
    )
    assert run_cli("check", "--format", "json", "--no-cache", "workflow.yaml", cwd=tmp_path).diagnostics == []
