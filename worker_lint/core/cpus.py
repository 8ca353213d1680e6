"""How many CPUs this process may use: what a pool of workers, or of shellcheck processes, is sized by."""

from __future__ import annotations

import os


def available_cpus() -> int:
    """CPUs this process may run on (affinity and cgroup-pinned sets count, not the whole machine)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        try:
            return len(os.sched_getaffinity(0)) or 1
        except OSError:
            pass
    return os.cpu_count() or 1
