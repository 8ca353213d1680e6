"""Positions: block and flow styles, comments, multi-document offsets, anchors and merge keys."""

from __future__ import annotations

from linting import lint_text

from worker_lint.core.diagnostic import Span
from worker_lint.document.parse import parse
from worker_lint.document.positions import resolve


def spans(text: str, path, at="value"):
    doc = parse(text).documents[0]
    return resolve(doc.root, path, at, text)


def test_block_value_and_key_spans():
    text = "spec:\n  replicas: two   # a comment\n"
    assert spans(text, ("spec", "replicas")) == Span(2, 13, 2, 16)
    assert spans(text, ("spec", "replicas"), at="key") == Span(2, 3, 2, 11)


def test_flow_style_positions():
    text = 'spec: {compute: x, replicas: "two"}\n'
    assert spans(text, ("spec", "replicas")) == Span(1, 30, 1, 35)
    assert spans(text, ("spec", "replicas"), at="key") == Span(1, 20, 1, 28)


def test_sequence_items_and_missing_paths_fall_back_to_the_nearest_key():
    text = "a:\n  - x\n  - {b: 1}\n"
    assert spans(text, ("a", 1, "b")) == Span(3, 9, 3, 10)
    # `c` does not exist: the deepest existing node (the flow mapping) is where to add it
    assert spans(text, ("a", 1, "c")) == Span(3, 5, 3, 11)


def test_multiline_collection_is_clipped_to_its_first_line():
    text = "spec:\n  compute: runnable-default\n  stack: container\n"
    assert spans(text, ("spec",)) == Span(2, 3, 2, 28)


def test_substring_narrows_to_the_placeholder():
    text = "spec:\n  compute: prefix-${{compute}}-suffix\n"
    doc = parse(text).documents[0]
    assert resolve(doc.root, ("spec", "compute"), "value", text, "${{compute}}") == Span(2, 19, 2, 31)


def test_multi_document_offsets():
    text = (
        "version: v2alpha\nname: ok\ntype: worker\nspec: {compute: c, stack: container, stackSpec: {image: i}}\n"
        "---\n# second\nversion: v2alpha\nname: Bad_Name\ntype: worker\n"
        "spec: {compute: c, stack: container, stackSpec: {image: i}}\n"
    )
    found = [(d.code, d.span.line, d.span.column, d.document) for d in lint_text(text, "m.yaml")]
    assert found == [("WL106", 8, 7, 1)]


def test_anchor_and_merge_key_keep_positions():
    text = (
        "version: v1beta\nname: w\ntype: worker\n"
        "defaults: &defaults\n  replicas: 2\n"
        "worker:\n  <<: *defaults\n  compute: runnable-default\n  stack: container\n  stackSpec: {image: i}\n"
        "  logLevel: LOUD\n"
    )
    found = [(d.code, d.span.line, d.span.column) for d in lint_text(text, "m.yaml")]
    # the merged `replicas` is valid data; the unknown top-level `defaults` and the bad level are reported in place
    assert found == [("WL102", 4, 1), ("WL109", 11, 13)]


def test_yaml_12_semantics():
    data = parse("a: yes\nb: 010\nc: on\nd: 0o10\ne: 2024-01-01\nf: ~\n").documents[0].data
    assert data == {"a": "yes", "b": 10, "c": "on", "d": 8, "e": "2024-01-01", "f": None}


MERGES = (
    "base: &base {a: 1, b: 2, '<<': quoted}\n"
    "more: &more {b: 3, c: 4}\n"
    "twice: &twice {d: 5}\n"
    "self: &self\n  e: 6\n  <<: *self\n"
    "spec:\n"
    "  <<: [*base, *more]\n"
    "  c: 7\n"
    "  c: 8\n"
    "  <<: *twice\n"
    "  <<: *self\n"
    "  ? [complex]\n  : 9\n"
    "  0: zero\n"
)


def test_entries_name_what_a_lookup_of_each_key_finds():
    from worker_lint.document.positions import entries, find

    root = parse(MERGES).documents[0].root
    _, spec, _ = find(root, ("spec",))
    index = entries(spec)
    assert sorted(index) == ["0", "<<", "a", "b", "c", "d", "e"]
    for key, (key_node, value_node) in index.items():
        assert find(spec, (key,)) == (key_node, value_node, 1)
    assert find(spec, (0,))[1] is index["0"][1]
    # the last `c` written wins over an earlier one and over a merged one; `b` comes from the first mapping merged
    assert index["c"][1].value == "8" and index["b"][1].value == "2"
    _, itself, _ = find(root, ("self",))
    assert sorted(entries(itself)) == ["<<", "e"]  # a mapping merged into itself is read once
