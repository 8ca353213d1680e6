"""Every read of a file worker-lint did not write itself: regular files only, never blocking, never past a limit.

Manifests (:func:`read_manifest`), standard input (:func:`read_stream`),
cache files, baselines and dotenv files (:func:`read_bytes`) all come
through here, so the checks are the same everywhere: a FIFO, socket, device or
directory is never opened for reading, a file that grows is never read past
its limit, and a symbolic link is not followed where it must not be.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from worker_lint.core.diagnostic import Finding, Span

_CHUNK = 1 << 20
#: O_NONBLOCK: if the path is swapped for a FIFO between the check and the open, the open must not wait
#: for a writer; O_NOCTTY: a terminal device must never become the controlling terminal
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_manifest(path: Path, max_size: int, within: Callable[[], Path] | None = None) -> bytes | Finding:
    """The bytes of ``path``, or one finding saying why they were not read.

    Only regular files are opened: a FIFO, socket, device or directory gets a
    WL012 finding without being opened, so nothing can block.  The size limit
    (WL011) is checked before opening, again on the open descriptor, and while
    reading, so a file that grows is never read past the limit.  When
    ``path`` is a symbolic link and ``within`` is given, the link must lead
    to a file inside the folder ``within()`` names (the project), or it is not
    read (WL012): a link committed in a pull request must not print the lines
    of `/etc/shadow` into a CI log.
    """
    try:
        if within is not None and os.path.islink(path):
            outside = _outside(path, within())
            if outside is not None:
                return outside
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


def _outside(path: Path, root: Path) -> Finding | None:
    target = os.path.realpath(path)
    top = os.path.realpath(root)
    if target == top or target.startswith(top.rstrip(os.sep) + os.sep):
        return None
    return _problem(
        "WL012", f"`{path.name}` is a symbolic link to `{target}`, outside the project (`{top}`); it was not read"
    )


class ReadError(Exception):
    """Why a file was not read, in one line that names no more than the file."""


def read_bytes(path: Path | str, max_size: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file no larger than ``max_size``; raises :class:`ReadError` otherwise.

    With ``follow_symlinks=False`` the last part of the path must not be a
    symbolic link (the cache: a link in it was planted, never written by us).
    """
    flags = _FLAGS | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    path = Path(path)
    if not follow_symlinks and os.path.islink(path):
        raise ReadError(f"`{path.name}` is a symbolic link; it was not read")
    try:
        info = os.stat(path)
        problem = _not_regular(info.st_mode)
        if problem is None and info.st_size > max_size:
            problem = f"larger than {max_size:,} bytes"
        if problem is not None:
            raise ReadError(f"`{path.name}` is {problem}; it was not read")
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReadError(_unreadable(path, exc).message) from None
    try:
        info = os.fstat(fd)
        problem = _not_regular(info.st_mode)
        if problem is not None:
            raise ReadError(f"`{path.name}` is {problem}; it was not read")
        data = _read_at_most(fd, max_size)
    except OSError as exc:
        raise ReadError(_unreadable(path, exc).message) from None
    finally:
        os.close(fd)
    if isinstance(data, Finding):
        raise ReadError(f"`{path.name}` is larger than {max_size:,} bytes; it was not read")
    return data


def read_stream(stream: BinaryIO, max_size: int) -> bytes | Finding:
    """Standard input, up to the same limit as a file: `yes | worker-lint check -` stops at the limit."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_size:
        chunk = stream.read(min(_CHUNK, max_size + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    return _too_large(max_size)


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
    return _problem(
        "WL011",
        f"the file is larger than {max_size:,} bytes; it was not read"
        " (split it, or raise `max-file-size` in the configuration if it really is a manifest)",
    )


def _problem(code: str, message: str) -> Finding:
    return Finding(code, (), message, span=Span(1, 1, 1, 2))
