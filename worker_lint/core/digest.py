"""The hash behind cache keys.

BLAKE2b from CPython's built-in module: importing ``hashlib`` loads OpenSSL,
which cost a cold run on one file about 5 ms, a fortieth of it.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's built-in module
    from hashlib import blake2b

__all__ = ["blake2b", "content_digest"]


def content_digest(data: bytes) -> bytes:
    """A file's bytes in 32 bytes: what a cache key is made from, and what tells that the bytes linted were those."""
    return blake2b(data, digest_size=32).digest()
