"""The programs a Worker carries in strings (projected Python files, shell scripts), checked where they are written."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

V2_HEADER = """\
version: v2alpha
name: verify-orders
type: worker
spec:
  compute: runnable-default
  stack: container
  stackSpec:
    image: python:3.12-slim
"""


def _lint(tmp_path: Path, text: str, *options: str) -> list[tuple[int, int, int, int, str, str, str]]:
    (tmp_path / "worker.yaml").write_text(text, encoding="utf-8")
    run = run_cli("check", "--no-cache", "--format", "json", *options, "worker.yaml", cwd=tmp_path)
    assert run.stderr == ""
    return [
        (d["line"], d["column"], d["end_line"], d["end_column"], d["code"], d["severity"], d["message"])
        for d in run.diagnostics
    ]


def _files(*items: str) -> str:
    return V2_HEADER + "  use:\n    projection:\n      projections:\n        files:\n" + "".join(items)


def test_a_projected_python_file_s_syntax_error_is_placed_inside_the_literal_block(tmp_path: Path) -> None:
    text = _files(
        "          - name: verify.py\n"
        "            directory: /etc/app\n"
        "            template: |\n"
        "              import sys\n"
        "              if ok:\n"
        "                  print('${{worker-name}}' + sys.argv[1]]\n"
    )
    found = [d for d in _lint(tmp_path, text) if d[4] == "WL133"]
    assert found == [
        (
            18,
            57,
            18,
            58,
            "WL133",
            "error",
            f"`verify.py` is not valid Python (as Python {_python()} reads it): closing parenthesis ']' does not match"
            " opening parenthesis '(' (line 3 of the file); fix the code, or the pod fails when it runs it",
        )
    ]


def test_a_python_error_in_a_double_quoted_template_counts_escapes(tmp_path: Path) -> None:
    text = _files('          - name: check.py\n            template: "s = \\"\\u00e9\\"\\nx = = 1"\n')
    found = [d[:5] for d in _lint(tmp_path, text) if d[4] == "WL133"]
    # value: 's = "é"\nx = = 1'; the second `=` is written at column 44 of the file
    assert found == [(14, 44, 14, 45, "WL133")]


def test_valid_python_placeholders_liquid_and_other_files_are_not_reported(tmp_path: Path) -> None:
    text = _files(
        "          - name: ok.py\n"
        "            template: |\n"
        "              NAME = ${{worker-name}}\n"
        "              URL = {{ resource.name }}\n"
        "              print(f'{{NAME}}', URL)\n",
        "          - name: rendered.py\n"
        "            template: |\n"
        "              {% if debug %}\n"
        "              print('debug'\n"
        "              {% endif %}\n",
        "          - name: notes.txt\n            template: 'def (:'\n",
        "          - name: escapes.py\n            template: 'import re; re.compile(\"\\d+\")'\n",
    )
    assert [d for d in _lint(tmp_path, text) if d[4] == "WL133"] == []


def test_a_syntax_error_at_a_placeholder_is_not_blamed_on_it(tmp_path: Path) -> None:
    # `1${{n}}` is a number once filled in; the stand-in `1______` is not, and that is no error of the file
    text = _files("          - name: n.py\n            template: 'x = 1${{n}}'\n")
    assert [d for d in _lint(tmp_path, text) if d[4] == "WL133"] == []


def _python() -> str:
    import sys

    return f"{sys.version_info.major}.{sys.version_info.minor}"
