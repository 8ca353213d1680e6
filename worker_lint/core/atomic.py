"""Every file worker-lint writes (reports, baselines, its cache) is written here.

A regular file (or a path that does not exist yet) is replaced atomically: a
temporary file beside it, then a rename, so readers see the old file or the
new one, never a part.  Anything else is written in place, as a shell's `>`
would: `/dev/null`, `/dev/stdout`, a terminal, a FIFO or a process
substitution `>(cmd)` stays what it is instead of being replaced by a regular
file (and a rename over `/dev/stdout` is never attempted).

A manifest being fixed is the exception: :func:`rewrite` writes it in
place, so it keeps its inode, owner, group, mode and hard links, and only
while it still holds the bytes its new contents were made from.

Callers that must not write over certain files (the manifests being linted,
the files a Bundle refers to) check the target with :func:`same_file` first.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from worker_lint.core import signals

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


def write_bytes(path: Path, data: bytes, *, durable: bool = True, in_place: bool = True) -> None:
    """Write ``data`` to ``path``: atomically over a regular file, in place into anything else.

    The temporary file has a unique name in the target's folder, so concurrent
    writers never share one, and is created with mode 0666 less the process's
    umask, as any new file; ``durable`` flushes it to disk before the rename
    (reports and baselines), which a cache entry can do without.  With
    ``in_place=False`` (the cache) whatever is at ``path`` is replaced, a
    symbolic link included, and never written through.  Raises
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


class Changed(Exception):
    """The file no longer holds the bytes its new contents were made from: nothing was written."""


class ReadOnly(Exception):
    """The file has no write permission for anyone: nothing was written, even by a user who could."""

    def __init__(self, mode: int) -> None:
        super().__init__(f"it is read-only (mode {mode:04o}); make it writable to fix it")


class Unrestored(OSError):
    """Writing failed part-way and the previous contents could not be put back: the file must be checked."""


_REWRITE_FLAGS = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def rewrite(path: Path, expected: bytes, data: bytes) -> None:
    """Replace the contents of the regular file ``path`` with ``data``, in place, if it still holds ``expected``.

    A rename would make a new file: owned by whoever runs the tool (root
    under sudo), with a hard link left holding the old text, and written even
    when the file is read-only, as a folder's permission is all a rename
    asks.  The contents are compared through the descriptor that writes, so
    an editor's save since ``expected`` was read is never overwritten
    (:class:`Changed`).  Space for a longer text is reserved before the first
    byte is written, the whole text is written, the file cut to its length and
    flushed to disk, with Ctrl-C and SIGTERM held meanwhile; if writing still
    fails, the previous contents are written back before the ``OSError`` is
    raised (:class:`Unrestored` when even that fails).
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if not info.st_mode & 0o222:
        raise ReadOnly(info.st_mode & 0o7777)
    fd = os.open(path, _REWRITE_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the stat
            raise OSError(errno.EINVAL, "not a regular file")
        if _read_all(fd, len(expected) + 1) != expected:
            raise Changed
        with signals.held():
            try:
                _reserve(fd, len(expected), len(data))
                _write_all(fd, data)
                os.ftruncate(fd, len(data))
                os.fsync(fd)
            except OSError as exc:
                try:
                    _write_all(fd, expected)
                    os.ftruncate(fd, len(expected))
                    os.fsync(fd)
                except OSError:
                    raise Unrestored(exc.errno, exc.strerror) from exc
                raise
    finally:
        os.close(fd)


def _read_all(fd: int, most: int) -> bytes:
    """Up to ``most`` bytes from the start of the file (one more than expected tells a file that grew)."""
    os.lseek(fd, 0, os.SEEK_SET)
    parts = []
    got = 0
    while got < most:
        part = os.read(fd, most - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    """All of ``data`` from the start of the file (a write may take less than it is given)."""
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reserve(fd: int, old: int, new: int) -> None:
    """Blocks for a longer text, so a full disk stops the write before it starts (where the file system can)."""
    if new <= old or not hasattr(os, "posix_fallocate"):
        return
    try:
        os.posix_fallocate(fd, old, new - old)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise


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
