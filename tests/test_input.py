"""Input the YAML layer must answer with a diagnostic, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

from linting import lint_paths, lint_text

from worker_lint.core.settings import Settings

HEAD = "version: v1beta\nname: w\ntype: worker\n"


def codes(text: str | bytes) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in lint_text(text, "m.yaml")]


def test_syntax_error_position_and_message():
    found = lint_text(HEAD + "worker:\n  stack: bento: x\n", "m.yaml")
    assert [(d.code, d.span.line, d.span.column) for d in found] == [("WL001", 5, 15)]
    assert found[0].message == "YAML syntax error: mapping values are not allowed in this context"


def test_tab_indentation():
    found = lint_text(HEAD + "worker:\n\tstack: bento\n", "m.yaml")
    assert [(d.code, d.span.line, d.span.column, d.message) for d in found] == [
        ("WL001", 5, 1, "a tab character cannot indent YAML; indent with spaces")
    ]


def test_duplicate_key_points_at_the_second_and_names_the_first():
    found = [d for d in lint_text(HEAD + "name: again\n", "m.yaml") if d.code == "WL002"]
    assert [(d.span.line, d.span.column, d.span.end_column) for d in found] == [(4, 1, 5)]
    assert found[0].message == (
        "duplicate key `name` (first defined on line 2); YAML keeps only the last value, so remove or rename one"
    )


def test_a_key_written_three_times_names_the_first_and_each_fix_removes_the_entry_it_overrides():
    from worker_lint.document.parse import parse

    found = parse("a: 1\nb: 2\na: 3\nb: 4\na: 5\n").documents[0].findings
    assert [(f.code, f.span.line if f.span else 0, f.message[:38]) for f in found] == [
        ("WL002", 3, "duplicate key `a` (first defined on li"),
        ("WL002", 4, "duplicate key `b` (first defined on li"),
        ("WL002", 5, "duplicate key `a` (first defined on li"),
    ]
    assert all("first defined on line 1)" in f.message for f in found if f.path == ("a",))
    assert [f.fixes[0].intents[0].occurrence for f in found] == [0, 0, 1]


def test_invalid_utf8_nul_and_utf16():
    assert codes(HEAD.encode() + b"description: caf\xe9\n") == [("WL003", 4, 17)]
    assert codes(HEAD.encode() + b"desc\x00ription: x\n") == [("WL003", 4, 5)]
    assert codes("\ufeff".encode("utf-16-le") + HEAD.encode("utf-16-le")) == [("WL003", 1, 1)]
    # a UTF-8 byte order mark is fine
    assert (
        codes(b"\xef\xbb\xbf" + HEAD.encode() + b"worker: {stack: container, compute: c, stackSpec: {image: i}}\n")
        == []
    )


def test_empty_and_comment_only_files_are_silent():
    assert codes("") == []
    assert codes("# nothing here\n# at all\n") == []
    assert codes("---\n...\n") == []


def test_alias_bomb_is_reported_not_expanded():
    lines = ["version: v1beta", "name: w", "type: worker", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{','.join(['*' + prev] * 10)}]")
    found = lint_text("\n".join(lines) + "\n", "bomb.yaml")
    assert [(d.code, d.span.line) for d in found] == [("WL010", 1)]
    assert "alias bomb" in found[0].message


def test_file_problems(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_text(HEAD + "description: " + "x" * 2000 + "\n", encoding="utf-8")
    settings = Settings(max_file_size=1000)
    assert [(d.code, d.span.line) for _, found in lint_paths([str(big)], settings) for d in found] == [("WL011", 1)]
    broken = tmp_path / "broken.yaml"
    os.symlink(tmp_path / "missing-target.yaml", broken)
    found = [d for _, diagnostics in lint_paths([str(broken)], Settings()) for d in diagnostics]
    assert [d.code for d in found] == ["WL012"]
    assert found[0].message == (
        f"`{broken.name}` is a broken symbolic link: its target `{tmp_path / 'missing-target.yaml'}` does not exist"
    )
