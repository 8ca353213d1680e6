"""ruamel.yaml's C-backed composer with a memoised tag resolver: the one loader every parse uses.

Both the fast path (`parse`) and the second reading of streams libyaml refuses (`goyaml`) compose
with it, so both give the builder the same shared tag objects.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import ScalarNode

try:  # the C extension is a declared dependency; fall back to the pure composer rather than fail
    from ruamel.yaml.cyaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from ruamel.yaml.loader import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: the resolved tag of each plain scalar's text, shared so the builder can dispatch on its identity
#: (see Loader.resolve): a plain scalar's tag is the only one its text decides
_PLAIN: dict[str, Any] = {}
#: a memo, not a store: when this many texts are remembered it starts again, so a long-lived
#: process (the language server, edit after edit of distinct values) keeps no more than this
_RESOLVED_LIMIT = 10_000
#: the tag of every other node by its kind: a quoted scalar is a string, a list or mapping its kind
_BY_KIND: dict[Any, Any] = {}
CANONICAL_TAGS: dict[str, Any] = {}


class Loader(_BaseLoader):
    """The composer with a memoised tag resolver.

    The composer asks the (Python) resolver for the tag of every node; keys and
    small values repeat across a manifest and across files, so remembering the
    answer avoids most regular-expression matching, and returning one shared
    tag object per tag lets the builder find its converter by identity.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # The base resolver reads a plain scalar's text (`implicit[0]`) and nothing else: every
        # other node gets its kind's default tag, so one look-up by kind answers for all of them.
        plain = kind is ScalarNode and implicit[0]
        tag = _PLAIN.get(value) if plain else _BY_KIND.get(kind)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            tag = CANONICAL_TAGS.setdefault(str(tag), tag)
            if not plain:
                _BY_KIND[kind] = tag
            elif len(value) <= 64:
                if len(_PLAIN) >= _RESOLVED_LIMIT:
                    _PLAIN.clear()
                _PLAIN[value] = tag
        return tag

    # No path resolvers are registered, so there is nothing to track on the way down or up; the
    # base methods check that for every node the composer makes, a tenth of composing a manifest.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass
