"""Every process a run starts ends before the run does, however it ends, so its output reaches end-of-file.

A worker that outlives the run holds its standard output and error open: `worker-lint check . | cat`,
`subprocess.run(..., capture_output=True)` and a CI step reading the log wait for it forever.  Each run
here is started in a session of its own, so its processes are found (and, whatever the test found,
killed) by that session in /proc.  The runs have enough files for a pool of two workers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_shared

from worker_lint.run.parallel import AUTO_THRESHOLD, available_cpus

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or available_cpus() < 2,
    reason="needs /proc, and two CPUs for a pool of workers",
)

#: files in a generated run: a pool of two, and a report bigger than a pipe holds (64 KiB)
_FILES = 2 * AUTO_THRESHOLD


def _session(leader: int) -> list[int]:
    """The processes alive in the session that ``leader`` leads (zombies are dead: a parent has yet to reap them)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        state, _ppid, _group, session = stat.rpartition(")")[2].split()[:4]
        if state != "Z" and int(session) == leader:
            members.append(int(entry))
    return members


@contextlib.contextmanager
def _started(
    *args: str, cwd: Path, stdout: int = subprocess.PIPE, temporary: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`worker-lint` as a user starts it, in a session of its own (with ``temporary`` as its TMPDIR);
    nothing of it outlives the test."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    if temporary is not None:
        env["TMPDIR"] = str(temporary)
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker_lint", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        for pid in _session(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.communicate()


def _to_the_end(proc: subprocess.Popen[bytes], timeout: float = 60) -> tuple[str, str]:
    """The run's output once it reaches end-of-file, which it does only when no process of the run holds it."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"the output was still open after {timeout} s; the run "
            + ("had exited, " if proc.poll() is not None else "had not exited, ")
            + f"{len(_session(proc.pid))} of its processes held it"
        )
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def _no_process_left(proc: subprocess.Popen[bytes]) -> None:
    # the pipe's end-of-file says no process holds it; a process that closed it would still be found here
    deadline = time.monotonic() + 5
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # a killed worker is gone a moment after its parent
    assert _session(proc.pid) == []


def _manifests(folder: Path, count: int = _FILES) -> Path:
    """``count`` Workers, each with one error on line 5 and enough lines that linting them takes a while."""
    folder.mkdir()
    envs = "".join(f'      VAR_{j}: "{j}"\n' for j in range(150))
    for i in range(count):
        (folder / f"w{i:03}.yaml").write_text(
            f'version: v1beta\nname: w{i}\ntype: worker\nworker:\n  replicas: "2"\n  stack: container\n'
            f"  compute: runnable-default\n  stackSpec:\n    image: docker.io/library/alpine:3.20\n"
            f"    envs:\n{envs}",
            encoding="utf-8",
        )
    return folder


def _workers_started(proc: subprocess.Popen[bytes]) -> None:
    """Wait until the run has its two workers, to interrupt it mid-run."""
    deadline = time.monotonic() + 60
    while len(_session(proc.pid)) < 3:
        assert proc.poll() is None, "the run ended before its workers were seen"
        assert time.monotonic() < deadline, "the run started no workers"
        time.sleep(0.01)


def test_a_run_over_the_yaml_test_suite_through_a_pipe_ends_and_leaves_no_process() -> None:
    # its 402 files start a pool; two workers were left blocked on their task pipe, holding the output open
    corpus = require_shared("corpus", "yaml-test-suite")
    with _started("check", "--no-cache", "--isolated", ".", cwd=corpus) as proc:
        out, err = _to_the_end(proc)
        assert (proc.returncode, out, err) == (0, "No problems found in 402 files.\n", "")
        _no_process_left(proc)


def test_a_run_with_findings_through_a_pipe_ends_and_leaves_no_process(tmp_path: Path) -> None:
    folder = _manifests(tmp_path / "many")
    with _started("check", "--no-cache", "--jobs", "2", "--format", "json", ".", cwd=folder) as proc:
        out, err = _to_the_end(proc)
        assert (proc.returncode, err) == (1, "")
        found = [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in json.loads(out)["diagnostics"]]
        assert found == [
            (f"w{i:03}.yaml", 5, 13, "WL103", "`worker.replicas` must be an integer, not a string (`2`)")
            for i in range(_FILES)
        ]
        _no_process_left(proc)


def test_sigterm_mid_run_ends_every_worker(tmp_path: Path) -> None:
    # `kill <pid>` reaches the main process only: its workers must not be left behind
    folder = _manifests(tmp_path / "many")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with _started("check", "--no-cache", "--jobs", "2", ".", cwd=folder, temporary=temporary) as proc:
        _workers_started(proc)
        proc.send_signal(signal.SIGTERM)
        _out, err = _to_the_end(proc)
        assert proc.returncode == -signal.SIGTERM  # it died of the signal, as the sender expects
        assert "Traceback" not in err
        _no_process_left(proc)
    assert list(temporary.iterdir()) == []  # the folder the run shared its scripts in is gone


def test_ctrl_c_mid_run_ends_every_worker_without_a_traceback(tmp_path: Path) -> None:
    # Ctrl-C reaches every process of the terminal's group: the workers leave it to the main process
    folder = _manifests(tmp_path / "many")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with _started("check", "--no-cache", "--jobs", "2", ".", cwd=folder, temporary=temporary) as proc:
        _workers_started(proc)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = _to_the_end(proc)
        assert (proc.returncode, out, err) == (1, "", "\nAborted!\n")
        _no_process_left(proc)
    assert list(temporary.iterdir()) == []  # the folder the run shared its scripts in is gone


def test_a_main_process_killed_outright_takes_its_workers_with_it(tmp_path: Path) -> None:
    # SIGKILL (or `os._exit`) skips every cleanup of the main process: the workers still end
    folder = _manifests(tmp_path / "many")
    # what it shares its scripts in is left behind: in the test's folder, not the machine's
    with _started("check", "--no-cache", "--jobs", "2", ".", cwd=folder, temporary=tmp_path) as proc:
        _workers_started(proc)
        proc.kill()
        _to_the_end(proc)
        assert proc.returncode == -signal.SIGKILL
        _no_process_left(proc)


def test_a_reader_that_stops_early_leaves_no_process(tmp_path: Path) -> None:
    # `worker-lint check . | head -1`: the report (bigger than a pipe holds) meets a closed pipe
    folder = _manifests(tmp_path / "many")
    with _started("check", "--no-cache", "--jobs", "2", ".", cwd=folder) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `head -1` does once it has its line
        _out, err = _to_the_end(proc)
        assert first == b"w000.yaml:5:13: error WL103 [*] `worker.replicas` must be an integer, not a string (`2`)\n"
        assert (proc.returncode, err) == (1, "")  # the status still says what was found
        _no_process_left(proc)
