"""The hash behind cache keys.

BLAKE2b from CPython's built-in module: importing ``hashlib`` loads OpenSSL,
which cost a cold run on one file about 5 ms, a fortieth of it.
"""
from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's built-in module
    from hashlib import blake2b

__all__ = ["blake2b"]
