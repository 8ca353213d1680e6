"""ruamel.yaml's C-backed composer with a memoised tag resolver: the one loader every parse uses.

Both the fast path (`parse`) and the second reading of streams libyaml refuses (`goyaml`) compose
with it, so both give the builder the same shared tag objects.
"""

from __future__ import annotations

from typing import Any

try:  # the C extension is a declared dependency; fall back to the pure composer rather than fail
    from ruamel.yaml.cyaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from ruamel.yaml.loader import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: resolved tags, shared so the builder can dispatch on their identity (see Loader.resolve)
_RESOLVED: dict[tuple[Any, str, Any], Any] = {}
#: a memo, not a store: when this many values are remembered it starts again, so a long-lived
#: process (the language server, edit after edit of distinct values) keeps no more than this
_RESOLVED_LIMIT = 10_000
CANONICAL_TAGS: dict[str, Any] = {}


class Loader(_BaseLoader):
    """The composer with a memoised tag resolver.

    The composer asks the (Python) resolver for the tag of every scalar; keys and
    small values repeat across a manifest and across files, so remembering the
    answer per text avoids most regular-expression matching, and returning one
    shared tag object per tag lets the builder find its converter by identity.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            tag = CANONICAL_TAGS.setdefault(str(tag), tag)
            if value is None or len(value) <= 64:
                if len(_RESOLVED) >= _RESOLVED_LIMIT:
                    _RESOLVED.clear()
                _RESOLVED[key] = tag
        return tag
