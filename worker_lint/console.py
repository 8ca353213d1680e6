"""The `worker-lint` program: the command line, started and ended as befits a short-lived process.

Two costs of a cold run on one file are the interpreter's, not the linter's:
the garbage collector's passes over the objects that importing creates (all of
which live until exit), and the interpreter's teardown, which frees every
module and object one by one.  Together they were about a sixth of such a run.
So the youngest generation is collected every 200,000 allocations rather than
every 700, which start-up never reaches (a parse leaves no reference cycle, so
nothing piles up meanwhile: 10,000 files peak at the same memory either way),
and once the report is written and flushed the process ends at once.
`worker_lint.cli.main`, used as a library or by tests, does neither.

Ending at once skips what the interpreter would run at exit, so the worker
processes a run started are ended here, on every path out: a normal end, an
error, Ctrl-C, and termination (SIGTERM, SIGHUP), which otherwise kills this
process and leaves them behind, holding its standard output open.  The folder
a run shares its shell scripts in is removed on the same paths.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType
from typing import NoReturn

#: container allocations between collections of the youngest generation (Python's default is 700)
_YOUNG_THRESHOLD = 200_000


def main() -> NoReturn:
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminated)
    from worker_lint import cli
    from worker_lint.run.parallel import end_workers

    code: object = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code
    finally:
        end_workers()
        _remove_shared_folders()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`| head`): what could be written was
        code = code or 1
    os._exit(code)


def _terminated(signum: int, _frame: FrameType | None) -> None:
    """Asked to end: end the workers, then die of the same signal, as the one who sent it expects."""
    from worker_lint.run.parallel import end_workers

    end_workers()
    _remove_shared_folders()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _remove_shared_folders() -> None:
    """The private folder a run shares its shell scripts in, when the run was cut short."""
    shared = sys.modules.get("worker_lint.dataos.shared_scripts")  # no run with scripts to share: nothing
    if shared is not None:
        shared.remove_left()
