"""Run a per-file function over a process pool, results in input order, in-process when a pool cannot help."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal, TypeVar, Union

T = TypeVar("T")
R = TypeVar("R")

Jobs = Union[int, Literal["auto"], None]

#: Below this many files ``jobs="auto"`` stays in one process.  Measured on a
#: 2-core machine (bench/README.md): a file costs about 1.2 ms to lint, and
#: two workers cost about 0.15 s more than one (forking, each worker's first
#: schema compile, shipping results back), so they break even near 250 files;
#: at 100 files two workers took 1.5x as long as one, at 1000 files 0.65x.
AUTO_THRESHOLD = 300

#: Chunks per worker: enough that a slow chunk does not leave a core idle at
#: the end, few enough that per-chunk overhead stays negligible.
_CHUNKS_PER_WORKER = 8
_MAX_CHUNK = 64


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


def effective_jobs(jobs: Jobs, n_items: int) -> int:
    """The number of processes to use: ``"auto"``/None/0 chooses, a positive int is taken as given (capped by the items)."""
    if jobs in (None, "auto", 0):
        count = 1 if n_items < AUTO_THRESHOLD else available_cpus()
    elif isinstance(jobs, int) and not isinstance(jobs, bool) and jobs > 0:
        count = jobs
    else:
        raise ValueError(f"jobs must be a positive integer or 'auto', not {jobs!r}")
    return max(1, min(count, n_items))


def chunk_size(n_items: int, jobs: int) -> int:
    return max(1, min(_MAX_CHUNK, n_items // (jobs * _CHUNKS_PER_WORKER)))


def map_files(
    func: Callable[[T], R],
    items: Iterable[T],
    jobs: Jobs = "auto",
    *,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """Yield ``func(item)`` for every item, in input order, whatever the number of processes.

    ``func`` (and ``initializer``) must be module-level functions so they can
    be pickled under every start method; ``initializer(*initargs)`` runs once
    in each worker, and in this process when no pool is used.  An exception
    raised by ``func`` propagates to the caller as it would in a plain loop.
    When a pool cannot start (no semaphores, no fork, a sandbox) or dies
    under us (a worker killed by the OOM killer), the remaining items run in
    this process, so the output is the same either way.
    """
    seq: Sequence[T] = items if isinstance(items, Sequence) else list(items)
    n = effective_jobs(jobs, len(seq))
    if n <= 1:
        return _serial(func, seq, 0, initializer, initargs)
    return _pooled(func, seq, n, initializer, initargs)


def _serial(func: Callable[[T], R], seq: Sequence[T], start: int,
            initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> Iterator[R]:
    if initializer is not None:
        initializer(*initargs)
    for i in range(start, len(seq)):
        yield func(seq[i])


def _pooled(func: Callable[[T], R], seq: Sequence[T], jobs: int,
            initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> Iterator[R]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        executor = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=initializer, initargs=initargs)
    except (OSError, ImportError, NotImplementedError, ValueError):
        yield from _serial(func, seq, 0, initializer, initargs)
        return
    try:
        try:
            # Workers start on the first submission; a failed fork or spawn surfaces here.
            results = executor.map(func, seq, chunksize=chunk_size(len(seq), jobs))
        except (OSError, BrokenProcessPool):
            executor.shutdown(wait=False, cancel_futures=True)
            yield from _serial(func, seq, 0, initializer, initargs)
            return
        try:
            for result in results:
                yield result
                done += 1
        except BrokenProcessPool:
            # Results already yielded stay; the rest are computed here, in order.
            executor.shutdown(wait=False, cancel_futures=True)
            yield from _serial(func, seq, done, initializer, initargs)
    finally:
        # Also runs when the consumer stops early or on Ctrl-C: no orphan workers.
        executor.shutdown(wait=True, cancel_futures=True)


def _context() -> Any:
    """Fork where it is safe and cheap (Linux, no other threads yet), else spawn.

    A forked worker inherits the imported modules and compiled schemas, so it
    starts in milliseconds; a spawned one re-imports worker-lint.  Forking a
    process that already runs threads can deadlock, and macOS forbids it for
    many system libraries, so both fall back to spawn.
    """
    import multiprocessing
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
