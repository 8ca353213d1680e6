"""Shared fixtures: the project root, the shared corpus, and the command line run in-process or as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the shared corpora, references and schemas beside the checkout; tests reach them only through here
SHARED = ROOT.parent / "shared"
#: what the tests read from it, checked once per session
SHARED_PARTS = (
    "corpus/dataos/SOURCES.tsv",
    "corpus/yaml-test-suite/INDEX.tsv",
    "reference",
    "schemas-ext/sarif-2.1.0.json",
    "docs/dataos-manifests.md",
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI a missing ../shared fails the run at once: its tests must never skip silently there."""
    missing = [part for part in SHARED_PARTS if not (SHARED / part).exists()]
    if missing and _in_ci():
        raise pytest.UsageError(f"CI=true but {SHARED} lacks {', '.join(missing)}: the tests that read it cannot run")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI always does)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a heavy case (a real pre-commit install, huge or many inputs): run under CI or --run-slow"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The heavy cases run under CI (and with --run-slow); a local run leaves them out and says how many."""
    if _in_ci() or config.getoption("--run-slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


#: set on a test's item once one of its phases failed: a resource it shared is not handed to the next test as it is
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


def missing_shared(what: str) -> None:
    """A test that needs a part of ../shared it cannot find: a failure under CI, a skip saying what elsewhere."""
    message = f"{what} is missing (the shared corpora and references beside the checkout)"
    if _in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_shared(*parts: str) -> Path:
    """``../shared/<parts>``; a test that needs it fails under CI and skips elsewhere, saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing_shared(str(path))
    return path


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes a result cache into the checkout, or a cache-key secret into the user's cache folder.

    Each test gets its own result cache folder (a test that names one with
    `--cache-dir` or `--no-cache` still has its way) and its own user cache
    folder, where the machine secret is created.
    """
    monkeypatch.setenv("WORKER_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def shared() -> Path:
    return require_shared()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        return list(self.json["diagnostics"])


def _clean_env(env: dict[str, str] | None) -> dict[str, str]:
    """The environment a user's run gets: without the CI markers that change the default format or colour."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    full_env.update(env or {})
    return full_env


def run_process(
    *args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run `python -m worker_lint` in a real subprocess: for what only a process shows (exit paths, streams, pools)."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "worker_lint", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=_clean_env(env),
        timeout=300,
    )
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run the command line's own ``main`` in this process, with its streams, folder and environment captured.

    The same parsing, pipeline and reports as `python -m worker_lint`, without a new interpreter per call; a
    traceback it would print reaches ``stderr`` as a process would show it.
    """
    result, traceback_text = _invoke(args, cwd, stdin, env)
    return Run(result.exit_code, result.stdout, result.stderr + traceback_text)


@dataclass
class RawRun:
    returncode: int
    stdout: bytes
    stderr: bytes


def run_cli_bytes(
    *args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> RawRun:
    """As ``run_cli``, with the bytes written to each stream as they were: for what a report's encoding lets through."""
    result, traceback_text = _invoke(args, cwd, stdin, env)
    return RawRun(result.exit_code, result.stdout_bytes, result.stderr_bytes + traceback_text.encode("utf-8"))


def _invoke(
    args: tuple[str, ...], cwd: Path | None, stdin: str | bytes | None, env: dict[str, str] | None
) -> tuple[Any, str]:
    """click's runner over ``main``: its result, and the traceback of an exception other than an exit, if any."""
    from click.testing import CliRunner

    from worker_lint import cli

    runner = CliRunner()
    # the runner's environment is applied on top of os.environ: unset what a user's run would not see
    overrides: dict[str, str | None] = {k: None for k in os.environ if k not in _clean_env(env)}
    overrides.update(_clean_env(env))
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(cli.main, list(args), input=stdin, env=overrides, catch_exceptions=True)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return result, "".join(traceback.format_exception(result.exception))
    return result, ""


@pytest.fixture
def cli():
    return run_cli
