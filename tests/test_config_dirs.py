"""Configuration per folder (the closest to each file wins), the repository's top, and hostile configurations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli

#: one WL102 (7:3): `stackspec` for `stackSpec`
WORKER = """\
version: v2alpha
name: sleep-worker
type: worker
spec:
  compute: runnable-default
  stack: container
  stackspec:
    image: docker.io/library/alpine:3.20
"""
TYPO = "unknown field `stackspec` in `spec`; did you mean `stackSpec`?"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows(result) -> list[tuple[str, int, int, str, str]]:
    return [(d["path"], d["line"], d["column"], d["severity"], d["code"]) for d in result.diagnostics]


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """One repository, two data products with a configuration each, and a file under neither."""
    (tmp_path / ".git").mkdir()
    write(tmp_path / "orders" / ".worker-lint.yaml", "ignore: [WL102]\nexclude: [drafts]\n")
    write(tmp_path / "orders" / "workers" / "w.yaml", WORKER)
    write(tmp_path / "orders" / "drafts" / "w.yaml", "type: worker\nname: [\n")
    write(tmp_path / "billing" / "pyproject.toml", '[tool.worker-lint]\nseverity = {WL102 = "warning"}\n')
    write(tmp_path / "billing" / "w.yaml", WORKER)
    write(tmp_path / "billing" / "drafts" / "w.yaml", WORKER)  # `exclude` of orders/ is about orders/ only
    write(tmp_path / "top.yaml", WORKER)
    return tmp_path


def test_each_file_gets_the_closest_configuration_to_its_own_folder(monorepo: Path):
    result = run_cli("check", "--format", "json", "--no-cache", ".", cwd=monorepo)
    assert result.returncode == 1, result.stderr
    assert rows(result) == [
        ("billing/drafts/w.yaml", 7, 3, "warning", "WL102"),
        ("billing/w.yaml", 7, 3, "warning", "WL102"),
        ("top.yaml", 7, 3, "error", "WL102"),
    ]
    assert {d["message"] for d in result.diagnostics} == {TYPO}
    text = run_cli("check", "--no-cache", ".", cwd=monorepo)
    assert text.stdout.splitlines()[-2:] == ["Found 1 error, 2 warnings in 3 of 4 files.", "3 fixable with --fix."]
    # from inside one product, the other's files still get their own configuration
    inside = run_cli("check", "--format", "json", "--no-cache", "workers", "../billing/w.yaml", cwd=monorepo / "orders")
    assert (inside.returncode, rows(inside)) == (0, [("../billing/w.yaml", 7, 3, "warning", "WL102")])


def test_the_cache_keeps_each_configurations_results_apart(monorepo: Path):
    default_place = {"WORKER_LINT_CACHE_DIR": ""}  # where the cache goes unless told: the project's root
    first = run_cli("check", "--format", "json", ".", cwd=monorepo, env=default_place)
    second = run_cli("check", "--format", "json", ".", cwd=monorepo, env=default_place)
    assert (
        rows(first)
        == rows(second)
        == [
            ("billing/drafts/w.yaml", 7, 3, "warning", "WL102"),
            ("billing/w.yaml", 7, 3, "warning", "WL102"),
            ("top.yaml", 7, 3, "error", "WL102"),
        ]
    )
    assert (monorepo / ".worker-lint-cache").is_dir()


@pytest.mark.parametrize(
    ("cwd", "name", "expected"),
    [
        (".", "orders/workers/w.yaml", (0, [])),
        (".", "billing/w.yaml", (0, [("billing/w.yaml", 7, 3, "warning", "WL102")])),
        (".", "top.yaml", (1, [("top.yaml", 7, 3, "error", "WL102")])),
        ("orders/workers", "w.yaml", (0, [])),
        ("billing", "w.yaml", (0, [("w.yaml", 7, 3, "warning", "WL102")])),
        ("billing", "../orders/workers/w.yaml", (0, [])),
        ("orders", "../top.yaml", (1, [("../top.yaml", 7, 3, "error", "WL102")])),
    ],
)
def test_standard_input_gets_the_configuration_of_the_folder_it_is_named_in(
    monorepo: Path, cwd: str, name: str, expected: tuple[int, list]
):
    result = run_cli("check", "--format", "json", "--stdin-filename", name, "-", cwd=monorepo / cwd, stdin=WORKER)
    assert (result.returncode, rows(result)) == expected, result.stderr


def test_command_line_values_apply_on_top_of_each_files_configuration(monorepo: Path):
    ignored = run_cli("check", "--format", "json", "--no-cache", "--ignore", "WL102", ".", cwd=monorepo)
    assert (ignored.returncode, rows(ignored)) == (0, [])
    # --select starts a new selection (orders' `ignore` goes); billing's severity stays
    selected = run_cli("check", "--format", "json", "--no-cache", "--select", "WL102", ".", cwd=monorepo)
    assert rows(selected) == [
        ("billing/drafts/w.yaml", 7, 3, "warning", "WL102"),
        ("billing/w.yaml", 7, 3, "warning", "WL102"),
        ("orders/workers/w.yaml", 7, 3, "error", "WL102"),
        ("top.yaml", 7, 3, "error", "WL102"),
    ]
    excluded = run_cli("check", "--format", "json", "--no-cache", "--exclude", "billing", ".", cwd=monorepo)
    assert rows(excluded) == [("top.yaml", 7, 3, "error", "WL102")]
    # files named one by one, as pre-commit names them: each folder's `exclude` still applies
    named = run_cli(
        "check", "--format", "json", "--no-cache", "orders/drafts/w.yaml", "billing/drafts/w.yaml", cwd=monorepo
    )
    assert rows(named) == [("billing/drafts/w.yaml", 7, 3, "warning", "WL102")]


def test_config_overrides_every_folders_configuration_and_isolated_ignores_them(monorepo: Path):
    given = run_cli(
        "check", "--format", "json", "--no-cache", "--config", "orders/.worker-lint.yaml", ".", cwd=monorepo
    )
    # orders' configuration for every file: WL102 ignored, and its `exclude` (relative to orders/) kept
    assert (given.returncode, rows(given)) == (0, [])
    isolated = run_cli("check", "--format", "json", "--no-cache", "--isolated", ".", cwd=monorepo)
    assert isolated.returncode == 1
    assert [row[0] for row in rows(isolated)] == [
        "billing/drafts/w.yaml",
        "billing/w.yaml",
        "orders/drafts/w.yaml",
        "orders/workers/w.yaml",
        "top.yaml",
    ]


def test_a_broken_configuration_of_a_folder_is_a_usage_error_naming_it(monorepo: Path):
    write(monorepo / "billing" / "pyproject.toml", '[tool.worker-lint]\nignroe = ["WL102"]\n')
    for args in (("."), ("billing/w.yaml",), ("--stdin-filename", "billing/w.yaml", "-")):
        result = run_cli("check", *args, cwd=monorepo, stdin=WORKER)
        assert (result.returncode, result.stdout) == (2, ""), args
        assert result.stderr == "billing/pyproject.toml:2:1: unknown key `ignroe`; did you mean `ignore`?\n"
    elsewhere = run_cli("check", "--format", "json", "--no-cache", "orders", cwd=monorepo)
    assert (elsewhere.returncode, rows(elsewhere)) == (0, [])


def test_the_api_resolves_each_file_and_buffer_like_the_command_line(monorepo: Path, monkeypatch: pytest.MonkeyPatch):
    from worker_lint import api
    from worker_lint.config import Resolver

    monkeypatch.chdir(monorepo)
    found = [
        (display, [(d.span.line, d.span.column, d.severity.value, d.code) for d in result.diagnostics])
        for display, result in api.lint(
            ["."], settings=Resolver(monorepo), buffers={"orders/new.yaml": WORKER, "billing/new.yaml": WORKER}
        )
    ]
    # in groups of one configuration, each in the order its first file came
    assert found == [
        ("orders/new.yaml", []),
        ("orders/workers/w.yaml", []),
        ("billing/new.yaml", [(7, 3, "warning", "WL102")]),
        (os.path.join("billing", "drafts", "w.yaml"), [(7, 3, "warning", "WL102")]),
        (os.path.join("billing", "w.yaml"), [(7, 3, "warning", "WL102")]),
        ("top.yaml", [(7, 3, "error", "WL102")]),
    ]
    resolver = Resolver(monorepo)
    assert resolver.for_file("orders/workers/w.yaml") is resolver.for_file("orders/new.yaml")
    assert resolver.for_file("orders/workers/w.yaml").config_path == monorepo / "orders" / ".worker-lint.yaml"
    assert resolver.for_file("top.yaml").config_path is None


def test_a_file_two_configurations_bundles_name_is_linted_once(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    bundle = "version: v2alpha\nname: b\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      file: ../w.yaml\n"
    write(tmp_path / "a" / "bundle.yaml", bundle)
    write(tmp_path / "a" / ".worker-lint.yaml", "root: ..\nseverity: {WL102: warning}\n")
    write(tmp_path / "b" / "bundle.yaml", bundle)
    write(tmp_path / "b" / ".worker-lint.yaml", "root: ..\nseverity: {WL102: info}\n")
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", "a/bundle.yaml", "b/bundle.yaml", cwd=tmp_path)
    assert rows(result) == [("w.yaml", 7, 3, "warning", "WL102")]


# -- a repository's configuration is its own ------------------------------------------------------------------------


@pytest.mark.parametrize("git", ["folder", "file"])
def test_discovery_stops_at_the_repository_top(tmp_path: Path, git: str):
    write(tmp_path / ".worker-lint.yaml", "ignore: [ALL]\n")
    repo = tmp_path / "repo"
    if git == "folder":
        (repo / ".git").mkdir(parents=True)
    else:  # a worktree or submodule: `.git` is a file naming the real one
        write(repo / ".git", "gitdir: /elsewhere/.git/worktrees/repo\n")
    write(repo / "team" / "w.yaml", WORKER)
    for cwd, args, shown in (
        (repo, ("team/w.yaml",), "team/w.yaml"),
        (repo / "team", ("w.yaml",), "w.yaml"),
        (repo, ("--stdin-filename", "team/w.yaml", "-"), "team/w.yaml"),
    ):
        result = run_cli("check", "--format", "json", *args, cwd=cwd, stdin=WORKER, env={"WORKER_LINT_CACHE_DIR": ""})
        assert (result.returncode, rows(result)) == (1, [(shown, 7, 3, "error", "WL102")]), result.stderr
    assert not (tmp_path / ".worker-lint-cache").exists()  # the parent folder receives nothing
    assert (repo / ".worker-lint-cache").is_dir()
    # outside any repository, the search goes on upward
    outside = write(tmp_path / "loose" / "w.yaml", WORKER)
    silenced = run_cli("check", "--format", "json", "--no-cache", "w.yaml", cwd=outside.parent)
    assert (silenced.returncode, rows(silenced)) == (0, [])


def test_a_configuration_at_the_repository_top_is_found(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", '[tool.worker-lint]\nignore = ["WL102"]\n')
    write(tmp_path / "a" / "b" / "w.yaml", WORKER)
    result = run_cli("check", "--format", "json", "--no-cache", "w.yaml", cwd=tmp_path / "a" / "b")
    assert (result.returncode, rows(result)) == (0, [])


# -- hostile configurations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            ".worker-lint.yaml",
            '"\\n::error file=w.yaml,line=1::pwned": 1\n',
            ".worker-lint.yaml:1:1: unknown key `\\n::error file=w.yaml,line=1::pwned`\n",
        ),
        (
            ".worker-lint.yaml",
            'select: ["\\e]0;title\\a\\r\\e[2KNo problems found\\u2028::error::x"]\n',
            ".worker-lint.yaml:1:10: `\\x1b]0;title\\x07\\r\\x1b[2KNo problems found\\u2028::error::x` in `select` is not"
            " a rule code or prefix such as `WL201` or `WL2`\n",
        ),
        (
            "pyproject.toml",
            '[tool.worker-lint]\n"\\n::add-mask::x\\u0085" = 1\n',
            "pyproject.toml:1:1: unknown key `\\n::add-mask::x\\x85`\n",
        ),  # at the table: the key is spelt escaped
    ],
)
def test_configuration_errors_are_one_line_with_control_characters_escaped(
    tmp_path: Path, name: str, text: str, expected: str
):
    write(tmp_path / name, text)
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "w.yaml", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == expected
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in result.stderr)


def test_command_line_values_in_errors_are_escaped_too(tmp_path: Path):
    write(tmp_path / "w.yaml", WORKER)
    result = run_cli("check", "--ignore", "WL1\n::error::x", "w.yaml", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "--ignore: `WL1\\n::ERROR::X` is not a rule code or prefix such as `WL201` or `WL2`\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[tool.worker-lint]\nselect = " + "[" * 5000 + "]" * 5000 + "\n"),
        ("pyproject.toml", "[tool.worker-lint]\noptions = {WL201 = {x = " + "{a = " * 3000 + "1" + "}" * 3000 + "}}\n"),
        ("pyproject.toml", "[tool.worker-lint]\nselect = " + "[" * 100 + "]" * 100 + "\n"),
        (".worker-lint.yaml", "options: {WL201: {x: " + "[" * 150 + "]" * 150 + "}}\n"),
        ("cfg.toml", "select = " + "[" * 5000 + "]" * 5000 + "\n"),
    ],
)
def test_deeply_nested_configuration_values_are_a_usage_error_naming_the_file(tmp_path: Path, name: str, text: str):
    write(tmp_path / name, text)
    write(tmp_path / "w.yaml", WORKER)
    args = ("--config", name) if name == "cfg.toml" else ()
    result = run_cli("check", *args, "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"{name}: values nested more than 64 levels deep; a configuration needs a few\n"


# -- limits ---------------------------------------------------------------------------------------------------------

BUNDLE = "version: v2alpha\nname: b\ntype: bundle\nbundle:\n  resources:\n    - id: w\n      file: w.yaml\n"
CLEAN = WORKER.replace("stackspec", "stackSpec")


def test_configured_limits_apply_to_files_and_to_the_files_bundles_name(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "bundle.yaml", BUNDLE)
    write(tmp_path / "w.yaml", CLEAN + "# " + "x" * (1024 * 1024 + 10) + "\n")
    # the default limit: the Worker is not parsed, and the Bundle does not call it empty
    default = run_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path)
    assert rows(default) == [("w.yaml", 9, 1, "error", "WL013")]
    assert default.diagnostics[0]["message"] == (
        "line 9 is longer than 1,048,576 characters; the file was not parsed (move the data to a file of its own,"
        " or raise `max-line-length` in the configuration)"
    )
    # raised: the Worker and the Bundle's reading of it both parse it
    write(tmp_path / ".worker-lint.yaml", "max-line-length: 2000000\n")
    raised = run_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path)
    assert (raised.returncode, rows(raised)) == (0, [])
    # lowered: neither reads the Worker
    write(tmp_path / "w.yaml", CLEAN)
    write(tmp_path / ".worker-lint.yaml", "max-file-size: 100\n")
    lowered = run_cli("check", "--format", "json", "--no-cache", "bundle.yaml", cwd=tmp_path)
    assert rows(lowered) == [("w.yaml", 1, 1, "error", "WL011")]
    assert lowered.diagnostics[0]["message"] == (
        "the file is larger than 100 bytes; it was not read (split it, or raise `max-file-size` in the"
        " configuration if it really is a manifest)"
    )


def test_a_referenced_file_is_read_with_the_runs_limits(tmp_path: Path):
    from worker_lint.core.settings import Limits
    from worker_lint.dataos import bundle

    path = write(tmp_path / "w.yaml", CLEAN + "# " + "x" * 200 + "\n")
    assert bundle.load_referenced(path).kinds == [("worker", "v2alpha")]
    assert bundle.load_referenced(path, None, 10_000, Limits(max_line_length=100)).unreadable
    assert bundle.load_referenced(path, None, 100).unreadable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max-file-size: 0\n", ".worker-lint.yaml:1:16: `max-file-size` must be at least 1, not 0"),
        ('max-line-length: "9"\n', ".worker-lint.yaml:1:18: `max-line-length` must be an integer, not a string"),
        ("max-nodes: true\n", ".worker-lint.yaml:1:12: `max-nodes` must be an integer, not a boolean"),
    ],
)
def test_limits_in_the_configuration_are_checked(tmp_path: Path, text: str, expected: str):
    write(tmp_path / ".worker-lint.yaml", text)
    write(tmp_path / "w.yaml", CLEAN)
    result = run_cli("check", "w.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, expected + "\n")


def test_fixes_follow_each_files_configuration(monorepo: Path):
    result = run_cli("check", "--fix", "--no-cache", "--format", "json", ".", cwd=monorepo)
    assert (result.returncode, rows(result)) == (0, []), result.stderr
    # orders/ ignores WL102: its typo is neither reported nor fixed; the others are fixed
    assert (monorepo / "orders" / "workers" / "w.yaml").read_text(encoding="utf-8") == WORKER
    for fixed in ("billing/w.yaml", "billing/drafts/w.yaml", "top.yaml"):
        assert (monorepo / fixed).read_text(encoding="utf-8") == CLEAN, fixed


# -- stack-dirs: folders inside the repository, walked whatever changes meanwhile ---------------------------------

#: a custom Stack whose stackSpec needs a string `topic`, and a Worker of it whose `topic` is a number
RELAY_STACK = (
    'name: relay-def\nversion: v1alpha\ntype: stack\nstack:\n  name: relay\n  version: "1.0"\n'
    '  flavor: python\n  stackSpecValueSchema:\n    jsonSchema: \'{"type": "object", "required":'
    ' ["topic"], "properties": {"topic": {"type": "string"}}}\'\n'
    "  workerConfig:\n    configFileTemplate: x\n"
)
RELAY_WORKER = (
    "name: relay-worker\nversion: v1beta\ntype: worker\nworker:\n  stack: relay+python:1.0\n"
    "  compute: runnable-default\n  stackSpec:\n    topic: 3\n"
)
#: the Worker's error, when the Stack definition was read
TOPIC = "`worker.stackSpec.topic` must be a string, not an integer (`3`) (schema of Stack `relay-def` in {where})"


@pytest.mark.parametrize("folder", ["/proc", "/", "../elsewhere", "linked"])
def test_a_stack_folder_outside_the_repository_is_a_configuration_error(tmp_path: Path, folder: str) -> None:
    # `stack-dirs: ["/proc"]` was walked (`/`: the whole disk), and a vanishing entry ended the run with a traceback
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (repo / "linked").symlink_to(tmp_path / "elsewhere")  # a link leads nowhere a path may not
    write(repo / ".worker-lint.yaml", f'select: [WL]\nstack-dirs: ["{folder}"]\n')
    write(repo / "w.yaml", RELAY_WORKER)
    run = run_cli("check", "--no-cache", "w.yaml", cwd=repo)
    top = os.path.realpath(repo)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f".worker-lint.yaml:2:14: `stack-dirs`: `{folder}` is outside the repository (`{top}`); list folders inside it\n"
    )


def test_a_stack_folder_elsewhere_in_the_repository_is_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "shared" / "stacks" / "relay.yaml", RELAY_STACK)
    write(repo / "team" / ".worker-lint.yaml", "stack-dirs: [../shared/stacks]\n")
    write(repo / "team" / "w.yaml", RELAY_WORKER)
    run = run_cli("check", "--format", "json", "--no-cache", "team/w.yaml", cwd=repo)
    assert run.returncode == 1, run.stderr
    assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in run.diagnostics] == [
        ("team/w.yaml", 8, 12, "WL103", TOPIC.format(where="shared/stacks/relay.yaml"))
    ]


def test_outside_a_repository_a_stack_folder_stays_inside_the_configuration_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / ".worker-lint.yaml", "stack-dirs: [..]\n")
    write(project / "w.yaml", RELAY_WORKER)
    run = run_cli("check", "--no-cache", "w.yaml", cwd=project)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f".worker-lint.yaml:1:14: `stack-dirs`: `..` is outside the configuration's folder"
        f" (`{os.path.realpath(project)}`); list folders inside it\n"
    )


def test_a_stack_folder_changing_while_it_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a folder that vanished between being listed and being walked into ended the run with a traceback
    import shutil

    from click.testing import CliRunner

    from worker_lint.cli import main

    write(tmp_path / ".worker-lint.yaml", "stack-dirs: [stacks]\n")
    write(tmp_path / "stacks" / "a-old" / "relay.yaml", RELAY_STACK.replace("relay-def", "old-def"))
    write(tmp_path / "stacks" / "b" / "relay.yaml", RELAY_STACK)
    write(tmp_path / "w.yaml", RELAY_WORKER)
    listed = os.scandir

    def vanishing(path: int | str | os.PathLike[str] = ".") -> object:
        if not isinstance(path, int) and os.path.basename(path) == "a-old":
            shutil.rmtree(path)  # removed by someone else, after its parent was listed
        return listed(path)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "scandir", vanishing)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "w.yaml"])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["diagnostics"]
    assert [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in found] == [
        ("w.yaml", 8, 12, "WL103", TOPIC.format(where="stacks/b/relay.yaml"))
    ]
