"""Regular expressions compiled on first use.

A cold run on one file touches a handful of the module-level patterns, and
compiling all of them at import time was a tenth of its start-up.  ``compile``
stands in for ``re.compile`` at module level: it compiles when one of the
pattern's attributes is first read and binds that attribute on itself, so
later calls cost what a compiled pattern's do.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr


class _Deferred:
    def __init__(self, source: str | bytes, flags: int) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy, pickle and friends probe dunders: not a use of the pattern
            raise AttributeError(name)
        value = getattr(re.compile(self._source, self._flags), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_re.compile({self._source!r})"


def compile(source: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(source, flags)``, paid for only when the pattern is used."""
    return _Deferred(source, flags)  # type: ignore[return-value]
