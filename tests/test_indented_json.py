"""The reports' JSON writer gives exactly the text of `json.dumps(value, indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker_lint.core.diagnostic import Severity
from worker_lint.report import indented_json


class _Level(enum.IntEnum):
    HIGH = 3


def _standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


_LEAVES = st.none() | st.booleans() | st.integers() | st.text()
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@given(_VALUES)
def test_the_same_text_as_the_standard_library(value: Any) -> None:
    assert indented_json.dumps(value) == _standard(value)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [{}]},
        ("a", 1, None),
        {"severity": Severity.ERROR, "level": _Level.HIGH},
        {"text": '\u2028 \x00 " \\ é \U0001f600'},
        10**40,
    ],
)
def test_edge_values(value: Any) -> None:
    assert indented_json.dumps(value) == _standard(value)


@pytest.mark.parametrize(
    "value",
    [{"ratio": 1.5}, [float("nan"), float("inf")], {1: "a non-string key"}, {"key": {None: True}}],
)
def test_what_reports_never_hold_is_written_by_the_standard_library(value: Any) -> None:
    assert indented_json.dumps(value) == _standard(value)


def test_a_value_json_cannot_write_fails_as_json_does() -> None:
    with pytest.raises(TypeError):
        indented_json.dumps({"key": object()})
