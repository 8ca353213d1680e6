"""Run a per-file function over a process pool, results in input order, in-process when a pool cannot help."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, Literal, TypeVar, Union

from worker_lint.core import signals
from worker_lint.core.cpus import available_cpus

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
    return map_batches(partial(_each, func), items, jobs, initializer=initializer, initargs=initargs, on_crash=on_crash)


def map_batches(
    func: Callable[[list[T]], list[R]],
    items: Iterable[T],
    jobs: Jobs = "auto",
    *,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
    on_crash: Callable[[T], R] | None = None,
    started: Callable[[], None] | None = None,
) -> Iterator[R]:
    """As :func:`map_files`, with ``func`` given a batch of consecutive items and returning their results.

    A batch is what one worker takes at a time (up to ``_MAX_CHUNK`` items),
    so work that is cheaper done once for many items (starting an external
    program) can be shared within it.  A batch of one is always possible: an
    item is run alone when a worker died on its batch.  ``started()`` is called
    in this process once the workers run (or before the first batch when there
    are none): a thread it starts does not keep them from being forked.
    """
    seq: Sequence[T] = items if isinstance(items, Sequence) else list(items)
    n = effective_jobs(jobs, len(seq))
    if n <= 1:
        return _serial(func, seq, 0, initializer, initargs, started)
    return _closed_at_last(_pooled(func, seq, n, initializer, initargs, on_crash, started), len(seq))


def _each(func: Callable[[T], R], batch: list[T]) -> list[R]:
    return [func(item) for item in batch]


def _batches(seq: Sequence[T], start: int, size: int) -> list[list[T]]:
    return [list(seq[i : i + size]) for i in range(start, len(seq), size)]


def _closed_at_last(results: Generator[R, None, None], count: int) -> Iterator[R]:
    """Yield the ``count`` results, closing ``results`` (and so ending its workers) once the last is in.

    A generator finishes only when it is asked for one more result than it
    has, and a consumer that knows it has them all never asks: its pool's
    workers would then wait on their task pipe until the process exits, and
    past that (holding its standard output open) when it ends by `os._exit`.
    """
    with contextlib.closing(results):
        for index, result in enumerate(results, 1):
            if index == count:
                results.close()
            yield result


def end_workers() -> None:
    """End every worker process still alive: the last step of a process before it exits, by any path.

    A pool's workers end with it; this is for the paths that skip that (an
    exception that left a generator suspended, a signal), since a worker
    outliving the run holds its output open and whoever reads it waits forever.
    """
    if "multiprocessing" not in sys.modules:  # no pool was ever started: nothing to import or end
        return
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        with contextlib.suppress(OSError):
            child.kill()
    for child in children:
        child.join(timeout=5)


class WorkerCrashed(RuntimeError):
    """A worker process died while it was on this item, even when it ran alone."""

    def __init__(self, item: object) -> None:
        super().__init__(f"a worker process died on {item!r}")
        self.item = item


def _serial(
    func: Callable[[list[T]], list[R]],
    seq: Sequence[T],
    start: int,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
    started: Callable[[], None] | None = None,
) -> Iterator[R]:
    if initializer is not None:
        initializer(*initargs)
    if started is not None:
        started()
    for batch in _batches(seq, start, _MAX_CHUNK):
        yield from func(batch)


def _pooled(
    func: Callable[[list[T]], list[R]],
    seq: Sequence[T],
    jobs: int,
    initializer: Callable[..., Any] | None,
    initargs: tuple[Any, ...],
    on_crash: Callable[[T], R] | None,
    started: Callable[[], None] | None,
) -> Generator[R, None, None]:
    from concurrent.futures.process import BrokenProcessPool

    start = 0
    while start < len(seq):
        try:
            executor = _executor(jobs, initializer, initargs)
        except (OSError, ImportError, NotImplementedError, ValueError):
            yield from _serial(func, seq, start, initializer, initargs, started)
            return
        size = chunk_size(len(seq) - start, jobs)
        try:
            try:
                # Workers start on the first submission; a failed fork or spawn surfaces here.
                with signals.held():
                    results = executor.map(func, _batches(seq, start, size))
            except OSError:
                executor.shutdown(wait=False, cancel_futures=True)
                yield from _serial(func, seq, start, initializer, initargs, started)
                return
            except BrokenProcessPool:
                # a worker died on its first items while the others were being handed out: not a pool
                # that cannot start, and what killed it would kill this process too
                if started is not None:
                    started()
                    started = None
                executor.shutdown(wait=False, cancel_futures=True)
            else:
                if started is not None:
                    started()
                    started = None
                try:
                    for batch in results:
                        for result in batch:
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
    func: Callable[[list[T]], list[R]],
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
        futures = []
        with signals.held(), contextlib.suppress(BrokenProcessPool):  # it broke while items were handed out
            for i in range(start, stop):
                futures.append(executor.submit(func, [seq[i]]))
        for i, future in enumerate(futures, start):  # noqa: B007 - `i` is the item the pool broke on, after the loop
            try:
                (result,) = future.result()
            except BrokenProcessPool:
                break
            yield result
        else:
            return start + len(futures)
    with _single(initializer, initargs) as executor:
        try:
            with signals.held():
                alone = executor.submit(func, [seq[i]])
            (result,) = alone.result()
        except BrokenProcessPool:
            if on_crash is None:
                raise WorkerCrashed(seq[i]) from None
            result = on_crash(seq[i])
    yield result
    return i + 1


def _single(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> Any:
    return _executor(1, initializer, initargs)


def _executor(jobs: int, initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> Any:
    """A pool whose workers end with this process (see `_start_worker`)."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # the kernel's parent-death signal follows the thread that forked: only the main thread lives as long as we do
    bound = threading.current_thread() is threading.main_thread()
    return ProcessPoolExecutor(
        jobs,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid() if bound else None, initializer, initargs),
    )


def _start_worker(parent: int | None, initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    """In each worker, first: it dies with its parent, and leaves Ctrl-C and termination to it.

    Ctrl-C reaches every process of the terminal's group: the parent stops
    the pool, while a worker interrupted on its own would print a traceback.
    A worker inherits its parent's signal handlers; it ends as a plain process
    does.  When the parent ends without stopping its pool (SIGKILL, `os._exit`),
    Linux kills the worker rather than leave it waiting on its task pipe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for held in signals.ENDING[1:]:
        signal.signal(held, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals.ENDING)
    if parent is not None and sys.platform.startswith("linux"):
        _die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def _die_with_parent(parent: int) -> None:
    import ctypes

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


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
