"""The signals that end a run, and holding them while something must not be cut in half."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: Ctrl-C, termination and a closed terminal: each ends a run
ENDING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def held() -> Iterator[None]:
    """The signals that end a run wait until the block is done, and are delivered right after it.

    For what being cut in half would spoil: a file being rewritten must be whole, and a worker
    process being started must not take a signal meant for its parent (one that arrives during a
    fork is lost to the parent, whose at-fork handlers swallow the KeyboardInterrupt it raises).
    Threads started inside the block begin with the signals held.  Only the main thread, which
    Python delivers signals to, holds them.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
