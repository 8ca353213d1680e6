"""Every file worker-lint writes (reports, baselines, its cache) is written here.

A regular file (or a path that does not exist yet) is replaced atomically: a
temporary file beside it, then a rename, so readers see the old file or the
new one, never a part.  Anything else is written in place, as a shell's `>`
would: `/dev/null`, `/dev/stdout`, a terminal, a FIFO or a process
substitution `>(cmd)` stays what it is instead of being replaced by a regular
file (and a rename over `/dev/stdout` is never attempted).

Callers that must not write over certain files (the manifests being linted,
the files a Bundle refers to) check the target with :func:`same_file` first.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: O_NOFOLLOW: the temporary file is a fresh name, and a link planted under it must never be written through
_TMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_IN_PLACE_FLAGS = (
    os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(
    path: Path, data: bytes, *, durable: bool = True, in_place: bool = True, mode: int | None = None
) -> None:
    """Write ``data`` to ``path``: atomically over a regular file, in place into anything else.

    The temporary file has a unique name in the target's folder, so concurrent
    writers never share one, and is created with mode 0666 less the process's
    umask, as any new file; ``durable`` flushes it to disk before the rename
    (reports and baselines), which a cache entry can do without.  With
    ``in_place=False`` (the cache) whatever is at ``path`` is replaced, a
    symbolic link included, and never written through.  ``mode`` keeps the
    permissions of a file being rewritten (a fixed manifest).  Raises
    ``OSError`` (a full disk, a missing folder, no permission) with the target
    untouched.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    if in_place and info is not None and not stat.S_ISREG(info.st_mode):
        _write_in_place(path, data)
        return
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, _TMP_FLAGS, 0o666)  # the umask applies, as to any new file
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _write_in_place(path: Path, data: bytes) -> None:
    """A device, FIFO, process substitution or symbolic link: opened and written as it is."""
    fd = os.open(path, _IN_PLACE_FLAGS)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()


def same_file(target: str | os.PathLike[str], others: Iterable[str | os.PathLike[str]]) -> str | None:
    """The first of ``others`` that ``target`` is (through links too), or None: a write there must be refused."""
    try:
        info = os.stat(target)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    for other in others:
        try:
            seen = os.stat(other)
        except (OSError, ValueError):
            continue
        if (seen.st_dev, seen.st_ino) == (info.st_dev, info.st_ino):
            return str(other)
    return None
