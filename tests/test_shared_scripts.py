"""The run's shared reading of shell scripts: each read once, by the Reader or by the process that needs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from worker_lint.dataos import shared_scripts, shellcheck

#: twenty scripts with findings: SC2164 (`cd` without `|| exit`) and SC2086 (an unquoted `$X`)
SCRIPTS = [f"cd /data/{n}; ls $X{n}\n" for n in range(20)]


@pytest.fixture
def runs(monkeypatch) -> list[list[str]]:
    """The scripts each shellcheck of this process is given, by file name (`-`: on standard input)."""
    given: list[list[str]] = []
    real = shellcheck.spawn

    def counted(files: list[str], dialect: str, **how: object) -> object:
        given.append([Path(f).name if f != "-" else f for f in files])
        return real(files, dialect, **how)

    monkeypatch.setattr(shellcheck, "spawn", counted)
    monkeypatch.setattr(shellcheck, "_RESULTS", {})
    return given


@pytest.fixture
def reader(monkeypatch, tmp_path: Path) -> Iterator[shared_scripts.Reader]:
    """A Reader for a run whose one linting process is this one, on a machine with no CPU to spare."""
    from worker_lint.core import cpus

    monkeypatch.setattr(cpus, "available_cpus", lambda: 1)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    made = shared_scripts.Reader(1)
    shared_scripts.share(made.folder)
    try:
        yield made
    finally:
        made.close()
    assert list(tmp_path.iterdir()) == []  # the folder is removed


def _until(condition: Callable[[], bool]) -> None:
    import time

    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def _alone(scripts: list[str]) -> list[tuple[shellcheck.Comment, ...] | None]:
    return [shellcheck.read_alone(script, "sh") for script in scripts]


def _answered(scripts: list[str]) -> list[set[tuple[str, str]]]:
    return list(shared_scripts.answers({("sh", script) for script in scripts}))


def test_the_reader_waits_for_eight_scripts_and_the_process_that_needs_the_rest_reads_them(runs, reader) -> None:
    reader.start()
    for script in SCRIPTS[:8]:
        shared_scripts.ask(script, "sh")
    _until(lambda: len(list(Path(reader.folder).glob("*.taken"))) == 8)  # the Reader has enough to start
    for script in SCRIPTS[8:11]:
        shared_scripts.ask(script, "sh")  # too few for it
    answered = _answered(SCRIPTS[:11])
    assert set().union(*answered) == {("sh", script) for script in SCRIPTS[:11]}
    assert sorted(len(files) for files in runs) == [3, 8]  # the Reader's eight, and the three left
    assert len({name for files in runs for name in files}) == 11  # each read once
    together = [shellcheck.check(script, "sh") for script in SCRIPTS[:11]]
    assert len(runs) == 2  # every script answered from memory
    assert together == _alone(SCRIPTS[:11])
    assert [c.code for c in together[3] or ()] == [2164, 2086]


def test_a_script_asked_twice_is_read_once(runs, reader) -> None:
    reader.start()
    for _ in range(2):  # as two processes would
        shared_scripts.ask(SCRIPTS[0], "sh")
    shellcheck._RESULTS.clear()  # as the other process, which knows nothing of it: only the folder answers
    assert not shared_scripts.known(SCRIPTS[0], "sh")
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
    assert runs == [[runs[0][0]]]
    shellcheck._RESULTS.clear()
    assert shared_scripts.known(SCRIPTS[0], "sh")  # from the answer in the folder


def test_scripts_asked_of_a_reader_that_stopped_are_read_by_the_process_that_needs_them(runs, reader) -> None:
    for script in SCRIPTS[:2]:
        shared_scripts.ask(script, "sh")  # never started: nothing reads its pipe
    shared_scripts._take([shared_scripts._name(shellcheck.script_key(SCRIPTS[0], "sh"))])  # as a process that died
    reader.close()
    assert set().union(*_answered(SCRIPTS[:2])) == {("sh", SCRIPTS[0]), ("sh", SCRIPTS[1])}
    assert runs == [["-"], ["-"]]  # each alone, at once: the folder is gone
    assert [shellcheck.check(script, "sh") for script in SCRIPTS[:2]] == _alone(SCRIPTS[:2])


def test_a_shellcheck_that_fails_on_many_scripts_is_made_up_for_by_each_alone(runs, reader, monkeypatch) -> None:
    real = shellcheck.by_file
    failures = iter([True])

    def failing_once(output: bytes | None, files: list[str]) -> object:
        return None if next(failures, False) else real(output, files)

    monkeypatch.setattr(shellcheck, "by_file", failing_once)
    for script in SCRIPTS[:3]:
        shared_scripts.ask(script, "sh")
    _answered(SCRIPTS[:3])
    assert [len(files) for files in runs] == [3, 1, 1, 1]
    assert [shellcheck.check(script, "sh") for script in SCRIPTS[:3]] == _alone(SCRIPTS[:3])


def test_a_reader_whose_reading_fails_stops_and_leaves_the_scripts_to_the_process(runs, reader, monkeypatch) -> None:
    def broken(self: object, names: list[str]) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(shared_scripts.Reader, "_read", broken)
    monkeypatch.setattr(shared_scripts, "_FEWEST", 1)
    reader._fewest = 1
    reader.start()
    shared_scripts.ask(SCRIPTS[0], "sh")
    reader._thread.join(timeout=10)  # it ended, and said so in the folder
    assert not reader._thread.is_alive()
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
    assert [shellcheck.check(SCRIPTS[0], "sh")] == _alone(SCRIPTS[:1])


def test_without_a_shared_folder_a_script_asked_is_read_at_once(runs) -> None:
    shared_scripts.share(None)
    shared_scripts.ask(SCRIPTS[0], "sh")
    assert runs == [["-"]]
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
