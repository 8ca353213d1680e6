"""Hostile input that costs time out of proportion to its size: each input here took minutes to hours.

The bounds are generous on purpose: each input took the code these tests guard against at least
ten times the bound, and takes the current code a small fraction of it, so a busy CI machine
does not make them fail and a quadratic regression cannot pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_hostile import HEAD, VALID, bounded_cli, cli_found


def test_a_long_line_of_dashes_and_braces_in_a_broken_file(tmp_path: Path):
    # the bare-brace explanation of a syntax error scanned this line in quadratic time: 80 KB took
    # 23 s, this 400 KB line about ten minutes
    text = HEAD + "description: |\n  " + "- " * 200_000 + "{{\nworker: [\n"
    (tmp_path / "slow.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "slow.yaml", cwd=tmp_path, timeout=20)
    assert "Traceback" not in run.stderr
    assert run.returncode == 1, run.stderr
    assert [d[:3] for d in cli_found(run)] == [("slow.yaml", "WL001", 7)]


@pytest.mark.slow
def test_half_a_million_documents(tmp_path: Path):
    # every document's data was built after a scan of the whole text for `&`: 62 s for 400,000 documents,
    # 97 s for these 500,000 (4.5 MB)
    text = VALID + "---\na: 1\n" * 500_000 + "---\n" + VALID.replace("name: w", "name: w\nname: x")
    (tmp_path / "docs.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "docs.yaml", cwd=tmp_path, timeout=30)
    assert "Traceback" not in run.stderr
    assert [d[:3] for d in cli_found(run)] == [("docs.yaml", "WL002", 1_000_012)]  # the last document's


@pytest.mark.slow
def test_a_bundle_of_many_cycles_gives_a_report_linear_in_its_size(tmp_path: Path):
    # r0 -> r1 -> ... -> r2999, each also depending back on r0: 3,000 cycles of up to 3,000 ids. Printed
    # whole, they made a 31 MB report of this 230 KB file (and 70 MB of 461 KB)
    n = 3_000
    items = "".join(f"    - {{id: r{i}, file: w.yaml, dependencies: [r{(i + 1) % n}, r0]}}\n" for i in range(n))
    (tmp_path / "bundle.yaml").write_text(
        "name: b\nversion: v1beta\ntype: bundle\nbundle:\n  resources:\n" + items, encoding="utf-8"
    )
    (tmp_path / "w.yaml").write_text(VALID, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path, timeout=60)
    assert "Traceback" not in run.stderr
    cycles = [d for d in run.diagnostics if d["code"] == "WL403"]
    assert len(cycles) == n - 1  # r0's own dependency on r0 is WL402
    assert cycles[0]["message"].startswith("dependency cycle: r0 -> r1 -> r0;")
    assert cycles[-1]["message"] == (
        "dependency cycle: r0 -> r1 -> r2 -> r3 -> r4 -> ... 2,992 more ... -> r2997"
        " -> r2998 -> r2999 -> r0; a Bundle must be a DAG, so no resource in the cycle"
        " can ever be applied"
    )
    assert len(run.stdout) < 3_000_000


def _deep_tree(tmp_path: Path, depth: int) -> Path:
    folder = tmp_path.joinpath(*["a"] * depth)
    folder.mkdir(parents=True)
    (folder / "m.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    return folder


def test_many_double_stars_in_a_glob(tmp_path: Path):
    # as one regular expression, 17 `**/` took 16 s per path (16 on a 21-folder path, 364 s)
    glob = "/".join(["**"] * 17) + "/b"
    _deep_tree(tmp_path, 21)
    run = bounded_cli("check", "--format", "json", "--no-cache", "--exclude", glob, ".", cwd=tmp_path, timeout=20)
    assert "Traceback" not in run.stderr
    assert [(d["path"].count("a/"), d["code"]) for d in run.diagnostics] == [(21, "WL101")]


def _seconds(func, *args) -> float:
    """The least processor time of five calls: what the work costs, whatever else the machine runs.

    The time is this thread's, not the clock's, so time spent waiting for a processor does not count;
    the garbage collector is off, as it is while the command line checks a file, since its passes
    over every object alive grow with the test process, not with the input.
    """
    import gc
    import time

    best = float("inf")
    gc.disable()
    try:
        for _ in range(5):
            start = time.thread_time()
            func(*args)
            best = min(best, time.thread_time() - start)
    finally:
        gc.enable()
    return best


def _quote_escapes(count: int) -> str:
    """A Worker with ``count`` double-quoted values holding go-yaml's `\\'` escape, which libyaml refuses."""
    return VALID + "    env:\n" + "".join(f'      V{i}: "it\\\'s {i}"\n' for i in range(count))


def test_many_quote_escapes_are_read_as_go_yaml_reads_them(tmp_path: Path):
    # every `\'` cost a read of the whole stream (a 10 KB file 1 s, 42 KB 14 s), until a budget in
    # characters gave up: this 40 KB file stopped with a false syntax error at its 500th escape
    (tmp_path / "quotes.yaml").write_text(_quote_escapes(1_600), encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "quotes.yaml", cwd=tmp_path, timeout=20)
    assert (run.returncode, run.stderr, run.diagnostics) == (0, "", [])


def test_the_go_yaml_reader_takes_time_linear_in_its_input():
    from worker_lint.document.parse import parse

    # the input doubled twice: linear time grows four times, quadratic sixteen (the code before: 29)
    small, large = _quote_escapes(250), _quote_escapes(1_000)
    for text in (small, large):
        result = parse(text)
        assert result.findings == []
        assert result.documents[0].data["worker"]["stackSpec"]["env"]["V249"] == "it's 249"
    ratio = _seconds(parse, large) / _seconds(parse, small)
    assert ratio < 8, f"four times the input took {ratio:.1f} times as long"


def test_a_value_of_many_unclosed_placeholders(tmp_path: Path):
    # each `${{` was followed to the end of the value for its closing braces: 20 KB took 8 s, these 80 KB 110 s
    text = VALID.replace("type: worker\n", 'type: worker\ndescription: "' + "${{ " * 20_000 + '"\n')
    (tmp_path / "placeholders.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "placeholders.yaml", cwd=tmp_path, timeout=20)
    assert run.stderr == ""
    assert [(d["code"], d["line"], d["column"], d["end_line"], d["end_column"]) for d in run.diagnostics] == [
        ("WL304", 4, 15, 4, 18)
    ]
    assert run.diagnostics[0]["message"] == (
        "`${{` looks like a template placeholder with a missing closing brace; replace it with a real value"
        " for `description` (the complete placeholder would be `${{}}`)"
    )


def test_the_placeholder_scan_takes_time_linear_in_its_input():
    from worker_lint.dataos.templating import MALFORMED, scan

    # the input doubled twice: linear time grows four times, quadratic sixteen; enough of each that a
    # scan takes milliseconds, and of those that were quadratic at C speed tens of them
    for unit, count in (("${{ ", 1_250), ("${ ", 1_250), ("{{ ", 20_000), ("{% ", 20_000)):
        small, large = unit * count, unit * 4 * count
        assert [t.kind for t in scan(large)] == ([MALFORMED] * 4 * count if unit.startswith("$") else [])
        ratio = _seconds(scan, large) / _seconds(scan, small)
        assert ratio < 8, f"{unit!r}: four times the input took {ratio:.1f} times as long"


def test_a_long_value_with_a_variable_used_by_many_aliases(tmp_path: Path):
    # the value was substituted and read again as YAML at every alias: 4,000 aliases of a 20 KB value took 10 s
    count = 8_000
    text = VALID + f"    a: &a ${{X}}{'x' * 5 * count}\n    list:\n" + "      - *a\n" * count
    (tmp_path / "aliases.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli(
        "check", "--format", "json", "--no-cache", "--var", "Y=1", "aliases.yaml", cwd=tmp_path, timeout=20
    )
    assert run.stderr == ""
    assert cli_found(run) == [
        (
            "aliases.yaml",
            "WL305",
            9,
            11,
            "apply-time variable `${X}` is not defined; set it with `--var X=VALUE`, an `--env-file`, or the"
            " environment with `--use-env`",
        )
    ]
