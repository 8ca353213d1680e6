"""Did-you-mean: the known names a misspelt one most likely meant, the same way for every message.

Keys, enum values, stack names, configuration keys and suppression actions are all suggested
here, so a slip gets the same answer wherever it is made.
"""

from __future__ import annotations

from collections.abc import Iterable

#: how alike two names must be (difflib's ratio) for one to be suggested for the other
CUTOFF = 0.75


def closest(word: str, candidates: Iterable[object], limit: int = 1) -> list[str]:
    """Up to ``limit`` candidates ``word`` most likely meant, best first.

    A difference of case alone wins outright; then edit distance on the names as written,
    then ignoring case. A prefix or suffix slip (`bento-workers`, `stream`) of four letters
    or more counts too, after the edits.
    """
    pool = [c for c in candidates if isinstance(c, str)]
    lowered = word.lower()
    found = [c for c in pool if c.lower() == lowered and c != word][:limit]
    if len(found) < limit:
        import difflib  # only a run with a misspelling pays for it

        by_lower = {c.lower(): c for c in pool}
        edits = difflib.get_close_matches(word, pool, n=limit, cutoff=CUTOFF) + [
            by_lower[m] for m in difflib.get_close_matches(lowered, list(by_lower), n=limit, cutoff=CUTOFF)
        ]
        found += [c for c in dict.fromkeys(edits) if c not in found and c != word]
    if len(word) >= 4:
        found += [c for c in pool if c not in found and c != word and (c.startswith(word) or word.startswith(c))]
    return found[:limit]


def did_you_mean(word: str, candidates: Iterable[object]) -> str:
    """``; did you mean `x`?`` for a message's end, or nothing when no name is close."""
    found = closest(word, candidates)
    return f"; did you mean `{found[0]}`?" if found else ""
