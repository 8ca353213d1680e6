"""A file's state as `stat` tells it, and when an unchanged state vouches for what was read from the file.

As in git's index: a file whose type, device, inode, size and times are those it had when it was read holds
what was read then, unless it was modified within ``RACY_NS`` of being read (a file system's clock ticks
coarsely, so a second write in the same tick would leave its times where they were); such a file is read again.
"""

from __future__ import annotations

import os
from typing import NamedTuple

#: a file modified this close to being read is read again, whatever its size and times say
RACY_NS = 2_000_000_000


class FileState(NamedTuple):
    mode: int
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int


def state_of(info: os.stat_result) -> FileState:
    return FileState(info.st_mode, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def vouches(state: FileState, looked_ns: int) -> bool:
    """Whether a file found in ``state`` again still holds what was read after its state was taken at ``looked_ns``."""
    return max(state.mtime_ns, state.ctime_ns) < looked_ns - RACY_NS
