"""Reading one manifest from disk safely: regular files only, never blocking, never past the size limit."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from worker_lint.core.diagnostic import Finding, Span

_CHUNK = 1 << 20
#: O_NONBLOCK: if the path is swapped for a FIFO between the check and the open, the open must not wait
#: for a writer; O_NOCTTY: a terminal device must never become the controlling terminal
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_BINARY", 0))

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_manifest(path: Path, max_size: int) -> bytes | Finding:
    """The bytes of ``path``, or one finding saying why they were not read.

    Only regular files are opened: a FIFO, socket, device or directory gets a
    WL012 finding without being opened, so nothing can block.  The size limit
    (WL011) is checked before opening, again on the open descriptor, and while
    reading, so a file that grows is never read past the limit.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        return _unreadable(path, exc)
    problem = _not_regular(info.st_mode)
    if problem is not None:
        return _problem("WL012", f"`{path.name}` is {problem}, not a regular file; it was not read")
    if info.st_size > max_size:
        return _too_large(max_size)
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return _unreadable(path, exc)
    try:
        info = os.fstat(fd)
        problem = _not_regular(info.st_mode)
        if problem is not None:  # replaced between the check and the open
            return _problem("WL012", f"`{path.name}` is {problem}, not a regular file; it was not read")
        if info.st_size > max_size:
            return _too_large(max_size)
        return _read_at_most(fd, max_size)
    except OSError as exc:
        return _unreadable(path, exc)
    finally:
        os.close(fd)


def read_or_none(path: Path, max_size: int) -> bytes | None:
    """The bytes of ``path`` when :func:`read_manifest` would return them, else None (for callers that skip)."""
    data = read_manifest(path, max_size)
    return data if isinstance(data, bytes) else None


def _read_at_most(fd: int, max_size: int) -> bytes | Finding:
    """Read to the end, or stop one byte past ``max_size`` (the file grew while being read)."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_size:
        chunk = os.read(fd, min(_CHUNK, max_size + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    return _too_large(max_size)


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _unreadable(path: Path, exc: OSError) -> Finding:
    code = exc.errno
    if code == errno.ELOOP:
        return _problem("WL012", f"`{path.name}` is a symbolic link loop; it was not read")
    if code == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return _problem("WL012", f"`{path.name}` is a broken symbolic link: its target `{target}` does not exist")
    if code in (errno.EACCES, errno.EPERM):
        return _problem("WL012", f"`{path.name}` cannot be read: permission denied")
    if code == errno.ENOENT:
        return _problem("WL012", f"`{path.name}` does not exist")
    return _problem("WL012", f"`{path.name}` cannot be read: {exc.strerror or exc}")


def _too_large(max_size: int) -> Finding:
    return _problem("WL011", f"the file is larger than {max_size:,} bytes; it was not read"
                    " (split it, or raise `max-file-size` in the configuration if it really is a manifest)")


def _problem(code: str, message: str) -> Finding:
    return Finding(code, (), message, span=Span(1, 1, 1, 2))
