"""Hostile input that reaches the YAML layer: nesting hidden from the guard, crashes in workers, node counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_hostile import HEAD, VALID, _event_depth, _events, bounded_cli, cli_found

from worker_lint.document import guard
from worker_lint.run import parallel
from worker_lint.run.parallel import WorkerCrashed, map_files

DEEP_MESSAGE = "nesting deeper than 200 levels; the file was not parsed"

# ---------------------------------------------------------------- tags as libyaml scans them


@pytest.mark.parametrize(
    "text",
    [
        "k: [!a' [[[x]]]]",  # `'` is a URI character: part of the tag, not the start of a quoted scalar
        "k: !a,b [[[x]]]",  # `,` too, in block context as in flow context
        "k: [!a,b [[[x]]]]",
        "k: {!a' [[x]]: 1}",
        "k: [!<a'> [[x]]]",
        "- !a' [[[x]]]",
        "k: !a[b] [[[x]]]",
        "k: [!a]b [[[x]]]]",
        "k: [bar !x: [[[x]]]]",  # a `!` inside a plain scalar is no tag
        "k: !!a' [[x]]",
    ],
)
def test_the_guard_reads_tags_as_the_parser_does(text: str):
    events, error = _events(text)
    assert not error
    assert guard.nesting_depth(text).depth == events


_ATOMS = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ": ",
    "- ",
    "'",
    '"',
    "#",
    " #",
    "\n",
    "\n  ",
    " ",
    "a",
    "&x ",
    "!a' ",
    "!a,b ",
    "!a'",
    "!a,",
    "!a[ ",
    "!a] ",
    "!<a'> ",
    "!a!b' ",
    "!!str ",
    "*x",
    "|\n",
    "key: ",
    "x: [",
    '!a"b ',
]
_DEEP = ["[" * 300, "{a: " * 300, "- " * 300, "[a: " * 300]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_ATOMS), max_size=12), st.sampled_from(_DEEP))
def test_no_tag_hides_deep_nesting_from_the_guard(prefix: list[str], deep: str):
    text = "".join(prefix) + deep
    events = _event_depth(text)
    assert guard.nesting_depth(text).depth >= events - 1
    if events > 201:
        assert guard.nesting_depth(text, 200).offset is not None


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("k: [!a' " + "[" * 30_000 + "]" * 30_001 + "\n", 207),
        ("k: !a,b " + "[" * 30_000 + "]" * 30_000 + "\n", 208),
    ],
    ids=["quote-in-flow-tag", "comma-in-block-tag"],
)
def test_a_tag_never_hides_thirty_thousand_levels(tmp_path: Path, body: str, column: int):
    # 30,000 levels overflow the composer's C stack: before the guard read tags as libyaml does, exit 139
    (tmp_path / "b.yaml").write_text(HEAD + body, encoding="utf-8")
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "b.yaml", "good.yaml", cwd=tmp_path, timeout=60)
    assert "Traceback" not in run.stderr
    assert (run.returncode, cli_found(run)) == (1, [("b.yaml", "WL010", 4, column, DEEP_MESSAGE)])


def test_a_tag_never_hides_deep_nesting_in_the_configuration(tmp_path: Path):
    (tmp_path / ".worker-lint.yaml").write_text("ignore: !a,b " + "[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    run = bounded_cli("check", "--no-cache", "good.yaml", cwd=tmp_path, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert ".worker-lint.yaml:1:" in run.stderr and DEEP_MESSAGE in run.stderr


# ---------------------------------------------------------------- a worker that dies


def _segfault_on_three(item: int) -> int:
    if item == 3:
        import ctypes

        ctypes.string_at(0)  # a real SIGSEGV, as a C extension's stack overflow gives
    return item * 10


def _crash_result(item: int) -> int:
    return -item


def test_a_crash_in_a_worker_is_reported_and_never_rerun_here():
    results = list(map_files(_segfault_on_three, range(40), jobs=2, on_crash=_crash_result))
    assert results == [-3 if i == 3 else i * 10 for i in range(40)]


def test_a_crash_without_a_handler_raises():
    with pytest.raises(WorkerCrashed) as info:
        list(map_files(_segfault_on_three, range(10), jobs=2))
    assert info.value.item == 3


def test_a_pool_that_breaks_while_items_are_handed_out_never_runs_them_here(monkeypatch: pytest.MonkeyPatch):
    """A worker can die on its first item before the last ones are handed out (a loaded machine): that
    is a crash to isolate, not a pool that cannot start, whose items would run in this process."""
    from concurrent.futures.process import BrokenProcessPool

    real = parallel._executor
    broken: list[object] = []

    def breaks_first(*args: object) -> object:
        executor = real(*args)
        if not broken:
            broken.append(executor)

            def map_breaks(*_: object, **__: object) -> object:
                executor.submit(_segfault_on_three, 3).exception()  # a worker really dies
                raise BrokenProcessPool("a child process terminated abruptly")

            executor.map = map_breaks
        return executor

    monkeypatch.setattr(parallel, "_executor", breaks_first)
    results = list(map_files(_segfault_on_three, range(40), jobs=2, on_crash=_crash_result))
    assert broken and results == [-3 if i == 3 else i * 10 for i in range(40)]


def _die_once(item: tuple[str, int]) -> int:
    marker, i = item
    if i == 5 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(9)  # killed for what another process did: its item gets a second chance
    return i


def test_a_worker_killed_once_gives_its_item_a_second_chance(tmp_path: Path):
    marker = str(tmp_path / "died")
    assert list(map_files(_die_once, [(marker, i) for i in range(30)], jobs=2, on_crash=_crash_result)) == list(
        range(30)
    )


@pytest.mark.slow
def test_crashes_in_many_chunks_are_each_reported(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "_MAX_CHUNK", 4)
    results = list(map_files(_segfault_every_fiftieth, range(400), jobs=2, on_crash=_crash_result))
    assert results == [-i if i % 50 == 3 else i * 10 for i in range(400)]


def _segfault_every_fiftieth(item: int) -> int:
    return _segfault_on_three(3) if item % 50 == 3 else item * 10


#: loaded by every process of the run, forked or spawned: linting `crash.yaml` faults as a C extension can
CRASH_HOOK = """
import worker_lint.run.engine as engine
real = engine.start_text

def start_text(data, display, *args, **kwargs):
    if display.endswith("crash.yaml"):
        import ctypes
        ctypes.string_at(0)
    return real(data, display, *args, **kwargs)

engine.start_text = start_text
"""


def test_a_file_that_crashes_its_worker_does_not_take_the_run_down(tmp_path: Path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH_HOOK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hook)}
    project = tmp_path / "project"
    project.mkdir()
    for i in range(6):
        (project / f"m{i}.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    (project / "crash.yaml").write_text(VALID, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "worker_lint", "check", "--format", "json", "--no-cache", "--jobs", "2", "."],
        cwd=project,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    import json

    diagnostics = json.loads(done.stdout)["diagnostics"]
    assert [(d["path"], d["code"], d["line"]) for d in diagnostics] == [("crash.yaml", "WL900", 1)] + [
        (f"m{i}.yaml", "WL101", 4) for i in range(6)
    ]
    assert diagnostics[0]["message"] == (
        "the process checking this file died (a crash in the YAML parser, or out of"
        " memory); the file was not checked; please report it"
    )


# ---------------------------------------------------------------- workers: no more than CPUs and files


def _pid_of(_: object) -> int:
    return os.getpid()


def test_many_jobs_start_no_more_workers_than_cpus():
    pids = set(map_files(_pid_of, range(400), jobs=40))
    assert len(pids) <= parallel.available_cpus()
    assert os.getpid() not in pids or parallel.available_cpus() == 1


def test_many_jobs_through_the_cli(tmp_path: Path):
    for i in range(3):
        (tmp_path / f"m{i}.yaml").write_text(VALID.replace("  compute: runnable-default\n", ""), encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "--jobs", "300", ".", cwd=tmp_path, timeout=60)
    assert (run.returncode, [d[:3] for d in cli_found(run)]) == (1, [(f"m{i}.yaml", "WL101", 4) for i in range(3)])


# ---------------------------------------------------------------- the number of nodes


def _node_count(text: str) -> int:
    from ruamel.yaml.cyaml import CParser
    from ruamel.yaml.events import CollectionStartEvent, ScalarEvent

    parser, count = CParser(text), 0
    try:
        while parser.check_event():
            count += isinstance(parser.get_event(), (ScalarEvent, CollectionStartEvent))
    except Exception:
        pass
    finally:
        parser.dispose()
    return count


_NODE_ATOMS = [
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ": ",
    "- ",
    "-",
    "? ",
    "?",
    "\n",
    "\n  ",
    " ",
    "a",
    "&x ",
    "*x",
    "!t ",
    "'a'",
    '"b"',
    "|\n",
    "---\n",
    "\r",
    "\u2028",
    "\t",
    "#c\n",
    "!!set ",
    "{a,",
    "!",
    "&",
    "- - ",
    "{? a}",
]


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_NODE_ATOMS), max_size=24))
@pytest.mark.slow
def test_the_node_bound_is_never_below_what_the_parser_builds(atoms: list[str]):
    text = "".join(atoms)
    assert guard._node_bound(text) >= _node_count(text)


def test_nodes_are_counted_exactly_past_the_bound():
    text = "[" + "a," * 60 + "a]\n"  # 62 nodes; the bound says 123
    assert guard._node_bound(text) > 100
    assert guard.too_many_nodes(text, 62) is None
    finding = guard.too_many_nodes(text, 61)
    assert finding is not None and (finding.code, finding.span.line, finding.span.column) == ("WL010", 1, 122)
    assert finding.message == (
        "the file holds more than 61 YAML nodes; it was not parsed (split the data over several files)"
    )


NODES_MESSAGE = "the file holds more than 2,000,000 YAML nodes; it was not parsed (split the data over several files)"


@pytest.mark.slow
def test_dense_flow_items_are_refused_before_they_are_built(tmp_path: Path):
    # 2.2 million one-letter items in 4.4 MB: composed, about 700 MB; a 49 MB file of them took 7 GB
    text = HEAD + "tags:\n" + ("- [" + "a," * 9_999 + "a]\n") * 220
    (tmp_path / "dense.yaml").write_text(text, encoding="utf-8")
    run = bounded_cli("check", "--format", "json", "--no-cache", "dense.yaml", cwd=tmp_path, timeout=60)
    assert "Traceback" not in run.stderr
    # the 2,000,001st node: 9 before the first item (the root, 3 keys and values, `tags` and its list), then
    # 10,001 a line (a list and its items): 199 lines, and the 9,792nd item of line 200 (line 204 of the file)
    assert (run.returncode, cli_found(run)) == (1, [("dense.yaml", "WL010", 204, 4 + 2 * 9_791, NODES_MESSAGE)])


def test_a_realistic_big_manifest_is_within_the_node_limit():
    body = "".join(f'  - name: item-{i}\n    value: "{i}"\n    tags: [a, b, c]\n' for i in range(40_000))
    text = HEAD + "items:\n" + body
    assert len(text) > 1_000_000
    assert guard.too_many_nodes(text, 2_000_000) is None
