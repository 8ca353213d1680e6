"""The grammar of a `stack` reference: ``name[+flavor][:version]``, and why a reference breaks it."""

from __future__ import annotations

import re
from typing import NamedTuple

from worker_lint.core import lazy_re

# Upper-case letters are allowed: the docs' own `dataos-ctl develop stack versions` output lists
# `Lakesearch`, and nothing in the grammar forbids them; names are matched without regard to case.
_WORD = r"[A-Za-z0-9][A-Za-z0-9-]*"
_VERSION = r"[0-9]+(?:\.[0-9]+)*"
# docs/dataos-manifests.md §4.1: `fastfun+alpha:1.0`, `soda+python:1.0`, `scanner:2.0`, `bento`
_REF = lazy_re.compile(rf"(?P<name>{_WORD})(?:\+(?P<flavor>{_WORD}))?(?::(?P<version>{_VERSION}))?")
_WORD_RE = lazy_re.compile(_WORD)
_VERSION_RE = lazy_re.compile(_VERSION)


class StackRef(NamedTuple):
    """A parsed stack reference; ``flavor`` and ``version`` are None when the reference omits them."""

    name: str
    flavor: str | None = None
    version: str | None = None

    @property
    def family(self) -> str:
        """``name+flavor``, the part that names what runs, without the version."""
        return self.name if self.flavor is None else f"{self.name}+{self.flavor}"

    def __str__(self) -> str:
        return self.family if self.version is None else f"{self.family}:{self.version}"


def parse_stack_ref(text: str) -> StackRef | None:
    """The reference ``text`` denotes, or None when it is malformed (see :func:`stack_ref_problem`)."""
    match = _REF.fullmatch(text)
    if match is None:
        return None
    flavor = match["flavor"]
    return StackRef(match["name"].lower(), None if flavor is None else flavor.lower(), match["version"])


def stack_ref_problem(text: str) -> str | None:
    """Why ``text`` is not a valid ``name[+flavor][:version]`` reference, or None when it is valid."""
    if _REF.fullmatch(text):
        return None
    if not text.strip():
        return "the stack reference is empty"
    if text != text.strip():
        return "it has leading or trailing spaces"
    if any(c.isspace() for c in text):
        return "it contains a space; a reference is one word such as `bento-worker:3.0`"
    if text.count(":") > 1:
        return "it has more than one `:`; only the version follows a `:`"
    if text.count("+") > 1:
        return "it has more than one `+`; only one flavor can follow the name"
    name_part, _, version = text.partition(":")
    name, plus, flavor = name_part.partition("+")
    if ":" in text and "+" in version:
        return "the flavor must come before the version, as in `name+flavor:version`"
    if not name:
        return "the stack name is missing before `+` or `:`"
    if plus and not flavor:
        return "the flavor after `+` is empty"
    if ":" in text and not version:
        return "the version after `:` is empty"
    for label, word in (("stack name", name), ("flavor", flavor)):
        if word and not _WORD_RE.fullmatch(word):
            return (
                f"the {label} `{word}` may only contain letters, digits and hyphens,"
                " and must start with a letter or digit"
            )
    if version and not _VERSION_RE.fullmatch(version):
        return f"the version `{version}` must be numbers separated by dots, such as `1.0`"
    return "it does not have the form `name[+flavor][:version]`"  # pragma: no cover - every case is named above


def repaired(text: str) -> str | None:
    """The valid reference ``text`` most likely meant: case lowered, spaces around separators and doubled separators dropped."""
    candidate = re.sub(r"\s*([+:])\s*", r"\1", text.strip()).lower()
    candidate = re.sub(r":{2,}", ":", candidate)
    candidate = re.sub(r"\+{2,}", "+", candidate)
    if candidate != text and _REF.fullmatch(candidate):
        return candidate
    return None
