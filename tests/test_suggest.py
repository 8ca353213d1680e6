"""One did-you-mean for every message: case slips, edits, prefix and suffix slips, one cut-off."""

from __future__ import annotations

import pytest

from worker_lint.core.suggest import closest, did_you_mean


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("stackspec", ["stack", "stackSpec", "compute"], ["stackSpec"]),  # case alone wins over any edit
        ("logLevl", ["logLevel", "labels"], ["logLevel"]),
        ("LOGLEVL", ["logLevel"], ["logLevel"]),  # edits ignoring case
        ("stream", ["stream-monitor", "bento"], ["stream-monitor"]),  # a prefix slip
        ("bento-workers", ["bento-worker", "bento"], ["bento-worker"]),
        ("replicas", ["replicas", "resources"], []),  # the word itself is never suggested
        ("xyz", ["worker", "spec"], []),
        ("abc", ["abcd"], ["abcd"]),
    ],
)
def test_closest(word: str, candidates: list[str], expected: list[str]) -> None:
    assert closest(word, candidates) == expected


def test_several_and_the_message_form() -> None:
    assert closest("bento-wrker", ["bento-worker", "bento", "beacon"], limit=3) == ["bento-worker", "bento"]
    assert did_you_mean("ignroe", ["ignore", "select"]) == "; did you mean `ignore`?"
    assert did_you_mean("zzz", ["ignore"]) == ""
