"""Bytes to text: the encodings YAML files arrive in, and where a bad byte sits."""

from __future__ import annotations

from typing import NamedTuple

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import Finding, Span

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


#: line breaks the YAML parser counts besides LF and CRLF (a lone CR; NEL, LS and PS, as libyaml does)
_ODD_BREAK = lazy_re.compile("\r(?!\n)|[\x85\u2028\u2029]")
#: the lone CR, the one break editors count besides LF and CRLF (NEL, LS and PS are not breaks to them)
_LONE_CR = lazy_re.compile("\r(?!\n)")
_LONE_CR_BYTES = lazy_re.compile(rb"\r(?!\n)")


def normalize_breaks(text: str) -> str:
    """Write every line break the parser counts as LF, one character for one, so offsets stay valid.

    The parser's marks count a lone CR (and NEL, LS, PS) as a new line; after
    this, every other place that splits lines on LF agrees with it.
    """
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return _ODD_BREAK.sub("\n", text)
    return text


class Decoded(NamedTuple):
    text: str | None
    finding: Finding | None


def decode(data: bytes) -> Decoded:
    """Decode a manifest as UTF-8 (a UTF-8 byte order mark is dropped).

    DataOS and every YAML tool in its ecosystem read UTF-8; anything else gets
    one WL003 finding at the first offending byte instead of a traceback.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(None, _encoding_finding(1, 1, f"the file is {name}-encoded; save it as UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data, exc.start)
        return Decoded(
            None,
            _encoding_finding(line, column, f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8"),
        )
    nul = text.find("\x00")
    if nul != -1:
        line, column = _line_column(data, len(text[:nul].encode("utf-8")))
        return Decoded(None, _encoding_finding(line, column, "the file contains a NUL byte; it is binary, not YAML"))
    return Decoded(normalize_breaks(text), None)


def editor_breaks(text: str) -> str:
    """``text`` with its lines split where an editor splits them, for showing lines no parser placed."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    data = _LONE_CR_BYTES.sub(b"\n", data[:offset])  # count lines as editors do
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _encoding_finding(line: int, column: int, message: str) -> Finding:
    return Finding("WL003", (), message, span=Span(line, column, line, column + 1))
