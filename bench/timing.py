"""Time one command: wall clock, CPU time and peak memory of the process and its children."""
from __future__ import annotations

import os
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


def run_once(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run ``argv`` with output discarded (printing is not what is compared) and measure it."""
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=devnull, stderr=err)
        # A blocking wait4 gives the rusage of exactly this child without polling
        # (which would steal CPU from it); a timer kills a hung tool.
        killer = threading.Timer(timeout, proc.kill)
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
        return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, -9, f"timed out after {timeout:.0f} s")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, tail)


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
    return Summary(statistics.median(secs), min(secs), max(secs), statistics.median(r.cpu_seconds for r in runs),
                   max(r.peak_mib for r in runs), len(runs))
