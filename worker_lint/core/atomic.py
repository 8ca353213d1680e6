"""Writes that never leave a half-written file: a temporary file beside the target, then a rename."""
from __future__ import annotations

import os
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically: readers see the old file or the new one, never a part.

    The temporary file has a unique name in the target's folder, so concurrent
    writers never share one; ``durable`` flushes it to disk before the rename
    (reports and baselines), which a cache entry can do without.  ``mode``
    keeps the permissions of a file being rewritten (a fixed manifest).
    """
    import tempfile  # with shutil, bz2 and lzma behind it: not for runs that write nothing

    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_UMASK if mode is None else mode)  # not mkstemp's 0600
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
