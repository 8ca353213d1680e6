"""Positions inside strings: a value's character offsets placed on the file's lines, in every scalar style."""

from __future__ import annotations

import pytest

from worker_lint.core.diagnostic import Span, Within
from worker_lint.document.parse import parse
from worker_lint.document.positions import resolve
from worker_lint.document.scalar_map import content_map


def inner(text: str, needle: str, path=("a",), occurrence: int = 0) -> Span:
    """The span of ``needle`` found in the value the parser read (not in the file): what a rule knows."""
    doc = parse(text).documents[0]
    value = doc.data
    for segment in path:
        value = value[segment]
    start = -1
    for _ in range(occurrence + 1):
        start = value.index(needle, start + 1)
    return resolve(doc.root, path, "value", text, within=Within(start, start + len(needle)))


def test_plain_scalar_on_one_line():
    assert inner("a: echo $(date\n", "$(") == Span(1, 9, 1, 11)


def test_plain_scalar_folded_over_lines():
    text = "a: first   line\n    second\n\n    third X\n"
    # value: "first   line second\nthird X"
    assert inner(text, "second") == Span(2, 5, 2, 11)
    assert inner(text, "X") == Span(4, 11, 4, 12)


def test_single_quoted_doubled_quote_is_one_character():
    text = "a: 'it''s here'\n"
    assert inner(text, "here") == Span(1, 11, 1, 15)
    assert inner(text, "'") == Span(1, 7, 1, 9)  # the value's quote is the two written ones


def test_single_quoted_folded():
    text = "a: 'one\n  two\n\n  three'\n"
    assert inner(text, "three") == Span(4, 3, 4, 8)


def test_double_quoted_escapes_count_as_one_character_each():
    text = 'a: "x\\ty\\u00e9z\\x41 end"\n'
    # value: "x\tyézA end"
    assert inner(text, "\t") == Span(1, 6, 1, 8)
    assert inner(text, "é") == Span(1, 9, 1, 15)
    assert inner(text, "z") == Span(1, 15, 1, 16)
    assert inner(text, "end") == Span(1, 21, 1, 24)


def test_double_quoted_escaped_line_break_joins_lines():
    text = 'a: "abc\\\n    def ghi"\n'
    # value: "abcdef ghi"
    assert inner(text, "ghi") == Span(2, 9, 2, 12)


def test_double_quoted_folded_line_break_is_a_space():
    text = 'a: "abc  \n    def"\n'
    # value: "abc def": the space stands where the first line's content ends
    assert inner(text, " ") == Span(1, 8, 1, 9)
    assert inner(text, "def") == Span(2, 5, 2, 8)


def test_literal_block():
    text = "a: |\n  if true; then\n    echo hi\n  done\nb: 1\n"
    assert inner(text, "echo") == Span(3, 5, 3, 9)
    assert inner(text, "done") == Span(4, 3, 4, 7)


def test_literal_block_with_indentation_indicator_and_strip_chomping():
    text = "a: |2-\n     indented\n  x\n"
    # value: "   indented\nx": the indicator says two spaces are indentation, the rest content
    assert inner(text, " ") == Span(2, 3, 2, 4)
    assert inner(text, "indented") == Span(2, 6, 2, 14)
    assert inner(text, "x") == Span(3, 3, 3, 4)


def test_literal_block_keep_chomping_keeps_trailing_breaks():
    text = "a: |+\n  x\n\nb: 1\n"
    assert parse(text).documents[0].data["a"] == "x\n\n"
    assert inner(text, "\n", occurrence=1) == Span(3, 1, 4, 1)


def test_literal_block_under_a_sequence_item_with_leading_empty_lines():
    text = "a:\n  - |\n\n      print(1\n"
    assert inner(text, "(", path=("a", 0)) == Span(4, 12, 4, 13)


def test_folded_block_joins_lines_and_keeps_more_indented_ones():
    text = "a: >\n  one\n  two\n\n  three\n    more\n  four\n"
    # value: "one two\nthree\n  more\nfour\n"
    assert inner(text, "two") == Span(3, 3, 3, 6)
    assert inner(text, "three") == Span(5, 3, 5, 8)
    assert inner(text, "more") == Span(6, 5, 6, 9)
    assert inner(text, "four") == Span(7, 3, 7, 7)


def test_anchored_and_tagged_scalars():
    text = "a: &x !!str 'q r'\n"
    assert inner(text, "r") == Span(1, 16, 1, 17)


@pytest.mark.parametrize(
    "text",
    [
        "a: plain\n",
        "a: 'single'\n",
        'a: "double \\" \\\\ \\/"\n',
        "a: |\n  lit\n\n",
        "a: >-\n  fold\n  ed\n",
        "a: |+\n\n",
        "a: ''\n",
        "a: >\n  x\n\n\n  y\n",
        "a: '  lead and trail  '\n",
        'a: "tab\\\t and \\ space"\n',
    ],
)
def test_every_character_of_the_value_is_placed(text):
    doc = parse(text).documents[0]
    node = doc.root.value[0][1]
    mapped = content_map(node, text)
    assert mapped is not None and len(mapped) == len(node.value)
    for char, (start, stop) in zip(node.value, mapped):
        if stop - start == 1 and char not in " \n":
            assert text[start] == char


def test_a_value_the_walk_cannot_reproduce_falls_back_to_the_whole_scalar():
    text = "a: 'x'\n"
    doc = parse(text).documents[0]
    assert resolve(doc.root, ("a",), "value", text, within=Within(5, 6)) == Span(1, 4, 1, 7)
