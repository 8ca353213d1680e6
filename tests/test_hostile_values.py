"""Hostile plain values and characters: each a normal diagnostic at the place an editor shows, never WL900.

Values that reached int(), str() or the file system unchecked ended a check in WL900; characters that
libyaml counts as line breaks and editors do not shifted every later line; a raw control character was
one error at 1:1 with a two-line message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_hostile import HEAD, VALID

BUNDLE = "version: v1beta\nname: b\ntype: bundle\nbundle:\n"
DEPOT = "  resources:\n    - {id: d, spec: {name: orders, version: v1, type: depot, depot: {type: s3}}}\n"


def _check(cli, tmp_path: Path, text: str, *args: str) -> tuple[int, list[dict[str, Any]]]:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    run = cli("check", "--no-cache", "--format", "json", *args, "m.yaml", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert "WL900" not in run.stdout
    return run.returncode, run.diagnostics


def _rows(diagnostics: list[dict[str, Any]]) -> list[tuple[str, int, int, int, int, str]]:
    return [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"], d["message"]) for d in diagnostics]


def _worker(resources: str) -> str:
    return VALID + "  resources:\n" + resources


def _schedule(expression: str) -> str:
    return (
        BUNDLE + "  schedule:\n    initialState: create\n    timezone: UTC\n    create:\n"
        f"      - cron: '{expression}'\n" + DEPOT
    )


# ---------------------------------------------------------------- 21: values past int(), str() and the file system


def test_a_file_name_longer_than_the_file_system_allows(cli, tmp_path: Path):
    # os.stat raised ENAMETOOLONG out of the check: WL900 at 1:1
    name = "x" * 300 + ".yaml"
    status, found = _check(cli, tmp_path, BUNDLE + f"  resources:\n    - id: a\n      file: {name}\n")
    assert status == 1
    assert _rows(found) == [
        (
            "WL413",
            7,
            13,
            7,
            13 + len(name),
            f"`{name}` was not found: its name is longer than the file system allows; shorten it",
        )
    ]


def test_a_file_name_with_a_nul(cli, tmp_path: Path):
    # os.path.expanduser raised ValueError on `~a<NUL>b`
    status, found = _check(cli, tmp_path, BUNDLE + '  resources:\n    - id: a\n      file: "~a\\0b"\n')
    assert status == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("WL413", 7, 13)]
    assert found[0]["message"].endswith("was not found: it holds a NUL character, which no file name can")


def test_a_cpu_of_more_digits_than_int_converts(cli, tmp_path: Path):
    # str() of the 4,400-digit number for the message raised ValueError: WL900
    digits = "1" * 4_400
    status, found = _check(cli, tmp_path, _worker(f"    requests:\n      cpu: {digits}\n"))
    assert status == 0  # a warning
    shown = f"{'1' * 20}...{'1' * 8} (4,400 characters)"
    assert _rows(found) == [
        (
            "WL205",
            11,
            12,
            11,
            12 + len(digits),
            f"`worker.resources.requests.cpu` is `{shown}`, that is a 4,400-digit number of CPU cores, more than 64;"
            f" if millicores were meant, write `{'1' * 20}...{'1' * 7}m (4,401 characters)`",
        )
    ]


def test_a_negative_cpu_of_many_digits(cli, tmp_path: Path):
    status, found = _check(cli, tmp_path, _worker(f"    limits:\n      cpu: -{'9' * 5_000}\n"))
    assert status == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("WL204", 11, 12)]
    assert found[0]["message"].endswith(
        "(5,001 characters)`, a negative amount; Kubernetes rejects quantities below zero"
    )


def test_a_memory_in_millibytes_of_many_digits(cli, tmp_path: Path):
    _, found = _check(cli, tmp_path, _worker(f"    limits:\n      memory: {'1' * 5_000}m\n"))
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("WL203", 11, 15)]
    assert "which is a 4,997-digit number of bytes: `m` means milli, not mega" in found[0]["message"]


def test_an_octal_integer_wider_than_str_writes_is_text(cli, tmp_path: Path):
    # an 0o/0x/0b integer has no digit limit in int(); the schema's message took repr() of it: WL900
    status, found = _check(cli, tmp_path, VALID + f"  replicas: 0o{'7' * 5_000}\n")
    assert status == 1
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("WL103", 9, 13)]
    assert found[0]["message"].startswith("`worker.replicas` must be an integer, not a string (`0o777")


@pytest.mark.parametrize(
    ("expression", "column", "width", "message"),
    [
        ("0 ² * * *", 18, 1, "invalid cron `0 ² * * *`: `²` is not a number in the hour field (0-23)"),
        (
            "0 0 * * ٣",
            24,
            1,
            "invalid cron `0 0 * * ٣`: `٣` is not a day name or number in the day-of-week field (0-7 or SUN-SAT)",
        ),
        ("*/² * * * *", 18, 1, "invalid cron `*/² * * * *`: step `²` in `*/²` (minute field) must be a whole number"),
        (
            "0 " + "1" * 5_000 + " * * *",
            18,
            5_000,
            f"invalid cron `0 {'1' * 18}...11 * * *` (5,008 characters): `{'1' * 20}...{'1' * 8}` (5,000 characters) is"
            " out of range for the hour field (0-23)",
        ),
        (
            "*/" + "1" * 30 + " * * * *",
            18,
            30,
            f"invalid cron `*/{'1' * 30} * * * *`: step `{'1' * 30}` in `*/{'1' * 30}` (minute field) is too large; write"
            " a step within the field's range (0-59)",
        ),
        ("0 00000000000000000023 * * *", None, None, None),
    ],
    ids=["superscript", "arabic-indic", "superscript-step", "5000-digits", "huge-step", "leading-zeros"],
)
def test_cron_fields_of_unicode_digits_and_many_digits(
    cli, tmp_path: Path, expression: str, column: int | None, width: int | None, message: str | None
):
    # str.isdigit() took `²` and int() refused it; int() refused 5,000 digits: WL900
    status, found = _check(cli, tmp_path, _schedule(expression))
    if message is None:
        assert (status, found) == (0, [])
        return
    assert status == 1
    assert _rows(found) == [("WL412", 9, column, 9, column + width, message)]


@pytest.mark.parametrize("value", ["²", "1" * 5_000], ids=["superscript", "5000-digits"])
def test_a_jobs_count_that_is_no_number_is_a_usage_error(cli, tmp_path: Path, value: str):
    (tmp_path / "m.yaml").write_text(VALID, encoding="utf-8")
    run = cli("check", "--no-cache", "--jobs", value, "m.yaml", cwd=tmp_path)
    assert (run.returncode, run.stdout) == (2, "")
    assert "Traceback" not in run.stderr
    assert "is not a number of processes; use a positive integer or `auto`" in run.stderr


# ---------------------------------------------------------------- 23: line breaks only the parser counts

BREAKS = [("\u2028", "LS"), ("\u2029", "PS"), ("\x85", "NEL")]


@pytest.mark.parametrize("char", [c for c, _ in BREAKS], ids=[n for _, n in BREAKS])
def test_a_break_inside_a_quoted_value_does_not_shift_later_lines(cli, tmp_path: Path, char: str):
    # libyaml counts NEL, LS and PS as line breaks; editors do not: every later line was one too far
    text = HEAD + f'description: "first{char}second"\n' + VALID[len(HEAD) :] + "  replicass: 2\n"
    editor_lines = text.replace("\r\n", "\n").split("\n")
    assert editor_lines[9] == "  replicass: 2"  # line 10 to an editor
    status, found = _check(cli, tmp_path, text)
    assert status == 1
    assert _rows(found) == [("WL102", 10, 3, 10, 12, "unknown field `replicass` in `worker`; did you mean `replicas`?")]
    (edit,) = found[0]["fixes"][0]["edits"]
    assert (edit["line"], edit["column"], edit["end_line"], edit["end_column"]) == (10, 3, 10, 12)


@pytest.mark.parametrize("char", [c for c, _ in BREAKS], ids=[n for _, n in BREAKS])
def test_a_break_in_a_value_and_a_column_on_the_same_line(cli, tmp_path: Path, char: str):
    # after the character, the parser starts a new line at column 1; to an editor the line goes on
    text = HEAD + f'description: "a{char}b"\nname: x\n' + VALID[len(HEAD) :]
    _, found = _check(cli, tmp_path, text)
    assert [(d["code"], d["line"], d["column"], d["message"]) for d in found] == [
        (
            "WL002",
            5,
            1,
            "duplicate key `name` (first defined on line 2); YAML keeps only the last value, so remove or rename one",
        )
    ]


def test_the_text_report_shows_the_editors_line(cli, tmp_path: Path):
    text = HEAD + 'description: "a\u2028b"\n' + VALID[len(HEAD) :] + "  replicass: 2\n"
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    run = cli("check", "--no-cache", "m.yaml", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.stdout.splitlines()[:2] == [
        "m.yaml:10:3: error WL102 unknown field `replicass` in `worker`; did you mean `replicas`?",
        "   10 |   replicass: 2",
    ]


def test_a_syntax_error_after_a_break_is_where_the_editor_shows_it(cli, tmp_path: Path):
    text = HEAD + 'description: "a\u2029b\x85c"\n' + VALID[len(HEAD) :] + "  bad: ]\n"
    status, found = _check(cli, tmp_path, text)
    assert status == 1
    assert [(d["code"], d["line"], d["column"], d["end_column"]) for d in found] == [("WL001", 10, 8, 9)]
    assert found[0]["message"] == (
        "YAML syntax error: did not find expected node content (while parsing a block node at line 10, column 8)"
    )


def test_an_encoding_error_after_a_break_is_on_the_editors_line(cli, tmp_path: Path):
    (tmp_path / "m.yaml").write_bytes(HEAD.encode() + 'description: "a\u2028b"\n'.encode() + b"title: \xff\n")
    run = cli("check", "--no-cache", "--format", "json", "m.yaml", cwd=tmp_path)
    assert [(d["code"], d["line"], d["column"]) for d in run.diagnostics] == [("WL003", 5, 8)]


@pytest.mark.parametrize("char", [c for c, _ in BREAKS], ids=[n for _, n in BREAKS])
def test_a_configuration_problem_after_a_break_is_on_the_editors_line(cli, tmp_path: Path, char: str):
    (tmp_path / "m.yaml").write_text(VALID, encoding="utf-8")
    config = tmp_path / ".worker-lint.yaml"
    config.write_text(f'select: ["WL1{char}"]\nignoree: [WL2]\n', encoding="utf-8")
    run = cli("check", "--no-cache", "m.yaml", cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert (run.returncode, run.stdout) == (2, "")
    assert ".worker-lint.yaml:2:1: unknown key `ignoree`; did you mean `ignore`?" in run.stderr.splitlines()
    # to libyaml, what follows the character in a comment is a line of its own: `select`'s `:` is out of place
    config.write_text(f"# a{char}b\nselect: [WL1]\n", encoding="utf-8")
    run = cli("check", "--no-cache", "m.yaml", cwd=tmp_path)
    assert run.stderr.splitlines() == [
        ".worker-lint.yaml:2:7: YAML syntax error: mapping values are not allowed in this context"
    ]


# ---------------------------------------------------------------- 24: raw control characters


@pytest.mark.parametrize(
    ("char", "shown", "kind"),
    [
        ("\x07", "\\x07", "control character"),
        ("\x1b", "\\x1b", "control character"),
        ("\x7f", "\\x7f", "control character"),
        ("\x9b", "\\x9b", "control character"),
        ("\ufffe", "\\ufffe", "character"),
    ],
    ids=["BEL", "ESC", "DEL", "CSI", "U+FFFE"],
)
def test_a_raw_control_character_is_placed_where_it_is(cli, tmp_path: Path, char: str, shown: str, kind: str):
    # it was WL001 at 1:1, with libyaml's two-line message and the byte position
    text = VALID.replace("alpine:3.20", f"al{char}pine:3.20")
    status, found = _check(cli, tmp_path, text)
    assert status == 1
    code = f"U+{ord(char):04X}"
    assert _rows(found) == [
        (
            "WL001",
            8,
            32,
            8,
            33,
            f"the {kind} `{shown}` ({code}) is not allowed in a YAML file;"
            f" remove it, or write it as the escape `{shown}` inside a"
            " double-quoted string",
        )
    ]
    assert "\n" not in found[0]["message"] and char not in found[0]["message"]


def test_a_control_character_after_a_line_break_only_the_parser_counts(cli, tmp_path: Path):
    text = HEAD + 'description: "a\u2028b"\ntitle: x\x1by\n' + VALID[len(HEAD) :]
    _, found = _check(cli, tmp_path, text)
    assert [(d["code"], d["line"], d["column"], d["end_column"]) for d in found] == [("WL001", 5, 9, 10)]
