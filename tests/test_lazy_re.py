"""Module-level patterns compile on first use and then behave exactly like compiled ones."""

from __future__ import annotations

import copy
import re

from worker_lint.core import lazy_re


def test_nothing_is_compiled_until_the_pattern_is_used(monkeypatch):
    compiled = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: compiled.append(a) or real(*a))
    word = lazy_re.compile(r"[a-z]+", re.IGNORECASE)
    assert compiled == []
    assert word.fullmatch("Hello").group() == "Hello"
    assert compiled == [(r"[a-z]+", re.IGNORECASE)]
    assert word.fullmatch("again") and word.fullmatch("1") is None
    assert len(compiled) == 1  # the bound method is kept: later calls go straight to it
    assert word.findall("ab 12 Cd") == ["ab", "Cd"]


def test_bytes_patterns_and_attributes():
    marker = lazy_re.compile(rb"^type:\s*(\w+)$", re.MULTILINE)
    assert marker.search(b"name: x\ntype: bundle\n").group(1) == b"bundle"
    assert marker.pattern == rb"^type:\s*(\w+)$"
    assert marker.flags & re.MULTILINE


def test_dunder_probes_do_not_compile_and_copies_still_work():
    digits = lazy_re.compile(r"\d+")
    assert not hasattr(digits, "__deepcopy__")
    assert copy.deepcopy(digits).match("42").group() == "42"
    assert "match" not in vars(digits)
    assert repr(digits) == r"lazy_re.compile('\\d+')"
