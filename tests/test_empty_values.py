"""Empty values as the platform reads them: go-yaml decodes an empty value into a string field as `""`.

An optional field left empty (a vendor's policy sample's `owner:`, the docs'
templates' `description:`) is applied as if it were not there: at most a
warning naming the field.  A field the reference requires stays an error.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

_EMPTY = "is empty; DataOS reads an empty value as an empty string, the same as leaving `{}` out: give it a value or remove the line"


def _rows(tmp_path: Path, text: str) -> list[tuple[int, int, int, str, str, str]]:
    (tmp_path / "manifest.yaml").write_text(text, encoding="utf-8")
    run = run_cli("check", "--format", "json", "--no-cache", "manifest.yaml", cwd=tmp_path)
    return [(d["line"], d["column"], d["end_column"], d["severity"], d["code"], d["message"]) for d in run.diagnostics]


def test_an_empty_optional_string_is_a_warning_naming_the_field(tmp_path: Path) -> None:
    text = (
        "name: orders-relay\nversion: v1beta\ntype: worker\nowner:\ndescription:\nworker:\n  title:\n"
        "  stack: container\n  compute: runnable-default\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )
    assert _rows(tmp_path, text) == [
        (4, 1, 6, "warning", "WL111", "`owner` " + _EMPTY.format("owner")),
        (5, 1, 12, "warning", "WL111", "`description` " + _EMPTY.format("description")),
        (7, 3, 8, "warning", "WL111", "`worker.title` " + _EMPTY.format("title")),
    ]


def test_a_policy_sample_with_an_empty_owner_is_not_an_error(tmp_path: Path) -> None:
    text = "name: allow-readers\nversion: v1\ntype: policy\nowner:\npolicy:\n  access:\n    subjects: {}\n"
    assert _rows(tmp_path, text) == [(4, 1, 6, "warning", "WL111", "`owner` " + _EMPTY.format("owner"))]


def test_an_empty_required_field_is_still_an_error(tmp_path: Path) -> None:
    text = (
        "name: orders-relay\nversion: v1beta\ntype: worker\nworker:\n  stack:\n  compute:\n"
        "  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
    )
    assert _rows(tmp_path, text) == [
        (5, 9, 10, "error", "WL103", "`worker.stack` must be a string, not empty"),
        (6, 11, 12, "error", "WL103", "`worker.compute` must be a string, not empty"),
    ]


def test_an_empty_optional_string_in_a_bundle_item_is_a_warning(tmp_path: Path) -> None:
    text = (
        "name: deploy\nversion: v1beta\ntype: bundle\nbundle:\n  resources:\n    - id: relay\n"
        "      spec:\n        name: relay\n        version: v1\n        type: policy\n"
        "        description:\n        policy:\n          access: {}\n"
    )
    assert _rows(tmp_path, text) == [(11, 9, 20, "warning", "WL111", "`description` " + _EMPTY.format("description"))]
