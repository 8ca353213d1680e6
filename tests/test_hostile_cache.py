"""Hostile caches: planted files and links, committed results, a cache folder leading elsewhere, stale results."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import ROOT, Run
from test_hostile import VALID, bounded_cli, cli_found

from worker_lint.run.cache import FORMAT as CACHE_FORMAT

BROKEN = VALID.replace("  compute: runnable-default\n", "")
MISSING_COMPUTE = ("w.yaml", "WL101", 4, 1, "missing required field `compute` in `worker`")


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, drop: tuple[str, ...] = (), timeout: float = 60
) -> Run:
    """The bounded CLI with this module's shorter time bound."""
    return bounded_cli(*args, cwd=cwd, env=env, drop=drop, timeout=timeout)


def age(path: Path, seconds: float = 60) -> None:
    past = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(past, past))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "w.yaml").write_text(BROKEN, encoding="utf-8")
    age(tmp_path / "w.yaml")
    return tmp_path


def results_file(cache: Path) -> Path:
    (found,) = cache.glob("v*/*.json")
    return found


# ---------------------------------------------------------------- 4: a planted results file


@pytest.mark.parametrize("plant", ["dev-zero", "fifo", "huge"])
def test_a_planted_results_file_is_not_read(project: Path, plant: str, monkeypatch: pytest.MonkeyPatch):
    first = cli("check", "--format", "json", "--cache-dir", "cache", "w.yaml", cwd=project)
    assert (first.returncode, cli_found(first)) == (1, [MISSING_COMPUTE])
    target = results_file(project / "cache")
    target.unlink()
    if plant == "dev-zero":
        os.symlink("/dev/zero", target)
    elif plant == "fifo":
        os.mkfifo(target)
    else:  # a regular file too big to be ours: sparse, so it costs no disk
        with open(target, "wb") as handle:
            handle.truncate(300 * 1024 * 1024)
    again = cli("check", "--format", "json", "--cache-dir", "cache", "w.yaml", cwd=project, timeout=30)
    assert "Traceback" not in again.stderr
    assert (again.returncode, cli_found(again)) == (1, [MISSING_COMPUTE])


def test_a_results_file_that_is_a_link_is_not_followed(tmp_path: Path):
    from worker_lint.run.cache import ResultCache

    real = ResultCache(tmp_path / "real", "f", "1")
    real.put("w.yaml", os.stat(__file__), real.key("w.yaml", b"x"), False, [])
    assert real.save()
    cache = ResultCache(tmp_path / "linked", "f", "1")
    (tmp_path / "linked" / f"v{CACHE_FORMAT}").mkdir(parents=True)
    assert cache._file is not None
    os.symlink(real._file, cache._file)  # the same name, a link to a genuine results file
    assert cache.get("w.yaml", cache.key("w.yaml", b"x")) is None


# ---------------------------------------------------------------- 8: a committed results file


def _settings_of_a_plain_run(cwd: Path):
    from worker_lint import config

    overrides = {"select": (), "ignore": (), "extend_select": (), "per_file_ignores": (), "exclude": (), "root": None}
    return config.load_settings(cwd, None, False, overrides)


def test_a_committed_cache_never_makes_a_broken_manifest_pass(project: Path, tmp_path_factory, monkeypatch):
    from worker_lint.run import runner
    from worker_lint.run.cache import DEFAULT_DIRNAME, ResultCache

    # The attacker's machine computes a clean result for the broken file and commits the results file.
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("attacker")))
    settings = _settings_of_a_plain_run(project)
    planted = ResultCache(project / DEFAULT_DIRNAME, settings.fingerprint())
    planted.forget_unless(runner._digest([], settings.max_file_size))  # linted against no Stack definitions
    data = (project / "w.yaml").read_bytes()
    planted.put("w.yaml", os.stat(project / "w.yaml"), planted.key("w.yaml", data), False, [])
    assert planted.save()
    # A fresh clone on the victim's machine, with the default cache folder.
    victim = tmp_path_factory.mktemp("victim")
    run = cli(
        "check",
        "--format",
        "json",
        "w.yaml",
        cwd=project,
        env={"XDG_CACHE_HOME": str(victim)},
        drop=("WORKER_LINT_CACHE_DIR",),
    )
    assert (run.returncode, cli_found(run)) == (1, [MISSING_COMPUTE])


def test_the_machine_secret_is_private_and_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from worker_lint.run.cache import SECRET_FILE, machine_secret

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = machine_secret()
    assert first is not None and len(first) == 32
    path = tmp_path / "worker-lint" / SECRET_FILE
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert machine_secret() == first
    assert sorted(p.name for p in path.parent.iterdir()) == [SECRET_FILE]  # no temporary file left


def test_a_planted_secret_link_is_replaced_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from worker_lint.run.cache import SECRET_FILE, machine_secret

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "worker-lint").mkdir()
    known = tmp_path / "known"
    known.write_bytes(b"k" * 32)
    os.symlink(known, tmp_path / "worker-lint" / SECRET_FILE)
    secret = machine_secret()
    assert secret is not None and secret != b"k" * 32
    assert known.read_bytes() == b"k" * 32


# ---------------------------------------------------------------- 18: a cache folder that leads elsewhere


def test_a_cache_folder_that_is_a_link_is_not_used(project: Path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.symlink(elsewhere, project / ".worker-lint-cache")
    run = cli("check", "--format", "json", "w.yaml", cwd=project, drop=("WORKER_LINT_CACHE_DIR",))
    assert (run.returncode, cli_found(run)) == (1, [MISSING_COMPUTE])
    assert list(elsewhere.iterdir()) == []
    assert run.stderr == (
        f"worker-lint: the cache folder `{project / '.worker-lint-cache'}` is a symbolic link;"
        " the result cache is not used\n"
    )


def test_a_link_planted_inside_the_cache_folder_is_not_written_through(project: Path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (project / "cache").mkdir()
    os.symlink(elsewhere, project / "cache" / f"v{CACHE_FORMAT}")
    (elsewhere / "keep").write_text("mine", encoding="utf-8")
    os.symlink(elsewhere / "keep", project / "cache" / "CACHEDIR.TAG")
    run = cli("check", "--format", "json", "--cache-dir", "cache", "w.yaml", cwd=project)
    assert (run.returncode, cli_found(run)) == (1, [MISSING_COMPUTE])
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep"]
    assert (elsewhere / "keep").read_text(encoding="utf-8") == "mine"


# ---------------------------------------------------------------- 17: a file edited during a run


def test_a_file_edited_between_keying_and_linting_is_not_cached_under_the_old_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    from worker_lint.core.settings import Settings
    from worker_lint.run import runner

    monkeypatch.chdir(project)
    real_read = runner.read_manifest
    reads: list[str] = []

    def edited_after_the_survey(path, size, *rest):
        reads.append(str(path))
        data = real_read(path, size, *rest)
        return VALID.encode() if len(reads) == 2 else data  # the linted bytes are another version

    monkeypatch.setattr(runner, "read_manifest", edited_after_the_survey)
    options = runner.Options(jobs=1, cache_dir=project / "cache")
    first = {name: [d.code for d in r.diagnostics] for name, r in runner.run(["w.yaml"], Settings(), options)}
    assert first == {"w.yaml": []}  # what the edited bytes gave
    monkeypatch.setattr(runner, "read_manifest", real_read)
    second = {name: [d.code for d in r.diagnostics] for name, r in runner.run(["w.yaml"], Settings(), options)}
    assert second == {"w.yaml": ["WL101"]}  # the bytes on disk, never the other version's result


# ---------------------------------------------------------------- issue 13, 2: a stale cache


def test_keys_change_with_the_package_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from worker_lint.run import cache

    monkeypatch.setattr(cache, "_PACKAGE_DIGEST", "one")
    before = cache.ResultCache(tmp_path, "f", "1").key("w.yaml", b"x")
    monkeypatch.setattr(cache, "_PACKAGE_DIGEST", "two")
    assert cache.ResultCache(tmp_path, "f", "1").key("w.yaml", b"x") != before


def test_the_package_digest_sees_an_edit_of_code_or_data(tmp_path: Path):
    from worker_lint.run.cache import tree_digest

    (tmp_path / "pkg").mkdir()
    (tmp_path / "schemas").mkdir()
    (tmp_path / "pkg" / "check.py").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "schemas" / "w.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    folders = [tmp_path / "pkg", tmp_path / "schemas"]
    first = tree_digest(folders)
    (tmp_path / "pkg" / "__pycache__" / "check.pyc").write_bytes(b"compiled")
    assert tree_digest(folders) == first  # byte-code is not the package's code
    os.utime(tmp_path / "schemas" / "w.json", ns=(1, 1))
    (tmp_path / "schemas" / "w.json").write_text('{"a": 2}', encoding="utf-8")  # same size, new time
    assert tree_digest(folders) != first


def test_the_package_digest_covers_this_package(monkeypatch: pytest.MonkeyPatch):
    from worker_lint.run import cache

    monkeypatch.setattr(cache, "_PACKAGE_DIGEST", None)
    digest = cache.package_digest()
    assert digest == cache.tree_digest([ROOT / "worker_lint", ROOT / "rules", ROOT / "schemas"])


def test_tests_never_write_a_cache_into_the_checkout():
    run = cli("check", "--format", "json", "examples/good/sleep-worker.yaml", cwd=ROOT)
    assert run.returncode == 0
    cache_dir = Path(os.environ["WORKER_LINT_CACHE_DIR"])
    assert ROOT not in cache_dir.parents and list(cache_dir.glob("v*/*.json"))
    assert Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(Path(os.environ["XDG_CACHE_HOME"]).parent)
    assert ROOT not in Path(os.environ["XDG_CACHE_HOME"]).parents
