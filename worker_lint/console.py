"""The `worker-lint` program: the command line, started and ended as befits a short-lived process.

Two costs of a cold run on one file are the interpreter's, not the linter's:
the garbage collector's passes over the objects that importing creates (all of
which live until exit), and the interpreter's teardown, which frees every
module and object one by one.  Together they were a fifth of such a run.  So
automatic collection waits until start-up is over (`runner` collects between
files as usual), and once the report is written and flushed the process ends
at once.  `worker_lint.cli.main`, used as a library or by tests, does neither.
"""
from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

#: allocations before the first automatic collection: more than start-up makes
_START_UP_THRESHOLD = 200_000


def main() -> NoReturn:
    gc.set_threshold(_START_UP_THRESHOLD, *gc.get_threshold()[1:])
    from worker_lint import cli

    code: object = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code
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
