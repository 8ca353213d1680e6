"""Between worker-lint's positions and the editor's.

worker-lint counts 1-based lines as the YAML parser does (LF, CRLF, a lone CR, and also NEL, LS
and PS) and 1-based columns in code points of the text without its byte order mark.  A client
counts 0-based lines broken at LF, CRLF and CR only, and characters in the code units of the
encoding negotiated at start-up: UTF-16 unless the client offers UTF-8 or UTF-32.  Both sides are
turned into offsets into the editor's text, which is exact on any line, whatever it holds.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property
from typing import NamedTuple

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_LSP_BREAK = re.compile(r"\r\n|\r|\n")
_YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def units(text: str, encoding: str) -> int:
    """How many code units ``text`` is in ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _chars(text: str, count: int, encoding: str) -> int:
    """How many code points of ``text`` make up its first ``count`` code units (a split character counts whole)."""
    if encoding == UTF32 or text.isascii():
        return min(count, len(text))
    seen = 0
    for index, ch in enumerate(text):
        if seen >= count:
            return index
        if encoding == UTF8:
            seen += len(ch.encode("utf-8"))
        else:
            seen += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


class Position(NamedTuple):
    """An editor position: 0-based line, character in the negotiated code units."""

    line: int
    character: int


class TextMap:
    """One version of a document's text, with its line starts on both sides.

    The line starts are found when a position is first asked for: a clean lint of a long Bundle, on every
    keystroke, asks for none.
    """

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        #: worker-lint's text starts after a byte order mark, which the editor may keep
        self.base = 1 if text.startswith("\ufeff") else 0

    @cached_property
    def _lsp_starts(self) -> list[int]:
        return [0] + [m.end() for m in _LSP_BREAK.finditer(self.text)]

    @cached_property
    def _yaml_starts(self) -> list[int]:
        return [self.base] + [m.end() for m in _YAML_BREAK.finditer(self.text, self.base)]

    @property
    def line_count(self) -> int:
        return len(self._lsp_starts)

    def line_text(self, line: int) -> str:
        """An editor line without its break."""
        if not 0 <= line < len(self._lsp_starts):
            return ""
        start = self._lsp_starts[line]
        end = self._lsp_starts[line + 1] if line + 1 < len(self._lsp_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_start(self, line: int) -> int:
        return self._lsp_starts[min(max(line, 0), len(self._lsp_starts) - 1)]

    # -- worker-lint to editor ---------------------------------------------------------------------------------

    def offset_of(self, line: int, column: int) -> int:
        """The offset of worker-lint's 1-based ``line`` and ``column``, kept within that line."""
        index = min(max(line, 1), len(self._yaml_starts)) - 1
        start = self._yaml_starts[index]
        end = self._yaml_starts[index + 1] if index + 1 < len(self._yaml_starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n\x85\u2028\u2029":
            end -= 1
        return min(start + max(column, 1) - 1, end)

    def position(self, offset: int) -> Position:
        """The editor position of an offset into the text."""
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self._lsp_starts, offset) - 1
        start = self._lsp_starts[line]
        return Position(line, units(self.text[start:offset], self.encoding))

    # -- editor to worker-lint ---------------------------------------------------------------------------------

    def offset(self, position: Position) -> int:
        """The offset an editor position points at, kept within its line."""
        line = min(max(position.line, 0), len(self._lsp_starts) - 1)
        text = self.line_text(line)
        return self._lsp_starts[line] + _chars(text, max(position.character, 0), self.encoding)

    def to_yaml_offset(self, offset: int) -> int:
        """An offset into worker-lint's text (what the parser's marks count), from one into the editor's."""
        return max(offset - self.base, 0)

    def from_yaml_offset(self, offset: int) -> int:
        return offset + self.base
