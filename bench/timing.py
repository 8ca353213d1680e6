"""Time one command: wall clock, CPU time and peak memory of the process and its children."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    seconds: float
    #: user + system CPU of the process and the children it waited for (a pool's workers)
    cpu_seconds: float
    #: peak resident set of the largest process in the tree, in MiB
    peak_mib: float
    exit_code: int
    stderr_tail: str


#: GNU time, when present, starts each tool from a tiny process: Linux carries the
#: peak resident size of a process over exec, so a tool started straight from this
#: (larger) Python process would report at least this process's size.
_GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run_once(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run ``argv`` with output discarded (printing is not what is compared) and measure it."""
    if _GNU_TIME is None:
        return _run(argv, cwd, env, timeout)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        run = _run([_GNU_TIME, "-f", "%M", "-o", rss.name, *argv], cwd, env, timeout)
        try:
            peak_kib = int(rss.read().strip().splitlines()[-1])
        except (ValueError, IndexError):
            return run
    return Run(run.seconds, run.cpu_seconds, peak_kib / 1024, run.exit_code, run.stderr_tail)


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # Its own process group, so a timeout ends the tool and every process it started.
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=devnull, stderr=err, start_new_session=True
        )
        # A blocking wait4 gives the rusage of exactly this child without polling
        # (which would steal CPU from it); a timer kills a hung tool.
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping it again
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    if elapsed > timeout:
        return Run(
            elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, -9, f"timed out after {timeout:.0f} s"
        )
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, tail)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass  # already gone


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    cpu: float
    peak_mib: float
    runs: int


def summarise(runs: list[Run]) -> Summary:
    secs = [r.seconds for r in runs]
    return Summary(
        statistics.median(secs),
        min(secs),
        max(secs),
        statistics.median(r.cpu_seconds for r in runs),
        max(r.peak_mib for r in runs),
        len(runs),
    )
