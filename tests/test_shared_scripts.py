"""A run's shared reading of shell scripts: each read once, by the Reader or by the process that needs it."""

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
def memory(monkeypatch, tmp_path: Path) -> Path:
    """The folder the run's folder is made in (standing for /dev/shm), checked empty at the end."""
    folder = tmp_path / "memory"
    folder.mkdir()
    monkeypatch.setattr(shared_scripts, "MEMORY", str(folder))
    yield folder
    assert list(folder.iterdir()) == []  # the run's folder is removed


def _run(monkeypatch, *, cpus: int) -> shared_scripts.Run:
    """The sharing of a run whose one linting process is this one, on ``cpus`` CPUs."""
    from worker_lint.core import cpus as cpu_count

    monkeypatch.setattr(cpu_count, "available_cpus", lambda: cpus)
    made = shared_scripts.Run(1)
    shared_scripts.share(made.sharing)
    return made


@pytest.fixture
def alone_run(monkeypatch, memory: Path) -> Iterator[shared_scripts.Run]:
    """A run with no CPU to spare: no Reader."""
    made = _run(monkeypatch, cpus=1)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def read_run(monkeypatch, memory: Path) -> Iterator[shared_scripts.Run]:
    """A run with a CPU to spare: its Reader reads scripts as they are asked for."""
    made = _run(monkeypatch, cpus=2)
    made.start()
    try:
        yield made
    finally:
        made.close()


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


def test_without_a_cpu_to_spare_the_process_that_needs_the_answers_reads_its_scripts(runs, alone_run) -> None:
    assert not alone_run.sharing.reader
    for script in SCRIPTS:
        shared_scripts.ask(script, "sh")
    assert runs == []  # nothing is read while the process lints
    assert set().union(*_answered(SCRIPTS)) == {("sh", script) for script in SCRIPTS}
    assert [len(files) for files in runs] == [20]  # one shellcheck, on this process's CPU
    together = [shellcheck.check(script, "sh") for script in SCRIPTS]
    assert len(runs) == 1  # every script answered from memory
    assert together == _alone(SCRIPTS)
    assert [c.code for c in together[3] or ()] == [2164, 2086]


def test_with_a_cpu_to_spare_the_reader_reads_scripts_as_they_come(runs, read_run) -> None:
    assert read_run.sharing.reader
    shared_scripts.ask(SCRIPTS[0], "sh")
    _until(lambda: len(list(Path(read_run.folder).glob("*.json"))) == 1)  # answered with nobody waiting
    for script in SCRIPTS[1:]:
        shared_scripts.ask(script, "sh")
    answered = _answered(SCRIPTS)
    assert set().union(*answered) == {("sh", script) for script in SCRIPTS}
    read = [name for files in runs for name in files]
    assert len(read) == len(set(read)) == 20  # each once: by the Reader, or by this process
    assert runs[0] == [read[0]]  # the first, read as it came
    assert [shellcheck.check(script, "sh") for script in SCRIPTS] == _alone(SCRIPTS)


def test_a_script_asked_twice_is_read_once_and_answered_from_the_folder(runs, alone_run) -> None:
    for _ in range(2):  # as two processes would
        shared_scripts.ask(SCRIPTS[0], "sh")
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
    assert len(runs) == 1
    shellcheck._RESULTS.clear()  # as the other process, which knows nothing of it: only the folder answers
    assert shared_scripts.known(SCRIPTS[0], "sh")
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
    assert len(runs) == 1


def test_scripts_another_process_took_are_read_alone_once_the_folder_is_gone(runs, alone_run) -> None:
    for script in SCRIPTS[:2]:
        shared_scripts.ask(script, "sh")
    taken = [shared_scripts._name(shellcheck.script_key(script, "sh")) for script in SCRIPTS[:2]]
    shared_scripts._take(taken)  # as a process that died before it answered
    alone_run.close()
    assert set().union(*_answered(SCRIPTS[:2])) == {("sh", SCRIPTS[0]), ("sh", SCRIPTS[1])}
    assert runs == [["-"], ["-"]]  # each alone, at once: nobody is left to answer
    assert [shellcheck.check(script, "sh") for script in SCRIPTS[:2]] == _alone(SCRIPTS[:2])


def test_a_shellcheck_that_fails_on_many_scripts_is_made_up_for_by_each_alone(runs, alone_run, monkeypatch) -> None:
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


def test_a_reader_whose_reading_fails_stops_and_leaves_the_scripts_to_the_process(runs, memory, monkeypatch) -> None:
    def broken(self: object, names: list[str]) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(shared_scripts._Reader, "_read", broken)
    run = _run(monkeypatch, cpus=2)
    try:
        run.start()
        shared_scripts.ask(SCRIPTS[0], "sh")
        _until(lambda: (Path(run.folder) / "stopped").exists())  # it ended, and said so in the folder
        assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
        assert [shellcheck.check(SCRIPTS[0], "sh")] == _alone(SCRIPTS[:1])
    finally:
        run.close()


def test_without_a_shared_folder_a_script_asked_is_read_at_once(runs) -> None:
    shared_scripts.share(None)
    shared_scripts.ask(SCRIPTS[0], "sh")
    assert runs == [["-"]]
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]


def test_the_folder_is_made_in_memory_where_the_system_has_one_else_in_the_temporary_folder(
    monkeypatch, tmp_path: Path
) -> None:
    import stat

    memory, temporary = tmp_path / "memory", tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temporary))
    monkeypatch.setattr(shared_scripts, "MEMORY", str(memory))
    monkeypatch.delenv("TMPDIR", raising=False)
    # no memory folder; one; one, but the environment names a temporary folder
    for where, tmpdir in ((temporary, None), (memory, None), (temporary, str(temporary))):
        if tmpdir is not None:
            monkeypatch.setenv("TMPDIR", tmpdir)
        run = shared_scripts.Run(1)
        try:
            assert Path(run.folder).parent == where
            assert stat.S_IMODE(Path(run.folder).stat().st_mode) == 0o700  # this user's only
        finally:
            run.close()
        assert list(where.iterdir()) == []
        memory.mkdir(exist_ok=True)


def test_a_script_taken_by_a_process_that_died_is_taken_again_and_read(runs, alone_run) -> None:
    import subprocess
    import sys
    import time

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    name = shared_scripts._name(shellcheck.script_key(SCRIPTS[0], "sh"))
    shared_scripts.ask(SCRIPTS[0], "sh")
    (Path(alone_run.folder) / (name + ".taken")).write_text(dead.stdout.strip())  # its mark, left behind
    started = time.monotonic()
    assert _answered([SCRIPTS[0]]) == [{("sh", SCRIPTS[0])}]
    assert time.monotonic() - started < 5  # not shellcheck's time limit
    assert runs == [[name]]  # from the folder, as the one that died would have
    assert [shellcheck.check(SCRIPTS[0], "sh")] == _alone(SCRIPTS[:1])
