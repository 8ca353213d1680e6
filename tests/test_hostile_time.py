"""Hostile input that costs time out of proportion to its size: each input here took minutes to hours.

The bounds are generous on purpose: each input took the code these tests guard against at least
ten times the bound, and takes the current code a small fraction of it, so a busy CI machine
does not make them fail and a quadratic regression cannot pass.
"""
from __future__ import annotations

from pathlib import Path

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


def test_half_a_million_documents(tmp_path: Path):
    # every document's data was built after a scan of the whole text for `&`: 62 s for 400,000 documents,
    # 97 s for these 500,000 (4.5 MB)
    text = VALID + "---\na: 1\n" * 500_000 + "---\n" + VALID.replace("name: w", "name: w\nname: x")
    (tmp_path / "docs.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "docs.yaml", cwd=tmp_path, timeout=30)
    assert "Traceback" not in run.stderr
    assert [d[:3] for d in cli_found(run)] == [("docs.yaml", "WL002", 1_000_012)]  # the last document's
