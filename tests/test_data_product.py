"""The Data Product spec (`type: data`), as dataos.info `docs/products/data_product/configurations.md` writes it.

Applied with `dataos-ctl product apply`; its body is under a section named
after its version (`v1beta: data: ...`).  Where the page contradicts itself
(`ports.lens` a mapping and a list; a v1alpha version table, v1beta examples),
both readings are accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

#: the page's manifest structure, its placeholders filled in
_SPEC = """\
name: product-affinity-cross-sell
version: {version}
entity: product
type: data
tags:
  - DPDomain.Sales
description: Leverages product affinity analysis to identify cross-sell opportunities
refs:
  - title: Workspace Info
    href: https://dataos.info/interfaces/cli/command_reference/#workspace
{version}:
  data:
    meta:
      title: Product Affinity & Cross-Sell Opportunity
    collaborators:
      - name: iamgroot
        description: developer
    relatedDataProducts:
      - data:v1beta:customer-360-demov3
    resource:
      refType: dataos
      ref: {resource}
      description: Ingest data
      purpose: ingestion
    inputs:
      - refType: dataos
        ref: dataset:lakehouse:customer_relationship_management:customer
    outputs:
      - refType: dataos
        ref: dataset:lakehouse:customer_relationship_management:product_affinity_matrix
    ports:
{ports}
"""
_LENS_MAPPING = "      lens:\n        ref: lens:v1alpha:cross-sell-affinity:public\n        refType: dataos"
_LENS_LIST = "      lens:\n        - ref: lens:v1alpha:sales360:public\n          refType: dataos"


def _manifest(kind: str, version: str, name: str) -> str:
    return f"name: {name}\nversion: {version}\ntype: {kind}\n{kind}:\n  description: x\n"


def _rows(tmp_path: Path, text: str) -> list[tuple[int, int, str, str, str]]:
    (tmp_path / "product.yaml").write_text(text, encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "product.yaml", cwd=tmp_path)
    return [(d["line"], d["column"], d["severity"], d["code"], d["message"]) for d in run.diagnostics]


@pytest.mark.parametrize("version", ["v1beta", "v1alpha"])
@pytest.mark.parametrize("ports", [_LENS_MAPPING, _LENS_LIST])
def test_the_documented_spec_is_clean_in_every_documented_form(tmp_path: Path, version: str, ports: str) -> None:
    # the Bundle and the Lens it names are the project's: no reference is left unresolved
    (tmp_path / "bundle.yaml").write_text(_manifest("bundle", "v1beta", "product-affinity-bundle"), encoding="utf-8")
    (tmp_path / "lens.yaml").write_text(
        _manifest("lens", "v1alpha", "cross-sell-affinity") + "---\n" + _manifest("lens", "v1alpha", "sales360"),
        encoding="utf-8",
    )
    spec = _SPEC.format(version=version, resource="bundle:v1beta:product-affinity-bundle", ports=ports)
    assert _rows(tmp_path, spec) == []


def test_a_malformed_reference_is_an_error_showing_the_forms(tmp_path: Path) -> None:
    (tmp_path / "lens.yaml").write_text(_manifest("lens", "v1alpha", "cross-sell-affinity"), encoding="utf-8")
    spec = _SPEC.format(version="v1beta", resource="product-affinity-bundle", ports=_LENS_MAPPING)
    assert _rows(tmp_path, spec) == [
        (
            22,
            12,
            "error",
            "WL105",
            "`product-affinity-bundle` is not a DataOS reference; write `<type>:<version>:<name>`"
            " (`bundle:v1beta:sales-pipeline`, `lens:v1alpha:sales360:public` with the workspace)"
            " or `dataset:<depot>:<collection>:<dataset>`",
        )
    ]


def test_the_mandatory_parts_are_required(tmp_path: Path) -> None:
    text = "name: affinity\nversion: v1beta\nentity: product\ntype: data\nv1beta:\n  data:\n    inputs: []\n"
    assert _rows(tmp_path, text) == [(6, 3, "error", "WL101", "missing required field `resource` in `v1beta.data`")]
    text = "name: affinity\nversion: v1beta\nentity: product\ntype: data\n"
    assert _rows(tmp_path, text) == [
        (
            1,
            1,
            "error",
            "WL101",
            "missing required field `v1beta`; a `v1beta` Data Product keeps its body under `v1beta:`",
        )
    ]


def test_type_data_in_other_yaml_stays_silent(tmp_path: Path) -> None:
    """`type: data` is a common word: without a DataOS `version` the file is no Data Product spec."""
    assert _rows(tmp_path, "name: fixtures\ntype: data\nitems: [1, 2]\n") == []
    assert _rows(tmp_path, "name: fixtures\nversion: 2.1.0\ntype: data\n") == []


# -- references resolved to the project's manifests (WL419, WL420) ---------------------------------------------------


def _product(resource: str, lens: str = "lens:v1alpha:sales360:public") -> str:
    return _SPEC.format(
        version="v1beta", resource=resource, ports=f"      lens:\n        ref: {lens}\n        refType: dataos"
    )


def test_a_bundle_of_the_project_under_another_version_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "bundle.yaml").write_text(
        _manifest("bundle", "v1alpha", "affinity-bundle"), encoding="utf-8"
    )
    (tmp_path / "lens.yaml").write_text(_manifest("lens", "v1alpha", "sales360"), encoding="utf-8")
    assert _rows(tmp_path, _product("bundle:v1beta:affinity-bundle")) == [
        (
            22,
            12,
            "error",
            "WL419",
            "the project's Bundle `affinity-bundle` is `v1alpha` in `deploy/bundle.yaml`, not `v1beta`;"
            " write `bundle:v1alpha:affinity-bundle`, or change the Bundle's `version`",
        )
    ]


def test_a_reference_the_project_does_not_define_is_an_info(tmp_path: Path) -> None:
    """The Bundle may be applied from another repository: said, never failed."""
    (tmp_path / "bundle.yaml").write_text(_manifest("bundle", "v1beta", "affinity-bundle"), encoding="utf-8")
    assert _rows(tmp_path, _product("bundle:v1beta:affinity-bundel", lens="lens:v1alpha:sales-360:public")) == [
        (
            22,
            12,
            "info",
            "WL420",
            "no manifest under the project root `.` defines the Bundle `affinity-bundel`; unless it is applied"
            " from elsewhere, correct the name in `bundle:v1beta:affinity-bundel` or add the Bundle's manifest",
        ),
        (
            33,
            14,
            "info",
            "WL420",
            "no manifest under the project root `.` defines the Lens `sales-360`; unless it is applied"
            " from elsewhere, correct the name in `lens:v1alpha:sales-360:public` or add the Lens's manifest",
        ),
    ]
    run = run_cli("check", "--no-cache", "product.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout


def test_a_templated_reference_is_not_resolved(tmp_path: Path) -> None:
    assert [r[3] for r in _rows(tmp_path, _product("bundle:v1beta:${{bundle}}"))] == ["WL300", "WL420"]


def test_a_product_is_linted_again_when_its_bundle_changes(tmp_path: Path) -> None:
    """Its result depends on another file: the result cache never answers for it."""
    (tmp_path / "lens.yaml").write_text(_manifest("lens", "v1alpha", "sales360"), encoding="utf-8")
    (tmp_path / "bundle.yaml").write_text(_manifest("bundle", "v1beta", "affinity-bundle"), encoding="utf-8")
    (tmp_path / "product.yaml").write_text(_product("bundle:v1beta:affinity-bundle"), encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / ".cache")]
    first = run_cli("check", "--format", "json", *cache, "product.yaml", cwd=tmp_path)
    assert first.diagnostics == []
    (tmp_path / "bundle.yaml").write_text(_manifest("bundle", "v1alpha", "affinity-bundle"), encoding="utf-8")
    again = run_cli("check", "--format", "json", *cache, "product.yaml", cwd=tmp_path)
    assert [(d["line"], d["code"]) for d in again.diagnostics] == [(22, "WL419")]


def test_a_link_out_of_the_project_is_not_read_for_its_name(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "bundle.yaml").write_text(_manifest("bundle", "v1alpha", "affinity-bundle"), encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()  # the project root
    (project / "lens.yaml").write_text(_manifest("lens", "v1alpha", "sales360"), encoding="utf-8")
    (project / "bundle.yaml").symlink_to(outside / "bundle.yaml")
    assert [(r[3], r[2]) for r in _rows(project, _product("bundle:v1beta:affinity-bundle"))] == [("WL420", "info")]
