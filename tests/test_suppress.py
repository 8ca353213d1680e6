"""Inline suppression comments: which diagnostics they hide, their reasons, and WL050-WL052."""

from __future__ import annotations

import pytest

from worker_lint.core.diagnostic import Diagnostic, Finding, Severity, Span
from worker_lint.run.suppress import apply, scan_directives

KNOWN = {"WL050", "WL051", "WL052", "WL101", "WL102", "WL103", "WL104"}


def diag(code: str, line: int, column: int = 3) -> Diagnostic:
    return Diagnostic("w.yaml", Span(line, column, line, column + 4), code, "name", Severity.ERROR, f"{code} here")


def own(findings: list[Finding]) -> list[tuple[str, int, int, int, str]]:
    return [(f.code, f.span.line, f.span.column, f.span.end_column, f.message) for f in findings if f.span]


def test_text_without_directives_is_returned_untouched():
    diagnostics = [diag("WL102", 2)]
    kept, suppressed, findings = apply("a: 1\nb: 2  # a comment\n", diagnostics)
    assert (kept, suppressed, findings) == (diagnostics, [], [])


def test_end_of_line_directive_suppresses_its_code_on_its_line_and_keeps_the_reason():
    text = "worker:\n  logLevl: INFO  # worker-lint: disable=WL102 -- read by the sidecar\n  replicas: two\n"
    kept, suppressed, findings = apply(text, [diag("WL102", 2), diag("WL103", 2), diag("WL102", 3)], known_codes=KNOWN)
    assert [(d.code, d.span.line) for d in kept] == [("WL103", 2), ("WL102", 3)]
    assert [(d.code, d.span.line, d.suppression_reason) for d in suppressed] == [("WL102", 2, "read by the sidecar")]
    assert findings == []


def test_blanket_directive_suppresses_every_code_on_the_line():
    text = "a: 1\nb: 2  # worker-lint: disable\n"
    kept, suppressed, findings = apply(text, [diag("WL102", 2), diag("WL103", 2), diag("WL104", 1)])
    assert [d.code for d in kept] == ["WL104"]
    assert [(d.code, d.suppression_reason) for d in suppressed] == [("WL102", None), ("WL103", None)]
    assert findings == []


def test_unused_code_in_a_list_is_reported_at_that_code():
    text = "a: 1  # worker-lint: disable=WL102, WL103\n"
    _, suppressed, findings = apply(text, [diag("WL102", 1)], known_codes=KNOWN)
    assert [d.code for d in suppressed] == ["WL102"]
    assert own(findings) == [
        (
            "WL050",
            1,
            37,
            42,
            "`WL103` is not reported on this line, so disabling it does nothing; remove it from the comment",
        )
    ]


def test_unused_single_code_directive_is_reported_on_the_whole_comment():
    text = "a: 1  # worker-lint: disable=WL102 -- stale\n"
    _, _, findings = apply(text, [], known_codes=KNOWN)
    assert own(findings) == [
        (
            "WL050",
            1,
            7,
            44,
            "`WL102` is not reported on this line, so disabling it does nothing; remove it from the comment",
        )
    ]


def test_unused_blanket_directive():
    _, _, findings = apply("a: 1  # worker-lint: disable\n", [])
    assert own(findings) == [
        (
            "WL050",
            1,
            7,
            29,
            "this suppression comment suppressed nothing: no diagnostic is reported on this line; remove it",
        )
    ]


def test_disable_on_its_own_line_gets_a_hint_to_use_disable_next_line():
    text = "worker:\n  # worker-lint: disable=WL102\n  logLevl: INFO\n"
    kept, _, findings = apply(text, [diag("WL102", 3)], known_codes=KNOWN)
    assert [d.code for d in kept] == ["WL102"]
    assert own(findings) == [
        (
            "WL050",
            2,
            3,
            31,
            "`WL102` is not reported on this line, so disabling it does"
            " nothing; remove it from the comment; a `disable` comment on a line of its own covers"
            " only that line: use `disable-next-line`",
        )
    ]


def test_disable_next_line_skips_blank_and_comment_lines():
    text = "worker:\n  # worker-lint: disable-next-line=WL102 -- legacy\n\n  # a note\n  logLevl: INFO\n  x: 1\n"
    kept, suppressed, findings = apply(text, [diag("WL102", 5), diag("WL102", 6)], known_codes=KNOWN)
    assert [(d.span.line, d.suppression_reason) for d in suppressed] == [(5, "legacy")]
    assert [d.span.line for d in kept] == [6]
    assert findings == []


def test_disable_next_line_that_misses_names_the_line_it_covers():
    text = "# worker-lint: disable-next-line=WL102\na: 1\n"
    _, _, findings = apply(text, [diag("WL102", 3)], known_codes=KNOWN)
    assert (
        own(findings)[0][4] == "`WL102` is not reported on line 2, so disabling it does nothing; remove it from"
        " the comment"
    )


def test_disable_file_anywhere_covers_every_line():
    text = "a: 1\nb: 2\n# worker-lint: disable-file=WL102,WL103 -- generated file\n"
    kept, suppressed, findings = apply(text, [diag("WL102", 1), diag("WL103", 2), diag("WL104", 2)], known_codes=KNOWN)
    assert [d.code for d in kept] == ["WL104"]
    assert [(d.code, d.suppression_reason) for d in suppressed] == [
        ("WL102", "generated file"),
        ("WL103", "generated file"),
    ]
    assert findings == []


def test_line_reason_wins_over_file_reason():
    text = "# worker-lint: disable-file=WL102 -- file\na: 1  # worker-lint: disable=WL102 -- line\n"
    _, suppressed, findings = apply(text, [diag("WL102", 2)], known_codes=KNOWN)
    assert [d.suppression_reason for d in suppressed] == ["line"]
    assert findings == []  # both directives count as used


def test_hash_inside_a_quoted_string_is_not_a_comment():
    text = 'a: "x # worker-lint: disable=WL102"\nb: 1\n'
    kept, suppressed, findings = apply(text, [diag("WL102", 1)], known_codes=KNOWN)
    assert [d.code for d in kept] == ["WL102"] and suppressed == []
    assert own(findings) == [
        (
            "WL052",
            1,
            7,
            35,
            "this `# worker-lint:` text is inside a quoted string, so it is"
            " part of the value and suppresses nothing; put the comment on a line outside the"
            " value",
        )
    ]


def test_directive_inside_a_block_scalar_is_text():
    text = "script: |\n  # worker-lint: disable-file=WL102\n  run\nname: x\n"
    kept, _, findings = apply(text, [diag("WL102", 4)], known_codes=KNOWN)
    assert [d.code for d in kept] == ["WL102"]
    assert [(f.code, f.span.line, f.span.column, f.span.end_column) for f in findings] == [("WL052", 2, 3, 36)]
    assert "inside a block scalar" in findings[0].message


def test_directive_after_a_quoted_hash_on_the_same_line_still_counts():
    text = 'a: "x # y"  # worker-lint: disable=WL102\n'
    kept, suppressed, findings = apply(text, [diag("WL102", 1)], known_codes=KNOWN)
    assert (kept, [d.code for d in suppressed], findings) == ([], ["WL102"], [])


def test_a_trailing_comment_after_the_directive_is_not_part_of_it():
    text = "a: 1  # worker-lint: disable=WL102 -- see ticket #42  # note: reviewed\n"
    _, suppressed, findings = apply(text, [diag("WL102", 1)], known_codes=KNOWN)
    assert [d.suppression_reason for d in suppressed] == ["see ticket #42"]
    assert findings == []


def test_a_directive_after_a_syntax_error_is_still_read():
    text = "a: [1, 2\nb: 1  # worker-lint: disable=WL001\n"
    kept, suppressed, _ = apply(text, [diag("WL001", 2)], known_codes=KNOWN | {"WL001"})
    assert kept == [] and [d.code for d in suppressed] == ["WL001"]


@pytest.mark.parametrize(
    ("comment", "column", "end", "message"),
    [
        (
            "# worker-lint: disabel=WL102",
            7,
            35,
            "`disabel` is not a worker-lint directive; write `disable`,"
            " `disable-next-line` or `disable-file` (did you mean `disable`?)",
        ),
        (
            "# worker-lint: enable",
            7,
            28,
            "`enable` is not a worker-lint directive; write `disable`, `disable-next-line` or"
            " `disable-file` (each directive covers one line or the file, so there is nothing to enable)",
        ),
        ("# worker-lint: disable WL102", 7, 35, "write `disable=WL102`: codes follow an `=`"),
        (
            "# worker-lint: disable=",
            7,
            30,
            "no rule codes after `disable=`; list codes such as `WL201`, or drop the `=` to disable every rule",
        ),
        ("# worker-lint: disable=wl102", 30, 35, "`wl102` is not a rule code such as `WL201`"),
        ("# worker-lint: disable=WL102,WL998", 36, 41, "`WL998` is not a worker-lint rule code"),
    ],
)
def test_malformed_directives(comment: str, column: int, end: int, message: str):
    text = f"a: 1  {comment}\n"
    kept, suppressed, findings = apply(text, [diag("WL102", 1)], known_codes=KNOWN)
    assert [d.code for d in kept] == ["WL102"] and suppressed == []
    assert own(findings) == [("WL051", 1, column, end, message)]


def test_codes_the_run_does_not_select_are_not_judged():
    text = "a: 1  # worker-lint: disable=WL102,WL103\nb: 1  # worker-lint: disable\n"
    _, _, findings = apply(text, [], selected=lambda code: code != "WL103", known_codes=KNOWN)
    assert [(f.code, f.span.line, f.message.split(" ")[0]) for f in findings] == [("WL050", 1, "`WL102`")]
    # a blanket directive is judged only when every rule is selected
    _, _, findings = apply(text, [], selected=lambda code: True, known_codes=KNOWN)
    assert [(f.code, f.span.line) for f in findings] == [("WL050", 1), ("WL050", 1), ("WL050", 2)]


def test_disable_file_for_wl050_silences_unused_reports_and_is_itself_used():
    text = "a: 1  # worker-lint: disable=WL102\n# worker-lint: disable-file=WL050\n"
    _, _, findings = apply(text, [], known_codes=KNOWN)
    assert findings == []


def test_disable_file_for_wl050_that_silences_nothing_is_reported():
    text = "a: 1\n# worker-lint: disable-file=WL050\n"
    _, _, findings = apply(text, [], known_codes=KNOWN)
    assert own(findings) == [
        (
            "WL050",
            2,
            1,
            34,
            "`WL050` is not reported in this file, so disabling it does nothing; remove it from the comment",
        )
    ]


def test_scan_reports_targets_and_reasons():
    text = "x: 1\n# worker-lint: disable-next-line=WL101 -- why\n\ny: 2  # worker-lint: disable\n"
    scan = scan_directives(text)
    assert [(d.action, d.line, d.target, list(d.codes), d.reason, d.own_line) for d in scan.directives] == [
        ("disable-next-line", 2, 4, ["WL101"], "why", True),
        ("disable", 4, 4, [], None, False),
    ]


# -- through the engine and the command line --------------------------------------------------------------------

WORKER_WITH_TYPO = """\
version: v1beta
name: orders-relay
type: worker
worker:
  replicas: 2
  stack: container
  compute: runnable-default
  logLevl: INFO  # worker-lint: disable=WL102 -- read by the relay's own loader
  stackSpec:
    image: docker.io/library/alpine:3.20
"""


def test_cli_directive_suppresses_the_diagnostic(tmp_path):
    from conftest import run_cli

    (tmp_path / "w.yaml").write_text(WORKER_WITH_TYPO, encoding="utf-8")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.diagnostics) == (0, [])
    unsuppressed = WORKER_WITH_TYPO.replace("  # worker-lint: disable=WL102 -- read by the relay's own loader", "")
    (tmp_path / "w.yaml").write_text(unsuppressed, encoding="utf-8")
    assert [
        (d["line"], d["code"]) for d in run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path).diagnostics
    ] == [(8, "WL102")]


def test_cli_unused_and_invalid_directives_are_reported(tmp_path):
    from conftest import run_cli

    text = WORKER_WITH_TYPO.replace("  replicas: 2", "  replicas: 2  # worker-lint: disable=WL103").replace(
        "  stack: container", "  stack: container  # worker-lint: disabel"
    )
    (tmp_path / "w.yaml").write_text(text, encoding="utf-8")
    result = run_cli("check", "--format", "json", "w.yaml", cwd=tmp_path)
    assert [(d["line"], d["column"], d["code"], d["severity"]) for d in result.diagnostics] == [
        (5, 16, "WL050", "warning"),
        (6, 21, "WL051", "warning"),
    ]
    assert result.returncode == 0
    # a code the run does not select cannot be judged unused
    narrowed = run_cli("check", "--format", "json", "--ignore", "WL103,WL051", "w.yaml", cwd=tmp_path)
    assert narrowed.diagnostics == []
