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
