"""Run a per-file function over a process pool, results in input order, in-process when a pool cannot help."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any, Literal, TypeVar, Union

T = TypeVar("T")
R = TypeVar("R")

Jobs = Union[int, Literal["auto"], None]  # noqa: UP007 - a runtime alias, which `|` cannot make of a Literal on 3.10

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
    """The number of processes to use: ``"auto"``/None/0 chooses, a positive int is the most wanted.

    Never more than the CPUs or the items: a worker beyond either only costs
    its memory and its share of the start-up (300 workers on 2 CPUs took
    5 GB and 23 times as long).
    """
    if jobs in (None, "auto", 0):
        count = 1 if n_items < AUTO_THRESHOLD else available_cpus()
    elif isinstance(jobs, int) and not isinstance(jobs, bool) and jobs > 0:
        count = min(jobs, available_cpus())
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
    on_crash: Callable[[T], R] | None = None,
) -> Iterator[R]:
    """Yield ``func(item)`` for every item, in input order, whatever the number of processes.

    ``func`` (and ``initializer``) must be module-level functions so they can
    be pickled under every start method; ``initializer(*initargs)`` runs once
    in each worker, and in this process when no pool is used.  An exception
    raised by ``func`` propagates to the caller as it would in a plain loop.
    When a pool cannot start (no semaphores, no fork, a sandbox), the items
    run in this process, so the output is the same either way.

    A worker that dies (a crash in a C extension, the OOM killer) is never
    made up for by running its item here: what kills a worker would kill
    this process and every result with it.  The item it was on is found by
    running the items that were in flight one at a time in a worker of their
    own; one that dies again, alone, gives ``on_crash(item)`` as its result
    (or raises :class:`WorkerCrashed` without ``on_crash``), and the rest
    carry on in a fresh pool.
    """
    seq: Sequence[T] = items if isinstance(items, Sequence) else list(items)
    n = effective_jobs(jobs, len(seq))
    if n <= 1:
        return _serial(func, seq, 0, initializer, initargs)
    return _pooled(func, seq, n, initializer, initargs, on_crash)


class WorkerCrashed(RuntimeError):
    """A worker process died while it was on this item, even when it ran alone."""

    def __init__(self, item: object) -> None:
        super().__init__(f"a worker process died on {item!r}")
        self.item = item


def _serial(
    func: Callable[[T], R],
    seq: Sequence[T],
    start: int,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
) -> Iterator[R]:
    if initializer is not None:
        initializer(*initargs)
    for i in range(start, len(seq)):
        yield func(seq[i])


def _pooled(
    func: Callable[[T], R],
    seq: Sequence[T],
    jobs: int,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
    on_crash: Callable[[T], R] | None,
) -> Iterator[R]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    start = 0
    while start < len(seq):
        try:
            executor = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=initializer, initargs=initargs)
        except (OSError, ImportError, NotImplementedError, ValueError):
            yield from _serial(func, seq, start, initializer, initargs)
            return
        size = chunk_size(len(seq) - start, jobs)
        try:
            try:
                # Workers start on the first submission; a failed fork or spawn surfaces here.
                results = executor.map(func, seq[start:], chunksize=size)
            except (OSError, BrokenProcessPool):
                executor.shutdown(wait=False, cancel_futures=True)
                yield from _serial(func, seq, start, initializer, initargs)
                return
            try:
                for result in results:
                    yield result
                    start += 1
                return
            except BrokenProcessPool:
                executor.shutdown(wait=False, cancel_futures=True)
        finally:
            # Also runs when the consumer stops early or on Ctrl-C: no orphan workers.
            executor.shutdown(wait=True, cancel_futures=True)
        # The item that killed a worker was most likely in flight: a chunk in each worker and
        # up to one more per worker (and one) queued.  One further out breaks the next pool, and is
        # isolated then.
        in_flight = min(len(seq), start + (2 * jobs + 1) * size)
        start = yield from _isolate(func, seq, start, in_flight, initializer, initargs, on_crash)


def _isolate(
    func: Callable[[T], R],
    seq: Sequence[T],
    start: int,
    stop: int,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
    on_crash: Callable[[T], R] | None,
) -> Generator[R, None, int]:
    """Run ``seq[start:stop]`` in order in one worker until one dies; return where the pool may resume.

    A single worker takes its items in order, so the first item without a
    result is the one it died on.  That item runs once more in a worker of
    its own before it is reported: a worker killed for what another one did
    (the OOM killer picks by size) gives its item a second chance.
    """
    from concurrent.futures.process import BrokenProcessPool

    with _single(initializer, initargs) as executor:
        futures = [executor.submit(func, seq[i]) for i in range(start, stop)]
        for i, future in enumerate(futures, start):  # noqa: B007 - `i` is the item the pool broke on, after the loop
            try:
                result = future.result()
            except BrokenProcessPool:
                break
            yield result
        else:
            return stop
    with _single(initializer, initargs) as executor:
        try:
            result = executor.submit(func, seq[i]).result()
        except BrokenProcessPool:
            if on_crash is None:
                raise WorkerCrashed(seq[i]) from None
            result = on_crash(seq[i])
    yield result
    return i + 1


def _single(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(1, mp_context=_context(), initializer=initializer, initargs=initargs)


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
