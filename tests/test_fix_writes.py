"""What `--fix` writes, and where: only the bytes a fix was computed for, in place, into the files named.

Each test reproduces a way `--fix` once damaged a manifest or wrote where it
was not asked to: a stale fix applied to a file already changed (reached
twice through a link, with a warm cache or two jobs; an editor saving during
the run), a quoted number unquoted into another number, a re-indent that
changed a block scalar, a rename that replaced a read-only, shared or foreign
file, and the files a Bundle refers to rewritten.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from worker_lint import cli
from worker_lint.core import atomic
from worker_lint.run import fixing

HEAD = "version: v1beta\nname: orders-relay\ntype: worker\n"
WORKER = (
    HEAD + "worker:\n  stack: container\n  compute: runnable-default\n"
    '  replicas: "2"  # two is enough\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n'
)
FIXED = WORKER.replace('"2"  # two', "2  # two")


def _linked_project(tmp_path: Path) -> Path:
    """`prod/worker.yaml -> ../base/worker.yaml`: one file, reached twice by a walk of the project."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "base").mkdir()
    (tmp_path / "prod").mkdir()
    (tmp_path / "base" / "worker.yaml").write_text(WORKER)
    (tmp_path / "prod" / "worker.yaml").symlink_to("../base/worker.yaml")
    return tmp_path / "base" / "worker.yaml"


def _main(*args: str) -> int:
    """The command line in this process (where a test must step into the run), its exit status."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", *args], prog_name="worker-lint")
    code = exit_info.value.code
    return code if isinstance(code, int) else 0


# -- a fix applies to the bytes it was computed for


def test_a_file_reached_twice_through_a_link_with_a_warm_cache_is_fixed_once(tmp_path: Path):
    target = _linked_project(tmp_path)
    warm = run_cli("check", ".", cwd=tmp_path)
    assert warm.stdout.count("error WL103 [*] `worker.replicas` must be an integer, not a string (`2`)") == 2
    result = run_cli("check", "--fix", ".", cwd=tmp_path)
    assert target.read_text() == FIXED
    assert result.stdout == "No problems found in 2 files.\nFixed 1 problem in 1 file.\n"
    assert (result.returncode, result.stderr) == (0, "")


def test_a_diff_shows_a_file_reached_twice_through_a_link_once(tmp_path: Path):
    target = _linked_project(tmp_path)
    result = run_cli("check", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert result.stdout == (
        "--- base/worker.yaml\n+++ base/worker.yaml\n@@ -4,6 +4,6 @@\n worker:\n   stack: container\n"
        '   compute: runnable-default\n-  replicas: "2"  # two is enough\n+  replicas: 2  # two is enough\n'
        "   stackSpec:\n     image: docker.io/library/alpine:3.20\n"
    )
    assert (result.returncode, result.stderr) == (1, "Would fix 1 problem in 1 file.\n")
    assert target.read_text() == WORKER


def test_a_file_reached_twice_through_a_link_with_two_jobs_is_fixed_once(tmp_path: Path):
    target = _linked_project(tmp_path)
    result = run_cli("check", "--no-cache", "--jobs", "2", "--fix", ".", cwd=tmp_path)
    assert target.read_text() == FIXED
    assert result.stdout == "No problems found in 2 files.\nFixed 1 problem in 1 file.\n"
    assert (result.returncode, result.stderr) == (0, "")


def test_an_editor_saving_after_the_lint_gets_the_fix_of_what_it_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    saved = "# edited\n" + WORKER
    fixed = fixing.Fixer.fixed

    def save_after_the_lint(self: fixing.Fixer, results: Any) -> Any:
        def saving() -> Any:
            for display, result in results:
                target.write_text(saved)  # the run has this file's result, of the bytes before
                yield display, result

        return fixed(self, saving())

    monkeypatch.setattr(fixing.Fixer, "fixed", save_after_the_lint)
    assert _main("--no-cache", "--fix", "w.yaml") == 0
    assert target.read_text() == "# edited\n" + FIXED
    assert capsys.readouterr().out == "No problems found in 1 file.\nFixed 1 problem in 1 file.\n"


def test_an_editor_saving_while_the_fix_is_made_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    saved = WORKER.replace("  stack: container\n", "  stack: container\n  title: orders\n")
    fix_bytes = fixing.fix_bytes
    calls = []

    def fix_then_save(data: bytes, *args: Any) -> Any:
        outcome = fix_bytes(data, *args)
        calls.append(data)
        if len(calls) == 1:
            target.write_text(saved)
        return outcome

    monkeypatch.setattr(fixing, "fix_bytes", fix_then_save)
    assert _main("--no-cache", "--fix", "w.yaml") == 0
    assert calls == [WORKER.encode(), saved.encode()]
    assert target.read_text() == saved.replace('"2"  # two', "2  # two")
    assert capsys.readouterr().out == "No problems found in 1 file.\nFixed 1 problem in 1 file.\n"


def test_a_file_that_changes_before_every_write_is_left_to_its_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    fix_bytes = fixing.fix_bytes

    def fix_then_save(data: bytes, *args: Any) -> Any:
        outcome = fix_bytes(data, *args)
        target.write_bytes(data + b"# saved again\n")
        return outcome

    monkeypatch.setattr(fixing, "fix_bytes", fix_then_save)
    assert _main("--no-cache", "--fix", "w.yaml") == 1
    assert target.read_text() == WORKER + "# saved again\n" * fixing.MAX_READS
    out, err = capsys.readouterr()
    assert err == "worker-lint: w.yaml: not fixed: it changed each time it was about to be written\n"
    assert "w.yaml:7:13: error WL103 [*] `worker.replicas` must be an integer, not a string (`2`)" in out
    assert out.endswith("Fixed 0 problems in 0 files.\n")


# -- a safe fix keeps the value the platform reads

#: a quoted replicas, and what the fix writes unquoted (None: no fix, go-yaml would read another number)
NUMBERS = {
    "2": "2",
    "+5": "+5",
    "007": "007",  # octal 7 is 7
    "010": None,  # octal 8
    "0o10": None,
    "0x1F": None,
    "1_000": None,
    "08": None,  # not octal: go-yaml reads the float 8
    "1e3": None,
    ".5": None,
    "inf": None,
    "99999999999999999999": None,  # past uint64: a float
}


def test_a_quoted_number_is_unquoted_only_where_go_yaml_reads_that_number(tmp_path: Path):
    for n, written in enumerate(NUMBERS):
        (tmp_path / f"w{n}.yaml").write_text(WORKER.replace('"2"', f'"{written}"'))
    report = run_cli("check", "--no-cache", "--select", "WL103", ".", cwd=tmp_path)
    for n, (written, fixed) in enumerate(NUMBERS.items()):
        mark = "[*] " if fixed is not None else ""
        line = f"w{n}.yaml:7:13: error WL103 {mark}`worker.replicas` must be an integer, not a string (`{written}`)"
        assert line in report.stdout, (written, report.stdout)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "WL103", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.endswith("Fixed 3 problems in 3 files.\n")
    for n, (written, fixed) in enumerate(NUMBERS.items()):
        expected = WORKER.replace('"2"', fixed if fixed is not None else f'"{written}"')
        assert (tmp_path / f"w{n}.yaml").read_text() == expected, written


# -- a re-indent moves a block scalar's lines of spaces with it

BLOCK_BEFORE = (
    "name: sh-worker\nversion: v1beta\ntype: worker\nworker:\n  replicas: 1\n  stack: container\n"
    "  compute: runnable-default\n  stackSpec:\n  image: docker.io/library/alpine:3.20\n  command:\n    - sh\n"
    "  arguments:\n    - |\n      echo one\n        \n\n      echo two\n       \n"
)


def test_the_reindent_fix_keeps_the_spaces_of_a_literal_block_scalar(tmp_path: Path):
    import yaml

    target = tmp_path / "w.yaml"
    target.write_text(BLOCK_BEFORE)
    result = run_cli("check", "--no-cache", "--fix", "--unsafe-fixes", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "No problems found in 1 file.\nFixed 1 problem in 1 file.\n")
    assert target.read_text() == (
        "name: sh-worker\nversion: v1beta\ntype: worker\nworker:\n  replicas: 1\n  stack: container\n"
        "  compute: runnable-default\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n    command:\n"
        "      - sh\n    arguments:\n      - |\n        echo one\n          \n\n        echo two\n         \n"
    )
    argument = yaml.safe_load(target.read_text())["worker"]["stackSpec"]["arguments"][0]
    assert argument == yaml.safe_load(BLOCK_BEFORE)["worker"]["arguments"][0] == "echo one\n  \n\necho two\n \n"


# -- written in place: the same file, or not at all


def test_a_fix_is_written_in_place_keeping_inode_links_mode_and_owner(tmp_path: Path):
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    os.link(target, tmp_path / "shared.yaml")
    os.chmod(target, 0o640)
    if os.geteuid() == 0:  # as under sudo: the file stays its owner's
        os.chown(target, 4242, 4343)
    before = os.stat(target)
    result = run_cli("check", "--no-cache", "--fix", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    after = os.stat(target)
    assert (after.st_ino, after.st_nlink, after.st_mode, after.st_uid, after.st_gid) == (
        before.st_ino,
        2,
        before.st_mode,
        before.st_uid,
        before.st_gid,
    )
    assert (tmp_path / "shared.yaml").read_text() == FIXED
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("w.yaml", "shared.yaml")]


def test_a_read_only_manifest_is_refused_in_one_line(tmp_path: Path):
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    os.chmod(target, 0o444)
    result = run_cli("check", "--no-cache", "--fix", "w.yaml", cwd=tmp_path)
    assert target.read_text() == WORKER
    assert result.stderr == "worker-lint: w.yaml: not fixed: it is read-only (mode 0444); make it writable to fix it\n"
    assert result.returncode == 1
    assert "w.yaml:7:13: error WL103 [*] `worker.replicas` must be an integer, not a string (`2`)" in result.stdout
    assert result.stdout.endswith("Fixed 0 problems in 0 files.\n")


@pytest.mark.parametrize("restorable", [True, False])
def test_a_write_that_fails_part_way_says_what_became_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], restorable: bool
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "w.yaml"
    target.write_text(WORKER)
    write_all = atomic._write_all

    def half_then_full_disk(fd: int, data: bytes) -> None:
        if data == WORKER.encode() and restorable:
            write_all(fd, data)  # writing the previous contents back works
            return
        write_all(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic, "_write_all", half_then_full_disk)
    assert _main("--no-cache", "--fix", "w.yaml") == 1
    err = capsys.readouterr().err
    if restorable:
        assert target.read_text() == WORKER
        assert err == (
            "worker-lint: w.yaml: not fixed: writing it failed (No space left on device); the file was left as it was\n"
        )
    else:
        assert err == (
            "worker-lint: w.yaml: not fixed: writing it failed (No space left on device) and its previous"
            " contents could not be written back: it may be incomplete, check it\n"
        )


# -- only the files given are written


def test_fix_writes_only_the_files_given_and_reports_the_ones_a_bundle_names(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "workers").mkdir()
    (tmp_path / "deploy").mkdir()
    worker = tmp_path / "workers" / "w.yaml"
    worker.write_text(WORKER)
    (tmp_path / "deploy" / "bundle.yaml").write_text(
        "name: b\nversion: v1beta\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      file: ../workers/w.yaml\n"
    )
    result = run_cli("check", "--no-cache", "--fix", "deploy/bundle.yaml", cwd=tmp_path)
    assert worker.read_text() == WORKER
    assert result.returncode == 1
    assert "workers/w.yaml:7:13: error WL103 [*] `worker.replicas` must be an integer" in result.stdout
    assert result.stderr == (
        "worker-lint: workers/w.yaml: not fixed: a Bundle refers to it but it was not named;"
        " name it (or its folder) to fix it\n"
    )
    diff = run_cli("check", "--no-cache", "--diff", "deploy/bundle.yaml", cwd=tmp_path)
    assert (diff.returncode, diff.stdout) == (0, "")
    named = run_cli("check", "--no-cache", "--fix", "deploy/bundle.yaml", "workers", cwd=tmp_path)
    assert worker.read_text() == FIXED
    assert (named.returncode, named.stdout) == (0, "No problems found in 2 files.\nFixed 1 problem in 1 file.\n")
